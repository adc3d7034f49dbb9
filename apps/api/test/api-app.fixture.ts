import type { INestApplication } from '@nestjs/common';
import { hashSecret } from '@homeward/auth';
import type { Alert, Role } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { type RealDatabase, realDatabase, uniqueName } from '@homeward/testing';
import { type ApiOptions, createApiApp, listenApi } from '../src';

/**
 * The api in this process, listening on a free port, on a real PostgreSQL (a scratch database on
 * DATABASE_URL's server, else an embedded one), with the rules engine running as in production.
 * `options` reach createApiApp: `{ clock }` gives the api a clock the test moves (ManualClock).
 */
export async function startApi(options: Omit<ApiOptions, 'storage'> = {}): Promise<{ url: string; storage: Storage; app: INestApplication; db: RealDatabase; close(): Promise<void> }> {
  const db = await realDatabase();
  const app = await createApiApp({ logLevel: 'error', ...options, storage: db.storage });
  const url = await listenApi(app, '127.0.0.1', 0);
  return { url, storage: db.storage, app, db, close: async () => (await app.close(), await db.dispose()) };
}

/** An open threshold alert raised straight in storage, as the rules engine would, at `at`. */
export async function raiseThresholdAlert(
  storage: Storage,
  alert: { patientId: string; wardId: string; at: Date; subject: string; explanation: string; latestValue: number; escalationDueAt?: Date | null },
): Promise<Alert> {
  const { at, ...rest } = alert;
  const raised = await storage.alerts.raise({
    ...rest,
    rule: 'threshold',
    severity: 'high',
    details: {},
    measuredAt: at,
    readingIds: [],
    evidenceReceivedAt: at,
    at,
    escalationDueAt: alert.escalationDueAt ?? null,
    nextReminderAt: null,
    by: { type: 'system', id: 'rules-engine' },
  });
  if (raised.kind !== 'raised') throw new Error(`expected a new alert, got ${raised.kind}`);
  return raised.alert;
}

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly token: string;
}

/** An account made straight in the registry, then signed in over HTTP like a browser would. */
export async function account(url: string, storage: Storage, role: Role, options: { wardIds?: string[]; patientId?: string } = {}): Promise<Account> {
  const email = `${uniqueName(role).replace(' ', '-')}@example.nhs.uk`;
  const password = `pw-${email}`;
  const user = await storage.registry.createUser({ email, displayName: uniqueName(role), role, passwordHash: await hashSecret(password) });
  for (const ward of options.wardIds ?? []) await storage.registry.addWardMember(ward, user.id);
  if (options.patientId) await storage.registry.linkPatientAccount(options.patientId, user.id);
  const response = await fetch(`${url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (response.status !== 200) throw new Error(`sign-in failed with ${response.status}`);
  return { id: user.id, email, token: ((await response.json()) as { token: string }).token };
}

/** A JSON request; answers the status and the parsed body (or the text when it is not JSON). */
export async function request<T = unknown>(url: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T };
}

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

/** Reads a server-sent event stream with a bearer token, as the dashboard does (fetch, not EventSource). */
export async function openStream(
  url: string,
  token: string,
): Promise<{ status: number; events: SseEvent[]; next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>; close(): void; ended: Promise<void> }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended: Promise<void> = Promise.resolve();
  if (response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    // Resolves when the server ends the response (or close() aborts it).
    ended = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
            const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.replace(/^data: ?/, '')).join('\n');
            events.push({ event, data: data ? JSON.parse(data) : null });
            for (const wake of waiters) wake();
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status,
    events,
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`no matching event in ${timeoutMs} ms; saw ${events.map((e) => e.event).join(', ')}`))), timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => controller.abort(),
    ended,
  };
}
