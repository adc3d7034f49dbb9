import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { CodedError } from '@homeward/domain';

/** The FHIR issue type (http://hl7.org/fhir/issue-type) an error becomes in an OperationOutcome. */
export type OutcomeIssueType = OperationOutcomeIssue['code'];

/** What one domain error is at the HTTP edge. */
export interface ErrorMapping {
  readonly status: number;
  readonly issue: OutcomeIssueType;
}

/**
 * The one answer the API gives for any error: a stable `code` to branch on, a `message` a person
 * can act on (a list, one per field, for input validation), the HTTP status repeated, and the
 * error's details beside them (`rejected`, `stored`, `advice`, `retryAfterSeconds`, `field`…).
 */
export interface ProblemBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string | readonly string[];
  readonly [detail: string]: unknown;
}

export interface Problem extends ErrorMapping {
  readonly body: ProblemBody;
}

/**
 * Domain error codes → HTTP status and OperationOutcome issue type: the only place either is decided
 * (issue 17). A key is a code (`patient.exists`), a family (`alert.*`) or an outcome shared by
 * families (`*.not-found`); an exact code wins over `*.suffix`, which wins over `prefix.*`.
 * Services throw `CodedFailure`s and storage translates database errors into them; the global
 * ProblemFilter (and the FHIR layer, through `problemOf`) answers with what this table says.
 */
export const ERROR_TABLE: Readonly<Record<string, ErrorMapping>> = {
  // Who you are.
  'auth.signed-out': { status: 401, issue: 'login' },
  'auth.session-expired': { status: 401, issue: 'login' },
  'auth.bad-credentials': { status: 401, issue: 'login' },
  // What you may do. A record of another ward is 404 (below), as if absent.
  'auth.role': { status: 403, issue: 'forbidden' },
  'auth.no-access-rule': { status: 403, issue: 'forbidden' },
  'auth.not-your-record': { status: 403, issue: 'forbidden' },
  'carer.no-record': { status: 403, issue: 'forbidden' },
  // The no-JavaScript entry form: a post without its page's token (another site's form, or a stale page).
  'entry-form.bad-token': { status: 403, issue: 'forbidden' },
  'entry-form.patients-only': { status: 403, issue: 'forbidden' },
  'carer.best-interest-needs-clinician': { status: 403, issue: 'forbidden' },
  'carer.not-linked': { status: 404, issue: 'not-found' },
  'carer.link-not-found': { status: 404, issue: 'not-found' },
  'auth.rate-limited': { status: 429, issue: 'throttled' },
  'auth.busy': { status: 503, issue: 'transient' },
  // Not there, or not on your wards.
  '*.not-found': { status: 404, issue: 'not-found' },
  'patient.not-on-a-ward': { status: 404, issue: 'not-found' },
  'route.not-found': { status: 404, issue: 'not-found' },
  // Already so, or changed meanwhile.
  '*.exists': { status: 409, issue: 'duplicate' },
  'patient.account-exists': { status: 409, issue: 'duplicate' },
  'patient.already-admitted': { status: 409, issue: 'conflict' },
  'patient.discharged': { status: 409, issue: 'conflict' },
  // Optimistic concurrency: the care plan changed since the editor loaded it.
  'care-plan.stale': { status: 409, issue: 'conflict' },
  // The alert state machine refused the step (libs/domain alert.ts): say why.
  'alert.*': { status: 409, issue: 'conflict' },
  // The system-alert state machine refused the step (libs/domain system-alert.ts).
  'system-alert.*': { status: 409, issue: 'conflict' },
  'carer.already-linked': { status: 409, issue: 'duplicate' },
  'carer.account-not-carer': { status: 422, issue: 'business-rule' },
  'phone-number.in-use': { status: 409, issue: 'conflict' },
  // Input the request itself gets wrong.
  'input.*': { status: 400, issue: 'invalid' },
  'input.too-large': { status: 413, issue: 'too-costly' },
  'input.unsupported-encoding': { status: 415, issue: 'not-supported' },
  'range.*': { status: 400, issue: 'invalid' },
  'analytics.*': { status: 400, issue: 'invalid' },
  'backtest.*': { status: 400, issue: 'invalid' },
  'page.bad-cursor': { status: 400, issue: 'invalid' },
  'audit.limit': { status: 400, issue: 'invalid' },
  'rejected-messages.limit': { status: 400, issue: 'invalid' },
  'alert.assignee-not-on-ward': { status: 400, issue: 'invalid' },
  'worklist.assignee-missing': { status: 400, issue: 'required' },
  'escalation-contact.stream-has-url': { status: 400, issue: 'invalid' },
  'escalation-contact.url-insecure': { status: 400, issue: 'invalid' },
  'ward.member-role': { status: 400, issue: 'invalid' },
  'user.ward-required': { status: 400, issue: 'required' },
  'user.patient-required': { status: 400, issue: 'required' },
  'user.patient-not-allowed': { status: 400, issue: 'invalid' },
  'password.*': { status: 400, issue: 'invalid' },
  'nhs-number.*': { status: 400, issue: 'invalid' },
  // Well-formed, but not something the clinical rules can take as written.
  'care-plan.invalid': { status: 422, issue: 'business-rule' },
  'reading.*': { status: 422, issue: 'business-rule' },
  'unit.*': { status: 422, issue: 'business-rule' },
  'news2.*': { status: 422, issue: 'business-rule' },
  'payload.*': { status: 422, issue: 'invalid' },
  // FHIR refusals (apps/api/src/app/fhir, fhirFailure): the code sets the status, the OperationOutcome lists each issue.
  'fhir.unreadable': { status: 400, issue: 'invalid' },
  'fhir.not-a-resource': { status: 400, issue: 'structure' },
  'fhir.search-invalid': { status: 400, issue: 'invalid' },
  'fhir.search-patient': { status: 400, issue: 'required' },
  'fhir.invalid': { status: 422, issue: 'processing' },
  'fhir.condition-ambiguous': { status: 412, issue: 'multiple-matches' },
  'fhir.operation-unknown': { status: 404, issue: 'not-supported' },
  'fhir.resource-not-supported': { status: 404, issue: 'not-supported' },
  'fhir.interaction-not-supported': { status: 405, issue: 'not-supported' },
  'fhir.content-type': { status: 415, issue: 'not-supported' },
  'fhir.too-large': { status: 413, issue: 'too-costly' },
  // Ours.
  internal: { status: 500, issue: 'exception' },
};

