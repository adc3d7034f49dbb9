import { randomUUID } from 'node:crypto';
import { runHomeward } from './homeward-process';

/** An account made with `homeward user add`, signed in over HTTP. */
export async function signedInAccount(api: string, databaseUrl: string, args: string[]): Promise<{ id: string; token: string }> {
  const email = `${randomUUID().slice(0, 8)}@example.nhs.uk`;
  const run = runHomeward(['user', 'add', '--email', email, '--name', 'Test Person', ...args], { DATABASE_URL: databaseUrl });
  if ((await run.exited) !== 0) throw new Error(`homeward user add failed: ${run.stderr()}`);
  const { user, password } = JSON.parse(run.stdout()) as { user: { id: string }; password: string };
  const response = await signIn(api, email, password);
  if (response.status !== 200) throw new Error(`sign-in failed with ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return { id: user.id, token };
}

export function signIn(api: string, email: string, password: string): Promise<Response> {
  return fetch(`${api}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
}

/** A JSON request with a bearer token. */
export function call(api: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
