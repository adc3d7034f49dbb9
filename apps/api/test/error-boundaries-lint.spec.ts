import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

// Issue 17: services throw domain errors and storage alone reads PostgreSQL's error codes. The lint
// rules that hold this (eslint.config.mjs) must bite: the fixture does both and fails, the real
// controllers and the table's own edge pass.
const root = resolve(__dirname, '..', '..', '..');

async function errors(file: string): Promise<Array<{ rule: string | null; line: number }>> {
  const eslint = new ESLint({ cwd: root, ignore: false });
  const [result] = await eslint.lintFiles([join(root, file)]);
  return (result?.messages ?? []).filter((m) => m.severity === 2 && (m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')).map((m) => ({ rule: m.ruleId, line: m.line }));
}

describe('errors in one place (lint)', () => {
  it('refuses Nest HTTP exceptions and PostgreSQL error codes in a controller', async () => {
    expect(await errors('apps/api/src/app/registry/__lint-fixtures__/inline-http-error.fixture.ts')).toEqual([
      { rule: 'no-restricted-imports', line: 2 }, // ConflictException
      { rule: 'no-restricted-imports', line: 2 }, // NotFoundException
      { rule: 'no-restricted-syntax', line: 9 }, // === '23505'
      { rule: 'no-restricted-syntax', line: 11 }, // case '40001'
    ]);
  }, 60_000);

  it('passes the code that now throws domain errors, and storage, which translates the codes', async () => {
    for (const file of [
      'apps/api/src/app/registry/devices.controller.ts',
      'apps/api/src/app/registry/patients.controller.ts',
      'apps/api/src/app/auth/access.guard.ts',
      'apps/api/src/app/http/problem.filter.ts',
      'libs/storage/src/lib/repositories/registry.repository.ts',
    ]) {
      expect({ file, errors: await errors(file) }).toEqual({ file, errors: [] });
    }
  }, 60_000);
});
