import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DCLinter } from 'dclint';
import { parse } from 'yaml';
import { environmentProblems } from './homeward-environment';

const ROOT = resolve(__dirname, '..', '..');
const COMPOSE = join(ROOT, 'infra', 'compose', 'compose.yaml');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  secrets?: Array<{ source: string; target: string }>;
  ports?: string[];
  command?: string[];
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}

interface LintMessage {
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

/** dclint with every rule on; ports quoted with double quotes (the YAML style of this repo). */
function lint(path: string): Array<{ messages: LintMessage[]; errorCount: number; warningCount: number }> {
  const linter = new DCLinter({ rules: { 'require-quotes-in-ports': [2, { quoteType: 'double' }] }, quiet: false, debug: false, exclude: [] });
  return linter.lintFiles([path], false);
}

describe('compose file', () => {
  const compose = parse(readFileSync(COMPOSE, 'utf8')) as ComposeFile;

  it('validates against the Compose Specification schema and passes every dclint rule', () => {
    const [result] = lint(COMPOSE);
    expect(result?.messages.map((m) => `${m.line}: ${m.rule}: ${m.message}`)).toEqual([]);
    expect(result?.errorCount).toBe(0);
    expect(result?.warningCount).toBe(0);
  });

  it('the linter refuses a file the Compose schema does not allow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeward-compose-'));
    try {
      const bad = join(dir, 'compose.yaml');
      writeFileSync(bad, 'name: x\nservices:\n  api:\n    image: "nginx:1.27"\n    restart: sometimes-maybe\n    healthcheck: yes\n');
      const [result] = lint(bad);
      expect(result?.messages.map((m) => m.rule)).toContain('invalid-schema');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs TimescaleDB from the official image at a pinned version, and builds gateway, api and rules workers from this repository', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'gateway', 'rules', 'timescaledb']);
    expect(compose.services['timescaledb']?.image).toMatch(/^timescale\/timescaledb:\d+\.\d+\.\d+-pg\d+$/);
    for (const name of ['api', 'gateway', 'rules']) {
      const build = compose.services[name]?.build;
      expect(build && existsSync(join(dirname(COMPOSE), build.context, build.dockerfile))).toBe(true);
      expect(compose.services[name]?.healthcheck?.test.slice(0, 3)).toEqual(['CMD', 'node', 'infra/docker/healthcheck.cjs']);
    }
    expect(compose.services['rules']?.command).toEqual(['rules-worker']);
  });

  it('serves MQTT over TLS and HTTPS from mounted certificate files, and publishes nothing else', () => {
    const mounted = (service: string, path: string | undefined) => compose.services[service]?.secrets?.some((s) => s.target === path && compose.secrets[s.source] !== undefined);
    const gateway = compose.services['gateway']?.environment ?? {};
    expect(mounted('gateway', gateway['HOMEWARD_MQTT_TLS_CERT'])).toBe(true);
    expect(mounted('gateway', gateway['HOMEWARD_MQTT_TLS_KEY'])).toBe(true);
    const api = compose.services['api']?.environment ?? {};
    expect(mounted('api', api['HOMEWARD_HTTPS_CERT'])).toBe(true);
    expect(mounted('api', api['HOMEWARD_HTTPS_KEY'])).toBe(true);
    expect(compose.services['gateway']?.ports).toEqual([`0.0.0.0:${gateway['HOMEWARD_MQTT_TLS_PORT']}:${gateway['HOMEWARD_MQTT_TLS_PORT']}`]);
    expect(compose.services['api']?.ports).toEqual([`0.0.0.0:443:${api['HOMEWARD_API_PORT']}`]);
    expect(compose.services['rules']?.ports).toBeUndefined();
    expect(compose.services['timescaledb']?.ports).toBeUndefined();
  });

  it.each(['api', 'gateway', 'rules'])('gives %s an environment Homeward accepts', (name) => {
    const env = { ...(compose.services[name]?.environment ?? {}) };
    // ${DB_PASSWORD:?…} is filled in by compose from .env.
    for (const [key, value] of Object.entries(env)) env[key] = value.replace(/\$\{DB_PASSWORD:\?[^}]*\}/, 'secret');
    expect(environmentProblems(env)).toEqual([]);
    expect(env['DATABASE_URL']).toBe('postgresql://homeward:secret@timescaledb:5432/homeward');
  });
});
