import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RealDatabase, realDatabase } from '@homeward/testing';
import { createApiApp, listenApi } from '../src';
import { account, startApi } from './api-app.fixture';

/** Issue 17, "Headers": what every answer carries, over HTTP and over HTTPS served by the api itself. */
describe('HTTP headers and the not-found page', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  beforeAll(async () => {
    api = await startApi();
  }, 120_000);
  afterAll(async () => api?.close());

  it('marks authenticated patient data no-store, sends a referrer policy and no X-Powered-By', async () => {
    const admin = await account(api.url, api.storage, 'admin');
    const response = await fetch(`${api.url}/api/patients`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('strict-transport-security')).toBeNull(); // plain HTTP: a proxy in front owns TLS
    // Refusals too: a 401 must not be cached either.
    const refused = await fetch(`${api.url}/api/patients`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps the dashboard files cacheable with revalidation (they hold no patient data)', async () => {
    const page = await fetch(`${api.url}/sign-in`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-powered-by')).toBeNull();
  });

  it('answers an unknown address asked for by a browser with an HTML page and a way back, and the API with JSON', async () => {
    const html = await fetch(`${api.url}/no-such-page`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const body = await html.text();
    expect(body).toContain('<h1>Page not found</h1>');
    expect(body).toContain('<a href="/">Go to the worklist</a>');
    expect(html.headers.get('cache-control')).toBe('no-store');

    const json = await fetch(`${api.url}/api/no-such-endpoint`, { headers: { accept: 'text/html' } });
    expect(json.status).toBe(404);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const script = await fetch(`${api.url}/no-such-page`, { headers: { accept: 'application/json' } });
    expect(script.status).toBe(404);
    expect(script.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('HSTS when the api serves HTTPS itself', () => {
  let db: RealDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await realDatabase();
    dir = mkdtempSync(join(tmpdir(), 'homeward-hsts-'));
  }, 120_000);
  afterAll(async () => {
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends Strict-Transport-Security for a year, subdomains included', async () => {
    const [key, cert] = [join(dir, 'api.key'), join(dir, 'api.crt')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const app = await createApiApp({ storage: db.storage, logLevel: 'error', https: { certFile: cert, keyFile: key } });
    try {
      const url = await listenApi(app, '127.0.0.1', 0);
      expect(url).toMatch(/^https:/);
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        const call = httpsRequest(`${url}/health/live`, { ca: readFileSync(cert), timeout: 5_000 }, (response) => {
          response.resume();
          resolve(response.headers);
        });
        call.on('error', reject);
        call.end();
      });
      expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(headers['x-powered-by']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
