import { Body, Controller, HttpCode, HttpException, HttpStatus, Inject, Ip, Post, Req, UnauthorizedException } from '@nestjs/common';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { LoginRateLimiter, verifySecret } from '@homeward/auth';
import type { Storage } from '@homeward/storage';
import { STORAGE } from '../tokens';
import { Public, Roles } from './access.decorators';
import { hashSessionToken, newSessionToken } from './session-token';

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
  private readonly limiter = new LoginRateLimiter(5, 60_000);

  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Public()
  @Post('sign-in')
  @HttpCode(200)
  async signIn(@Body() body: SignInDto, @Ip() ip: string): Promise<{ token: string; expiresAt: string; user: { id: string; role: string; displayName: string } }> {
    const key = `${ip}|${body.email.toLowerCase()}`;
    if (this.limiter.isBlocked(ip) || this.limiter.isBlocked(key)) {
      throw new HttpException({ code: 'auth.rate-limited', message: 'Too many failed sign-ins; wait a minute and try again.' }, HttpStatus.TOO_MANY_REQUESTS);
    }
    const user = await this.storage.registry.userForSignIn(body.email);
    const valid = user?.passwordHash ? await verifySecret(body.password, user.passwordHash) : false;
    if (!user || !valid) {
      this.limiter.recordFailure(ip);
      this.limiter.recordFailure(key);
      throw new UnauthorizedException({ code: 'auth.bad-credentials', message: 'Wrong email or password.' });
    }
    const { token, hash } = newSessionToken();
    const expiresAt = new Date(Date.now() + SESSION_HOURS * 3_600_000);
    await this.storage.registry.createSession({ tokenHash: hash, userId: user.id, expiresAt, ip });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'session.create', subjectType: 'user', subjectId: user.id, ip });
    return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, role: user.role, displayName: user.displayName } };
  }

  @Roles('patient', 'nurse', 'clinician', 'admin')
  @Post('sign-out')
  @HttpCode(204)
  async signOut(@Req() request: { headers: Record<string, string | undefined> }): Promise<void> {
    const token = request.headers['authorization']?.slice(7).trim() ?? '';
    await this.storage.registry.endSession(hashSessionToken(token));
  }
}
