#!/usr/bin/env node
// `npm test`: lint, type-check and every Jest suite, then one summary. Each step runs even if an
// earlier one failed, so one run shows everything that is wrong.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, path) => join(root, 'node_modules', pkg, path);
const env = { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const results = [];

function step(name, args, options = {}) {
  const started = Date.now();
  process.stdout.write(`\n── ${name} ${'─'.repeat(Math.max(0, 60 - name.length))}\n`);
  const run = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit', ...options });
  const ok = run.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  return ok;
}

// The module-boundary rule reads Nx's project graph and skips itself when none is cached.
step('project graph', [bin('nx', 'dist/bin/nx.js'), 'show', 'projects']);
step('lint', [bin('eslint', 'bin/eslint.js'), '.', '--max-warnings', '0']);
step('type-check', [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
// The dashboard is browser code (DOM types, JSX): its own program, so DOM types never leak into Node code.
step('tsc dashboard', [bin('typescript', 'bin/tsc'), '-p', 'apps/dashboard/tsconfig.json', '--noEmit']);

const report = join(root, 'test-results', 'jest.json');
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });
// --experimental-vm-modules: PGlite (the TimescaleDB test back end) loads its WebAssembly
// bundle with a dynamic import, which Jest only allows in that mode.
step('jest', ['--experimental-vm-modules', bin('jest', 'bin/jest.js'), '--ci', '--maxWorkers=2', '--json', `--outputFile=${report}`, ...process.argv.slice(2)]);

let tests = { passed: 0, failed: 0, skipped: 0 };
try {
  const jest = JSON.parse(readFileSync(report, 'utf8'));
  tests = { passed: jest.numPassedTests, failed: jest.numFailedTests + jest.numRuntimeErrorTestSuites, skipped: jest.numPendingTests + jest.numTodoTests };
} catch {
  tests.failed += 1; // Jest wrote no report: it could not run at all
}

const checks = results.filter((r) => r.name !== 'jest');
const passed = tests.passed + checks.filter((r) => r.ok).length;
const failed = tests.failed + checks.filter((r) => !r.ok).length;
process.stdout.write('\n── summary ─────────────────────────────────────────────────\n');
for (const r of results) process.stdout.write(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name.padEnd(14)} ${r.seconds.toFixed(1)} s\n`);
process.stdout.write(`  jest tests: ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped; static checks: ${checks.filter((r) => r.ok).length}/${checks.length} passed\n`);
process.stdout.write(`homeward: ${passed} passed, ${failed} failed${tests.skipped ? `, ${tests.skipped} skipped` : ''}\n`);
process.exit(failed === 0 && results.every((r) => r.ok) ? 0 : 1);
