import { routeOf } from './request-log.middleware';

describe('routeOf', () => {
  it('uses the matched route pattern, never the URL with its ids and query', () => {
    expect(routeOf({ method: 'GET', url: '/patients/5d7c4c0e-3a43-4d4a-9d51-2d4c1f1a7d10?q=Lovelace', baseUrl: '/api', route: { path: '/patients/:id' }, headers: {} })).toBe('/api/patients/:id');
  });

  it('keeps only the first segment of a path no route matched (404s, dashboard files), and no query', () => {
    expect(routeOf({ method: 'GET', url: '/api/patients/Lovelace/9434765919?nhs=9434765919', headers: {} })).toBe('/api/*');
    expect(routeOf({ method: 'GET', originalUrl: '/assets/app.js', url: '/app.js', headers: {} })).toBe('/assets/*');
    expect(routeOf({ method: 'GET', url: '/metrics', headers: {} })).toBe('/metrics');
    expect(routeOf({ method: 'GET', url: '/?q=x', headers: {} })).toBe('/');
  });
});
