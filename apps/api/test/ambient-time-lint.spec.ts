import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

// Time is injected: in apps/api/src only app/clock.ts reads the system clock; everything else
// takes the api's Clock (CLOCK) or a `now` parameter. The lint rule holding this
// (eslint.config.mjs, no-restricted-syntax) must bite on the fixture and pass the real code.
const root = resolve(__dirname, '..', '..', '..');

async function errors(file: string): Promise<number[]> {
  const eslint = new ESLint({ cwd: root, ignore: false });
  const [result] = await eslint.lintFiles([join(root, file)]);
  return (result?.messages ?? []).filter((m) => m.severity === 2 && m.ruleId === 'no-restricted-syntax').map((m) => m.line);
}

describe('no ambient time in the api (lint)', () => {
  it('refuses new Date() with no argument and Date.now, and allows a date built from a value', async () => {
    expect(await errors('apps/api/src/app/__lint-fixtures__/ambient-time.fixture.ts')).toEqual([2, 3, 4]);
  }, 60_000);

  it('passes the clock itself and code that reads the injected clock', async () => {
    for (const file of ['apps/api/src/app/clock.ts', 'apps/api/src/app/auth/access.guard.ts', 'apps/api/src/app/worklist/worklist-items.ts', 'apps/api/src/app/readings/manual-entry.ts']) {
      expect({ file, errors: await errors(file) }).toEqual({ file, errors: [] });
    }
  }, 60_000);
});
