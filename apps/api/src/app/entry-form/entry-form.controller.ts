import { Body, Controller, Get, HttpCode, Inject, Ip, Post, Req, Res } from '@nestjs/common';
import { CodedFailure } from '@homeward/domain';
import { type IngestPipeline, PatientAdvisor } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, NotAudited, Trail } from '../audit/audit.decorators';
import { PasswordSignIn } from '../auth/password-sign-in.service';
import { hashSessionToken } from '../auth/session-token';
import { mappingOf } from '../http/error-table';
import { submitManualReadings } from '../readings/manual-entry';
import type { Clock } from '../clock';
import { CLOCK, INGEST, STORAGE } from '../tokens';
import { parseEntryForm } from './entry-fields';
import { ENTRY_PAGE_CSP, ENTRY_STYLESHEET, messagePage, readingsPage, signInPage } from './entry-pages.html';
import { ENTRY_PATH, PRE_SESSION_COOKIE, SESSION_COOKIE, cookieHeader, formToken, formTokenMatches, newPreSessionKey, parseCookies } from './form-session';

interface FormRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly secure?: boolean;
}
interface FormResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string | string[]): unknown;
}
type FormBody = Readonly<Record<string, unknown>>;

const SESSION_SECONDS = 12 * 3600;
const PRE_SESSION_SECONDS = 3600;
const BAD_TOKEN = 'This page was out of date. Please try again.';

/**
 * The patient's reading entry without JavaScript (issue 22 item 4), at /enter: server-rendered
 * HTML forms posted as application/x-www-form-urlencoded, signed in by an HttpOnly cookie for these
 * pages only, each form carrying its CSRF token (form-session.ts). The readings go through the same
 * ingest pipeline and PatientAdvisor as the dashboard's entry page (POST /api/patients/{id}/readings),
 * which links here for anyone without JavaScript. No script on these pages: the CSP says so.
 *
 * The routes are @Public for the access guard (it reads bearer tokens); each checks the cookie itself.
 * A post with no form body, or a JSON one, is read as an empty form (never a 500).
 */
