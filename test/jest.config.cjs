module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'system',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/../tools/jest/slow-suite.cjs'],
  testPathIgnorePatterns: ['/node_modules/', '/lint-fixtures/', '/bench/'],
};
