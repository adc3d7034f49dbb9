module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Most suites start the real app on a real database; a loaded 2-core machine needs more than 5 s.
  setupFilesAfterEnv: ['<rootDir>/../../tools/jest/slow-suite.cjs'],
};