@ApiExcludeController() // HTML pages for people, not part of the JSON API's document
@Controller(ENTRY_PATH.slice(1))
export class EntryFormController {
  private readonly advisor: PatientAdvisor;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(INGEST) private readonly ingest: IngestPipeline,
    private readonly passwords: PasswordSignIn,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.advisor = new PatientAdvisor(storage.registry);
  }

  @Public()
  @NotAudited('the stylesheet of the entry form: no patient data')
  @Get('style.css')
  style(@Res({ passthrough: true }) response: FormResponse): string {
    response.setHeader('content-type', 'text/css; charset=utf-8');
    response.setHeader('cache-control', 'no-cache');
    return ENTRY_STYLESHEET;
  }

  @Public()
  @NotAudited('an empty form: the sign-in, or the reading form of the patient signed in (their name only)')
  @Get()
  async form(@Req() request: FormRequest, @Res({ passthrough: true }) response: FormResponse): Promise<string> {
    const session = await this.session(request);
    if (session) return this.html(response, 200, this.readingsPage(session));
    return this.html(response, 200, signInPage({ csrf: formToken(this.preSessionKey(request, response), 'sign-in') }));
  }

  @Public()
  @Audited('session.create', 'user')
  @Post('sign-in')
  @HttpCode(303)
  async signIn(@Body() posted: unknown, @Ip() ip: string, @Req() request: FormRequest, @Res({ passthrough: true }) response: FormResponse, @Trail() trail: AuditTrail): Promise<string> {
    const body = formOf(posted);
    const email = typeof body['email'] === 'string' ? body['email'].trim().slice(0, 254) : '';
    const password = typeof body['password'] === 'string' ? body['password'].slice(0, 256) : '';
    const again = (code: string, error: string) => this.html(response, mappingOf(code).status, signInPage({ csrf: formToken(this.preSessionKey(request, response), 'sign-in'), email, error }));
    if (!formTokenMatches(parseCookies(header(request, 'cookie'))[PRE_SESSION_COOKIE], 'sign-in', body['csrf'])) return again('entry-form.bad-token', BAD_TOKEN);
    if (!email || !password) return again('auth.bad-credentials', 'Enter your email address and password.');
    let signedIn: Awaited<ReturnType<PasswordSignIn['signIn']>>;
    try {
      signedIn = await this.passwords.signIn(email, password, ip, (seconds) => response.setHeader('retry-after', String(seconds)));
    } catch (error) {
      if (error instanceof CodedFailure) return again(error.error.code, error.error.code === 'auth.bad-credentials' ? 'The email address or password is not right. Check them and try again.' : error.message);
      throw error;
    }
    trail.by(signedIn.user.id).about({ subjectId: signedIn.user.id });
    const user = await this.storage.registry.sessionUser(hashSessionToken(signedIn.token), this.clock.now());
    if (!user || user.role !== 'patient' || !user.patientId) {
      await this.storage.registry.endSession(hashSessionToken(signedIn.token));
      return again('entry-form.patients-only', 'This simple form is for patients. Staff and carers, please use the Homeward dashboard.');
    }
    response.setHeader('set-cookie', [
      cookieHeader(SESSION_COOKIE, signedIn.token, { secure: Boolean(request.secure), maxAgeSeconds: SESSION_SECONDS }),
      cookieHeader(PRE_SESSION_COOKIE, '', { secure: Boolean(request.secure), maxAgeSeconds: 0 }),
    ]);
    response.setHeader('location', ENTRY_PATH);
    return '';
  }

  @Public()
  @Audited('reading.create', 'patient')
  @Post('readings')
  @HttpCode(200)
  async readings(@Body() posted: unknown, @Req() request: FormRequest, @Res({ passthrough: true }) response: FormResponse, @Trail() trail: AuditTrail): Promise<string> {
    const body = formOf(posted);
    const session = await this.session(request);
    if (!session) return this.signedOut(request, response);
    const patientId = session.user.patientId as string;
    trail.by(session.user.id).about({ subjectId: patientId, patientId });
    const parsed = parseEntryForm(body);
    if (!formTokenMatches(session.token, `readings:${patientId}`, body['csrf'])) {
      return this.html(response, mappingOf('entry-form.bad-token').status, this.readingsPage(session, { values: parsed.values, errors: { '': BAD_TOKEN } }));
    }
    if (Object.keys(parsed.errors).length > 0) return this.html(response, mappingOf('input.invalid').status, this.readingsPage(session, { values: parsed.values, errors: parsed.errors }));
    const measuredAt = this.clock.now();
    const { outcome, advice } = await submitManualReadings(
      this.ingest,
      this.advisor,
      patientId,
      parsed.readings.map((r) => ({ vital: r.field.vital, value: r.value, unit: r.field.unit, measuredAt })),
      { payload: new TextEncoder().encode(JSON.stringify(parsed.values)), topic: `form:${ENTRY_PATH}/readings`, receivedAt: measuredAt },
    );
    trail.effective().with({ stored: outcome.stored.length, duplicates: outcome.duplicates.length, rejected: outcome.rejected.length, form: 'no-javascript' });
    const refused = new Set(outcome.rejected.map((r) => r.index));
    const saved = parsed.readings.filter((_, i) => !refused.has(i)).map((r) => `${r.field.label.split(',')[0]} ${r.value}`);
    if (outcome.rejected.length > 0) {
      // Each refusal at its field; what was stored stays stored (resending it is a harmless duplicate).
      const errors = Object.fromEntries(
        outcome.rejected.map((r) => {
          const field = r.index === null ? undefined : parsed.readings[r.index]?.field;
          return [field?.name ?? '', `${field?.label.split(',')[0] ?? 'A reading'} was not saved: ${r.error.message}`];
        }),
      );
      return this.html(response, mappingOf(outcome.rejected[0]?.error.code ?? 'reading.rejected').status, this.readingsPage(session, { values: parsed.values, errors, ...(saved.length ? { saved: `Saved: ${saved.join(', ')}.` } : {}), ...(advice ? { advice: advice.message } : {}) }));
    }
    return this.html(response, 200, this.readingsPage(session, { saved: `Saved: ${saved.join(', ')}.${advice ? '' : ' Thank you.'}`, ...(advice ? { advice: advice.message } : {}) }));
  }

  @Public()
  @Audited('session.end', 'user')
  @Post('sign-out')
  @HttpCode(303)
  async signOut(@Body() posted: unknown, @Req() request: FormRequest, @Res({ passthrough: true }) response: FormResponse, @Trail() trail: AuditTrail): Promise<string> {
    const body = formOf(posted);
    const session = await this.session(request);
    if (session && formTokenMatches(session.token, 'sign-out', body['csrf'])) {
      trail.by(session.user.id).about({ subjectId: session.user.id });
      await this.storage.registry.endSession(hashSessionToken(session.token));
    }
    response.setHeader('set-cookie', cookieHeader(SESSION_COOKIE, '', { secure: Boolean(request.secure), maxAgeSeconds: 0 }));
    response.setHeader('location', ENTRY_PATH);
    return '';
  }

  /** The signed-in patient of the session cookie, or undefined (none, expired, ended, or not a patient). */
  private async session(request: FormRequest): Promise<{ token: string; user: SignedInUser } | undefined> {
    const token = parseCookies(header(request, 'cookie'))[SESSION_COOKIE];
    if (!token) return undefined;
    const user = await this.storage.registry.sessionUser(hashSessionToken(token), this.clock.now());
    return user && user.role === 'patient' && user.patientId ? { token, user } : undefined;
  }

  private readingsPage(session: { token: string; user: SignedInUser }, extra: Omit<Parameters<typeof readingsPage>[0], 'name' | 'csrf' | 'signOutCsrf'> = {}): string {
    return readingsPage({ name: session.user.displayName, csrf: formToken(session.token, `readings:${session.user.patientId}`), signOutCsrf: formToken(session.token, 'sign-out'), ...extra });
  }

  private signedOut(request: FormRequest, response: FormResponse): string {
    response.setHeader('set-cookie', cookieHeader(SESSION_COOKIE, '', { secure: Boolean(request.secure), maxAgeSeconds: 0 }));
    return this.html(response, mappingOf('auth.session-expired').status, messagePage('Please sign in again', 'You were signed out, so your readings were not sent. Sign in and enter them again.', { href: ENTRY_PATH, text: 'Sign in' }));
  }

  /** The pre-session key of the sign-in form: the cookie's, or a new one set now. */
  private preSessionKey(request: FormRequest, response: FormResponse): string {
    const existing = parseCookies(header(request, 'cookie'))[PRE_SESSION_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
    const key = newPreSessionKey();
    response.setHeader('set-cookie', cookieHeader(PRE_SESSION_COOKIE, key, { secure: Boolean(request.secure), maxAgeSeconds: PRE_SESSION_SECONDS }));
    return key;
  }

  private html(response: FormResponse, status: number, body: string): string {
    response.status(status);
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.setHeader('content-security-policy', ENTRY_PAGE_CSP);
    return body;
  }
}

function formOf(posted: unknown): FormBody {
  return typeof posted === 'object' && posted !== null && !Array.isArray(posted) ? (posted as FormBody) : {};
}

function header(request: FormRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join('; ') : value;
}
