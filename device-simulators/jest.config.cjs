module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'device-simulators',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/../tools/jest/slow-suite.cjs'],
};
