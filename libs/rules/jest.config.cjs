module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'rules',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // The workspace packages are not linked into node_modules, so Jest resolves the one alias this
  // library may import the way tsconfig.base.json `paths` does.
  moduleNameMapper: { '^@homeward/domain$': '<rootDir>/../domain/src/index.ts' },
};
