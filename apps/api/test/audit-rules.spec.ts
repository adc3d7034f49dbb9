import { AUDIT, NOT_AUDITED } from '../src/app/audit/audit.decorators';
import { appRoutes } from '../src/app/http/app-routes';
import { startApi } from './api-app.fixture';

/**
 * Issue 17: audit is written by one interceptor from route metadata, so a new endpoint cannot
 * forget it. Every route the running app serves (found through Nest's own module container, and
 * checked against the HTTP server's routing table) must say @Audited(action, subject) or
 * @NotAudited(reason).
 */

/** Controllers whose owner has yet to move their hand-written audit onto @Audited (see the report of issue 17). */
const AWAITING_OWNER: Readonly<Record<string, string>> = {};

interface Route {
  readonly controller: string;
  readonly handler: string;
  readonly method: string;
  readonly path: string;
  readonly audited: boolean;
}

describe('every route has an audit rule', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let routes: Route[];
  let served: Set<string>;

  beforeAll(async () => {
    api = await startApi();
    routes = appRoutes(api.app).map((r) => ({
      controller: r.controller.name,
      handler: r.handlerName,
      method: r.method,
      path: r.path,
      audited: [AUDIT, NOT_AUDITED].some((key) => Reflect.getMetadata(key, r.handler) !== undefined || Reflect.getMetadata(key, r.controller) !== undefined),
    }));
    // The HTTP server's own table: what the app really answers.
    const router = (api.app.getHttpAdapter().getInstance() as { router?: { stack: unknown[] }; _router?: { stack: unknown[] } });
    const stack = (router.router ?? router._router)?.stack ?? [];
    served = new Set(
      stack.flatMap((layer) => {
        const route = (layer as { route?: { path: string; methods: Record<string, boolean> } }).route;
        if (!route) return [];
        // Express 5 registers @All('*') once per method on `…/{*path}`: one ALL route to Nest.
        if (/\{\*\w+\}$/.test(route.path)) return [`ALL ${route.path.replace(/\{\*\w+\}$/, '*')}`];
        return Object.keys(route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${route.path}`);
      }),
    );
  }, 60_000);
  afterAll(async () => api?.close());

  it('finds the whole API, and each route it finds is one the server serves', () => {
    expect(routes.length).toBeGreaterThan(45);
    const key = (r: Route) => `${r.method} ${r.path}`;
    expect(routes.map(key).filter((k) => !served.has(k))).toEqual([]);
    // …and nothing the server routes under the API's paths escaped the enumeration.
    const found = new Set(routes.map(key));
    expect([...served].filter((k) => /^\w+ \/(api|fhir|health|metrics)\b/.test(k) && !/\/api\/docs/.test(k) && !found.has(k))).toEqual([]);
  });

  it('has no route without @Audited or @NotAudited', () => {
    const missing = routes.filter((r) => !r.audited && !(r.controller in AWAITING_OWNER)).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`);
    expect(missing).toEqual([]);
  });

  it('lists as awaiting their owner only controllers that still have no rule', () => {
    // Once the FHIR routes carry @Audited, this fails until the exemption above is removed.
    for (const controller of Object.keys(AWAITING_OWNER)) {
      const own = routes.filter((r) => r.controller === controller);
      expect({ controller, routes: own.length, withRule: own.filter((r) => r.audited).length }).toEqual({ controller, routes: own.length, withRule: 0 });
      expect(own.length).toBeGreaterThan(0);
    }
  });
});
