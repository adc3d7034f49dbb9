import { Body, Controller, HttpCode, Inject, Ip, Post, Req, Res } from '@nestjs/common';
import { CodedFailure } from '@homeward/domain';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { ConcurrencyLimit, ConcurrencyLimitFull, SignInThrottle, hashSecret, verifySecret } from '@homeward/auth';
import { type Storage, rateLimitStoreClient } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { STORAGE } from '../tokens';
import { CurrentUser, Public, Roles, type SignedInUser } from './access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { SessionEvents } from './session-events.service';
import { bearerToken, hashSessionToken, newSessionToken } from './session-token';

export class SignInDto {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

const SESSION_HOURS = 12;

/**
 * Password sign-in issuing an opaque bearer session (12 h). Built so an OIDC provider can take
 * over: it would create the same sessions after its own callback.
 */
@Controller('api/auth')
export class AuthController {
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
    private readonly sessions: SessionEvents,
  ) {
    this.throttle = new SignInThrottle(rateLimitStoreClient(storage.db), 'rest');
  }

  @Public()
  @Audited('session.create', 'user')
  @Refuses('auth.bad-credentials', 'auth.rate-limited', 'auth.busy')
  @Post('sign-in')
  @HttpCode(200)
  async signIn(
    @Body() body: SignInDto,
    @Ip() ip: string,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
    @Trail() trail: AuditTrail,
  ): Promise<{ token: string; expiresAt: string; user: { id: string; role: string; displayName: string } }> {
    const busy = () => {
      response.setHeader('retry-after', '1');
      return new CodedFailure({ code: 'auth.busy', message: 'Sign-in is busy; try again in a moment.' });
    };
    const admission = await this.counting.run(() => this.throttle.admit(body.email, ip)).catch((error: unknown) => {
      throw error instanceof ConcurrencyLimitFull ? busy() : error;
    });
    if (!admission.admitted) {
      response.setHeader('retry-after', String(admission.retryAfterSeconds));
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
        const found = await this.storage.registry.userForSignIn(body.email);
        const hash = found?.passwordHash ?? (await this.decoy);
        return [found, (await verifySecret(body.password, hash)) && found?.passwordHash != null] as const;
      });
    } catch (error) {
      await admission.settle(true); // not a guess that was checked: give the points back
      throw error instanceof ConcurrencyLimitFull ? busy() : error;
    }
    await admission.settle(valid);
    if (!user || !valid) throw new CodedFailure({ code: 'auth.bad-credentials', message: 'Wrong email or password.' });
    const { token, hash } = newSessionToken();
    const expiresAt = new Date(Date.now() + SESSION_HOURS * 3_600_000);
    await this.storage.registry.createSession({ tokenHash: hash, userId: user.id, expiresAt, ip });
    trail.by(user.id).about({ subjectId: user.id });
    return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, role: user.role, displayName: user.displayName } };
  }

  @Roles('patient', 'nurse', 'clinician', 'admin', 'carer')
  @Audited('session.end', 'user')
  @Post('sign-out')
  @HttpCode(204)
  async signOut(@Req() request: { headers: Record<string, string | undefined> }, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<void> {
    trail.about({ subjectId: user.id });
    const hash = hashSessionToken(bearerToken(request.headers));
    await this.storage.registry.endSession(hash);
    this.sessions.end(hash); // this session's live streams close now
  }
}
