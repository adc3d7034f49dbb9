/** An error answer of the API: `{ statusCode, code, message }`; 400s carry one message per field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: readonly string[],
    readonly body: Readonly<Record<string, unknown>>,
  ) {
    super(messages.join(' ') || `HTTP ${status}`);
  }
}

const TOKEN_KEY = 'homeward.session';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
}

/** The bearer token lives in sessionStorage: it goes with the tab, not with the browser profile. */
export function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null') as Session | null;
    return session && Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called when the API says the session is no longer valid (401): the app shows sign-in. */
let onUnauthorised: () => void = () => undefined;
export function whenUnauthorised(handler: () => void): void {
  onUnauthorised = handler;
}
export function sessionEnded(): void {
  onUnauthorised();
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const session = loadSession();
  const response = await fetch(path, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(session ? { authorization: `Bearer ${session.token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { message: text };
  }
  if (!response.ok) {
    const error = (parsed ?? {}) as Record<string, unknown>;
    const message = error['message'];
    const messages = Array.isArray(message) ? message.map(String) : typeof message === 'string' ? [message] : [`The server answered ${response.status}.`];
    if (response.status === 401 && !path.endsWith('/sign-in')) sessionEnded();
    throw new ApiError(response.status, typeof error['code'] === 'string' ? error['code'] : `http.${response.status}`, messages, error);
  }
  return parsed as T;
}

/** Words for an error a person can act on. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.messages.join(' ');
  return error instanceof Error ? error.message : String(error);
}
