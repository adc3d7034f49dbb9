import type { Database } from './database';

export const READINESS_TIMEOUT_MS = 1_500;

const inFlight = new WeakMap<Database, Promise<string | undefined>>();

/**
 * Why the database cannot serve now, or undefined when it answers; settles within `timeoutMs`
 * whatever the server does. A frozen server (SIGSTOP, a stalled disk) accepts the query and never
 * answers, so the probe is raced against a timer; only one probe per database is in flight, so
 * repeated health checks against a frozen server hold one pool connection, not one each.
 */
export async function checkDatabase(storage: { readonly db: Database; serverProblem?(): string | undefined }, timeoutMs = READINESS_TIMEOUT_MS): Promise<string | undefined> {
  const known = storage.serverProblem?.();
  if (known !== undefined) return known;
  let probe = inFlight.get(storage.db);
  if (!probe) {
    probe = storage.db.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)) || 'the database refused the connection',
    );
    const settled = probe.finally(() => inFlight.delete(storage.db));
    void settled;
    inFlight.set(storage.db, probe);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolveLate) => {
    timer = setTimeout(() => resolveLate(`the database did not answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}
