import { Inject, Injectable } from '@nestjs/common';
import { CodedFailure } from '@homeward/domain';
import { ConcurrencyLimit, ConcurrencyLimitFull, SignInThrottle, hashSecret, verifySecret } from '@homeward/auth';
import { type Storage, rateLimitStoreClient } from '@homeward/storage';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { newSessionToken } from './session-token';

const SESSION_HOURS = 12;

export interface PasswordSession {
  readonly token: string;
  readonly expiresAt: Date;
  readonly user: { readonly id: string; readonly role: string; readonly displayName: string };
}

/**
 * Password sign-in issuing an opaque session (12 h), shared by the JSON sign-in (a bearer token)
 * and the no-JavaScript entry form (an HttpOnly cookie): one throttle, one set of limits.
 * Refusals are CodedFailures (auth.bad-credentials, auth.rate-limited, auth.busy); `retryAfter`
 * is told the seconds to wait when there are some.
 */
@Injectable()
export class PasswordSignIn {
  /** Per account and per address, counted before any password is checked (libs/auth SignInThrottle). */
  private readonly throttle: SignInThrottle;
  /**
   * A flood of sign-ins must not starve clinical requests of database connections or cores, so
   * sign-in takes at most four of the pool's connections: two counting attempts (the limiter's
   * upserts; 256 more may wait, cheaply) and two looking an account up and checking its password
   * (one scrypt per core of the reference machine; 32 more may wait, holding no connection).
   * Beyond that a sign-in is turned away at once with 503 and Retry-After.
   */
  private readonly counting = new ConcurrencyLimit(2, 256);
  private readonly hashing = new ConcurrencyLimit(2, 32);
  /** Checked against when the email is unknown (or the account has no password), so both take the same scrypt work. */
  private readonly decoy = hashSecret(`decoy-${Math.random()}`);

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.throttle = new SignInThrottle(rateLimitStoreClient(storage.db), 'rest');
  }

  async signIn(email: string, password: string, ip: string, retryAfter: (seconds: number) => void): Promise<PasswordSession> {
    const busy = () => {
      retryAfter(1);
      return new CodedFailure({ code: 'auth.busy', message: 'Sign-in is busy; try again in a moment.' });
    };
    const admission = await this.counting.run(() => this.throttle.admit(email, ip)).catch((error: unknown) => {
      throw error instanceof ConcurrencyLimitFull ? busy() : error;
    });
    if (!admission.admitted) {
      retryAfter(admission.retryAfterSeconds);
      const message =
        admission.scope === 'account'
          ? 'Too many failed sign-ins for this account; wait and try again, or ask an administrator.'
          : 'Too many sign-in attempts from this network just now; wait a few seconds and try again.';
      throw new CodedFailure({ code: 'auth.rate-limited', message, details: { retryAfterSeconds: admission.retryAfterSeconds } });
    }
    let user: Awaited<ReturnType<Storage['registry']['userForSignIn']>>;
    let valid: boolean;
    try {
      [user, valid] = await this.hashing.run(async () => {
        const found = await this.storage.registry.userForSignIn(email);
        const hash = found?.passwordHash ?? (await this.decoy);
        return [found, (await verifySecret(password, hash)) && found?.passwordHash != null] as const;
      });
    } catch (error) {
      await admission.settle(true); // not a guess that was checked: give the points back
      throw error instanceof ConcurrencyLimitFull ? busy() : error;
    }
    await admission.settle(valid);
    if (!user || !valid) throw new CodedFailure({ code: 'auth.bad-credentials', message: 'Wrong email or password.' });
    const { token, hash } = newSessionToken();
    const expiresAt = new Date(this.clock.now().getTime() + SESSION_HOURS * 3_600_000);
    await this.storage.registry.createSession({ tokenHash: hash, userId: user.id, expiresAt, ip });
    return { token, expiresAt, user: { id: user.id, role: user.role, displayName: user.displayName } };
  }
}