/** A coded refusal no row names: understood, not done. A test keeps every code the API throws in the table. */
const UNLISTED: ErrorMapping = { status: 422, issue: 'processing' };

/** What the table says for one code. */
export function mappingOf(code: string): ErrorMapping {
  const exact = ERROR_TABLE[code];
  if (exact) return exact;
  const dot = code.lastIndexOf('.');
  const bySuffix = dot >= 0 ? ERROR_TABLE[`*${code.slice(dot)}`] : undefined;
  if (bySuffix) return bySuffix;
  for (let end = code.lastIndexOf('.'); end > 0; end = code.lastIndexOf('.', end - 1)) {
    const byFamily = ERROR_TABLE[`${code.slice(0, end)}.*`];
    if (byFamily) return byFamily;
  }
  return UNLISTED;
}

/** Whether the table names this code (exactly or by family), rather than falling back. */
export function isMapped(code: string): boolean {
  return mappingOf(code) !== UNLISTED;
}

/** A domain error as the API answers it: status, problem body and OperationOutcome issue type. */
export function problemOf(error: CodedError): Problem {
  const mapping = mappingOf(error.code);
  // One message per field (fieldFailure in @homeward/domain) is answered as the list, like validation's.
  const { messages, ...details } = error.details ?? {};
  const message = Array.isArray(messages) ? (messages as string[]) : error.message;
  return { ...mapping, body: { ...details, statusCode: mapping.status, code: error.code, message } };
}

/**
 * Errors the framework raises before our code runs (route matching, the validation pipe, parse
 * pipes) carry a status but no code: the code they stand for, by status.
 */
const FRAMEWORK_CODES: Readonly<Record<number, string>> = {
  400: 'input.invalid',
  404: 'route.not-found',
  405: 'route.method-not-allowed',
  413: 'input.too-large',
  415: 'input.unsupported-encoding',
};

/**
 * An error that already has an HTTP status (a framework exception, or one built from this table),
 * as a problem body: its own code and details when it has them, else the code for its status.
 */
export function problemOfStatus(status: number, response: unknown, fallbackMessage: string): Problem {
  const given = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
  const code = typeof given['code'] === 'string' ? given['code'] : (FRAMEWORK_CODES[status] ?? `http.${status}`);
  const message = typeof given['message'] === 'string' || Array.isArray(given['message']) ? (given['message'] as string | string[]) : typeof response === 'string' ? response : fallbackMessage;
  const details = { ...given };
  delete details['error']; // Nest's reason phrase ("Bad Request"): the status says it
  return { status, issue: status >= 500 ? 'exception' : mappingOf(code).issue, body: { ...details, statusCode: status, code, message } };
}

/** Anything else thrown: a fault of ours, told without its internals. */
export const INTERNAL_PROBLEM: Problem = problemOf({ code: 'internal', message: 'Something went wrong on our side; try again, and tell us if it persists.' });
