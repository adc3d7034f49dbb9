// Validation of the deployment files (no Docker here): compose against the Compose spec (dclint),
// Kubernetes objects against the API's OpenAPI schemas (kubernetes-models), Dockerfiles with
// dockerfile-utils plus project rules. kubernetes-models and @kubernetes-models/* are ESM-only
// with an "import"-only export map: esm-exports.resolver.cjs resolves them with that condition and
// they are compiled to CommonJS like the other ESM-only packages.
const preset = require('../jest.preset.cjs');

// is-cidr and cidr-regex: ESM-only dependencies of @kubernetes-models/validate.
const esmPackages = ['kubernetes-models', '@kubernetes-models', 'is-cidr', 'cidr-regex'];

module.exports = {
  ...preset,
  displayName: 'infra',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  resolver: '<rootDir>/esm-exports.resolver.cjs',
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
};
