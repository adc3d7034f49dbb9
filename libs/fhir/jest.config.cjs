module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'fhir',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
