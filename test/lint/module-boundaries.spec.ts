import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

// Proves the architecture rule bites: fixtures with forbidden imports must fail lint. The
// fixtures live in __lint-fixtures__ folders, which the normal lint run ignores.
const root = resolve(__dirname, '..', '..');

async function boundaryErrors(file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root, ignore: false });
  const [result] = await eslint.lintFiles([join(root, file)]);
  return (result?.messages ?? [])
    .filter((m) => (m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports') && m.severity === 2)
    .map((m) => m.message);
}

beforeAll(() => {
  // The rule reads Nx's cached project graph and silently skips itself when there is none.
  execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
    stdio: 'ignore',
  });
});

describe('module boundaries', () => {
  it('keep pg, NestJS, rxjs and node built-ins out of the pure domain', async () => {
    const errors = await boundaryErrors('libs/domain/src/__lint-fixtures__/impure-imports.fixture.ts');
    expect(errors.sort()).toEqual([
      expect.stringMatching(/'node:fs' import is restricted.*Node built-ins are not available in the browser/),
      'A project tagged with "type:domain" is not allowed to import "@nestjs/common"',
      'A project tagged with "type:domain" is not allowed to import "pg"',
      'A project tagged with "type:domain" is not allowed to import "rxjs"',
    ]);
  });

  it('keep a pure library from depending on the storage adapter', async () => {
    const errors = await boundaryErrors('test/lint-fixtures/domain-lib/src/__lint-fixtures__/adapter-import.fixture.ts');
    // The rule reports the first constraint an import breaks; the runtime dimension is shown by
    // the browser fixture below.
    expect(errors).toEqual(['A project tagged with "type:domain" can only depend on libs tagged with "type:domain"']);
  });

  it('keep node-only code out of browser projects', async () => {
    const errors = await boundaryErrors('test/lint-fixtures/browser-app/src/__lint-fixtures__/node-only-imports.fixture.ts');
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/is not allowed to import "pg"/), // banned for apps (only storage talks to PostgreSQL) and for browser code
        expect.stringMatching(/tagged with "runtime:browser" can only depend on libs tagged with "runtime:any", "runtime:browser"/),
      ]),
    );
  });

  it('keep every library, even the storage adapter, from importing an app', async () => {
    const errors = await boundaryErrors('test/lint-fixtures/adapter-lib/src/__lint-fixtures__/app-import.fixture.ts');
    expect(errors.sort()).toEqual(['Imports of apps are forbidden', 'Imports of apps are forbidden']);
  });

  it('pass the real code (the same rules, on the source tree)', async () => {
    expect(await boundaryErrors('libs/storage/src/lib/storage.ts')).toEqual([]);
    expect(await boundaryErrors('apps/cli/src/commands/start.command.ts')).toEqual([]);
    expect(await boundaryErrors('apps/cli/src/demo/demo-services.ts')).toEqual([]);
  });
});
