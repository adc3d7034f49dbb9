import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildDashboard } from './dashboard-bundle';
import { dashboardHandler } from './serve-dashboard';

// The handler on a real HTTP server, with the real esbuild build of apps/dashboard.
describe('serving the dashboard', () => {
  let server: Server;
  let base: string;
  let builds = 0;

  beforeAll(async () => {
    const handler = dashboardHandler(() => {
      builds += 1;
      return buildDashboard();
    });
    server = createServer((request, response) => handler(request, response, () => response.writeHead(418).end('next')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('serves index.html for the app pages and the bundle by path, built once', async () => {
    const [home, page, script, styles] = await Promise.all(['/', '/patients/8b7f/enter?x=1', '/assets/main.js', '/assets/styles.css'].map((p) => fetch(`${base}${p}`)));
    expect(home?.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await home!.text();
    expect(html).toContain('<script type="module" src="/assets/main.js">');
    expect(await page!.text()).toBe(html); // the SPA fallback: the browser routes
    expect(script?.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await script!.text();
    expect(js.length).toBeGreaterThan(10_000);
    expect(js).not.toMatch(/UcumLhc/); // libs/domain's unit tables stay out of the browser
    expect(styles?.headers.get('content-type')).toMatch(/^text\/css/);
    expect(home?.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(builds).toBe(1);
  });

  it('sends the bundle gzipped to a browser that accepts it', async () => {
    const plain = await (await fetch(`${base}/assets/main.js`, { headers: { 'accept-encoding': 'identity' } })).text();
    const zipped = await fetch(`${base}/assets/main.js`, { headers: { 'accept-encoding': 'gzip, br' } }); // fetch inflates it
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(plain.length / 2);
    expect(await zipped.text()).toBe(plain);
  });

  it('claims only its own pages and files: /api, /fhir, /health, /metrics and the rest go to the API', async () => {
    for (const path of ['/api/worklist', '/api', '/fhir/Patient', '/health/ready', '/metrics', '/docs', '/patientsx']) expect((await fetch(`${base}${path}`)).status).toBe(418);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(418);
    for (const path of ['/sign-in', '/patients', '/alerts/5b1c', '/patients/5b1c/enter']) expect((await fetch(`${base}${path}`)).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers 404 for a missing file, not index.html', async () => {
    expect((await fetch(`${base}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/patients/%E0%A4%A`)).status).toBe(200); // a malformed escape is just a page path
  });
});
