import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { findUnsafeValue } from '@homeward/contracts';
import { FHIR_JSON, type FhirProblem, operationOutcome, problem } from '@homeward/fhir';
import { FHIR_BODY_LIMIT_BYTES, MAX_INPUT_DEPTH, UNSAFE_INPUT_PROBLEMS } from '../http/strict-input.middleware';

/** What the FHIR endpoints need of Express's request and response (no @types/express here). */
export interface FhirRequest extends AsyncIterable<Buffer | string> {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly originalUrl?: string;
  readonly url: string;
  readonly protocol?: string;
  readonly method?: string;
  readonly body?: unknown;
  readonly readableEnded?: boolean;
}

export interface FhirResponse {
  status(code: number): FhirResponse;
  setHeader(name: string, value: string): unknown;
  send(body: string): unknown;
}

/** A FHIR error as an HTTP exception whose body is the OperationOutcome. */
export class FhirProblemException extends HttpException {
  constructor(problems: readonly FhirProblem[], status: number = HttpStatus.UNPROCESSABLE_ENTITY) {
    super(operationOutcome(problems), status);
  }
}

/**
 * The request body, as bytes (kept as they came, for rejected_messages) and as JSON. Read here for
 * `application/fhir+json` and `application/json` alike (no body parser runs under /fhir), so both
 * get the same limit, the same OperationOutcomes, and a body that cannot be read is kept too: it
 * comes back as an UnreadableBody for the caller to record before refusing.
 */
export async function readFhirBody(request: FhirRequest): Promise<{ raw: Uint8Array; json: unknown }> {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== FHIR_JSON && type !== 'application/json') {
    throw new FhirProblemException([problem('fhir.content-type', `Send the resource as ${FHIR_JSON} (or application/json); got "${type || 'no content type'}".`, 'Resource', 'structure')], HttpStatus.UNSUPPORTED_MEDIA_TYPE);
  }
  const tooLarge = new FhirProblemException([problem('fhir.too-large', `The body is larger than ${FHIR_BODY_LIMIT_BYTES} bytes; split the Bundle.`, 'Resource', 'too-costly')], HttpStatus.PAYLOAD_TOO_LARGE);
  // Not kept: past the limit is exactly what must not be stored. Refused from Content-Length when it says so.
  if (Number(request.headers['content-length'] ?? 0) > FHIR_BODY_LIMIT_BYTES) throw tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > FHIR_BODY_LIMIT_BYTES) throw tooLarge;
    chunks.push(bytes);
  }
  const raw = new Uint8Array(Buffer.concat(chunks));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { raw, json: new UnreadableBody([problem('input.not-utf8', 'The body is not UTF-8 text.', 'Resource', 'invalid')]) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { raw, json: new UnreadableBody([problem('fhir.invalid-json', `The body is not JSON: ${reason}`, 'Resource', 'structure')]) };
  }
  // The same refusals the API's body parsers make for JSON elsewhere (strict-input.middleware).
  const unsafe = findUnsafeValue(json, MAX_INPUT_DEPTH, 'body');
  if (unsafe) return { raw, json: new UnreadableBody([problem(`input.${unsafe.problem}`, `${unsafe.path}: ${UNSAFE_INPUT_PROBLEMS[unsafe.problem]}.`, unsafe.path, 'invalid')]) };
  return { raw, json };
}

/** A body that could not be read as JSON (not UTF-8, not JSON, unsafe): kept in rejected_messages, then refused. */
export class UnreadableBody {
  readonly status = HttpStatus.BAD_REQUEST;
  constructor(readonly problems: FhirProblem[]) {}
}

const ISSUE_TYPE: Record<number, OperationOutcomeIssue['code']> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  422: 'processing',
  429: 'throttled',
};

/**
 * Every answer of the FHIR endpoints is FHIR: errors (including sign-in and role refusals from
 * the guard, and ward isolation's 404) become an OperationOutcome, served as application/fhir+json.
 */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('FHIR');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FhirResponse>();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let outcome: OperationOutcome;
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && (body as { resourceType?: string }).resourceType === 'OperationOutcome') {
        outcome = body as OperationOutcome;
      } else {
        const coded = typeof body === 'object' && body !== null ? (body as { code?: unknown; message?: unknown }) : {};
        const message = Array.isArray(coded.message) ? coded.message.join('; ') : String(coded.message ?? exception.message);
        outcome = operationOutcome([{ code: String(coded.code ?? `http.${status}`), message, path: 'Resource', type: ISSUE_TYPE[status] ?? 'processing' }]);
        // A refusal that is not about an element names no path.
        for (const issue of outcome.issue) delete issue.expression;
      }
    } else {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
      outcome = operationOutcome([{ code: 'internal', message: 'Something went wrong on our side; try again, and tell us if it persists.', path: 'Resource', type: 'exception' }]);
      for (const issue of outcome.issue) delete issue.expression;
    }
    response.status(status);
    response.setHeader('Content-Type', `${FHIR_JSON}; charset=utf-8`);
    response.send(JSON.stringify(outcome));
  }
}
