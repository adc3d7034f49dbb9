import { useState } from 'preact/hooks';
import { ApiError, api, saveSession } from '../lib/api-client';
import type { Me, SignedIn } from '@homeward/contracts';

export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    if (!email || !password) {
      setError('Enter your email address and password.');
      return;
    }
    setBusy(true);
    try {
      const signed = await api<SignedIn>('POST', '/api/auth/sign-in', { email, password });
      saveSession({ token: signed.token, expiresAt: signed.expiresAt });
      onSignedIn(await api<Me>('GET', '/api/me'));
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'The email address or password is not right.'
          : caught instanceof ApiError && caught.status === 429
            ? 'Too many attempts. Wait a few minutes, then try again.'
            : `Could not sign in: ${caught instanceof Error ? caught.message : String(caught)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sign-in panel">
      <h1 tabIndex={-1}>Sign in to Homeward</h1>
      <div aria-live="assertive">{error && <p class="field-error" role="alert">{error}</p>}</div>
      <form onSubmit={submit} noValidate>
        <label for="email">Email address</label>
        <input id="email" name="email" type="email" autocomplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        <p>
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </p>
      </form>
    </div>
  );
}
