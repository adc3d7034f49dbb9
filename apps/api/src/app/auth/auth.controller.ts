import { Body, Controller, HttpCode, Inject, Ip, Post, Req, Res } from '@nestjs/common';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import type { Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { STORAGE } from '../tokens';
import { CurrentUser, Public, Roles, type SignedInUser } from './access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { SessionEvents } from './session-events.service';
import { bearerToken, hashSessionToken } from './session-token';
import { PasswordSignIn } from './password-sign-in.service';
import { Answers } from '../http/answer-schemas';
import { SIGNED_IN } from './auth.answers';

export class SignInDto {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

/**
 * Password sign-in issuing an opaque bearer session (12 h; PasswordSignIn). Built so an OIDC
 * provider can take over: it would create the same sessions after its own callback.
 */
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly sessions: SessionEvents,
    private readonly passwords: PasswordSignIn,
  ) {}

  @Public()
  @Audited('session.create', 'user')
  @Refuses('auth.bad-credentials', 'auth.rate-limited', 'auth.busy')
  @Answers(SIGNED_IN)
  @Post('sign-in')
  @HttpCode(200)
  async signIn(
    @Body() body: SignInDto,
    @Ip() ip: string,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
    @Trail() trail: AuditTrail,
  ): Promise<{ token: string; expiresAt: string; user: { id: string; role: string; displayName: string } }> {
    const session = await this.passwords.signIn(body.email, body.password, ip, (seconds) => response.setHeader('retry-after', String(seconds)));
    trail.by(session.user.id).about({ subjectId: session.user.id });
    return { token: session.token, expiresAt: session.expiresAt.toISOString(), user: session.user };
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
