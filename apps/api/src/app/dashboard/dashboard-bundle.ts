import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Plugin, build } from 'esbuild';

/** apps/dashboard, found from this file (apps/api/src/app/dashboard). */
export const DASHBOARD_ROOT = resolve(__dirname, '..', '..', '..', '..', 'dashboard');

export interface DashboardFile {
  readonly body: Buffer;
  /** The same bytes gzipped once at build time (the bundle is ~300 kB, ~100 kB gzipped: it matters on a phone). */
  readonly gzipped: Buffer;
  readonly contentType: string;
}

/** The built dashboard: URL path → file. */
export type DashboardBundle = ReadonlyMap<string, DashboardFile>;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * libs/domain is pure (no module-level side effects), but its package does not say so; without
 * that, importing a vital name would pull NLM's UCUM tables (250 kB) into the browser bundle
 * through units.ts. Marking its modules side-effect free lets esbuild drop what is unused.
 */
const pureDomain: Plugin = {
  name: 'homeward-pure-domain',
  setup(builder) {
    const domainRoot = resolve(DASHBOARD_ROOT, '..', '..', 'libs', 'domain', 'src');
    builder.onResolve({ filter: /^@homeward\/domain$/ }, () => ({ path: join(domainRoot, 'index.ts'), sideEffects: false }));
    builder.onResolve({ filter: /^\.\.?\// }, (args) =>
      // "./lib/device-time.policy" has a dot in its name but no file extension: only a real one is kept.
      args.importer.startsWith(domainRoot) ? { path: `${resolve(args.resolveDir, args.path)}${/\.(?:ts|tsx|js|json)$/.test(args.path) ? '' : '.ts'}`, sideEffects: false } : undefined,
    );
  },
};

/**
 * Builds the dashboard in memory with esbuild (a few hundred ms), so a fresh clone needs no
 * separate build step: `npx homeward start` serves what is in apps/dashboard/src right now.
 */
export async function buildDashboard(root = DASHBOARD_ROOT): Promise<DashboardBundle> {
  const result = await build({
    absWorkingDir: resolve(root, '..', '..'),
    entryPoints: { main: join(root, 'src', 'main.tsx'), styles: join(root, 'src', 'styles.css') },
    bundle: true,
    write: false,
    outdir: '/assets',
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    tsconfig: join(root, 'tsconfig.json'),
    plugins: [pureDomain],
    logLevel: 'silent',
  });
  const files = new Map<string, DashboardFile>();
  for (const file of result.outputFiles) {
    files.set(file.path, packed(Buffer.from(file.contents), CONTENT_TYPES[extname(file.path)] ?? 'application/octet-stream'));
  }
  files.set('/index.html', packed(await readFile(join(root, 'src', 'index.html')), CONTENT_TYPES['.html'] as string));
  return files;
}

function packed(body: Buffer, contentType: string): DashboardFile {
  return { body, gzipped: gzipSync(body), contentType };
}
