module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'ingest',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // The pipeline's specs start a real database (migrations included) in beforeAll.
  setupFilesAfterEnv: ['<rootDir>/../../tools/jest/slow-suite.cjs'],
};
