import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { findUnsafeValue } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import { FHIR_JSON, type FhirProblem, operationOutcome, problem } from '@homeward/fhir';
import { INTERNAL_PROBLEM, type Problem } from '../http/error-table';
import { problemOfThrown } from '../http/problem.filter';
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

/**
 * A FHIR refusal as a domain error: `code` picks the status from the error table
 * (apps/api/src/app/http/error-table.ts), `issues` are the OperationOutcome's issues, one per problem.
 */
export function fhirFailure(code: string, problems: readonly FhirProblem[]): CodedFailure {
  return new CodedFailure({ code, message: problems.map((p) => p.message).join(' '), details: { issues: problems.map((p) => ({ ...p })) } });
}

/** The OperationOutcome a problem is answered with: its FHIR issues, or one issue of the table's type. */
export function outcomeOf(answer: Problem): OperationOutcome {
  const issues = answer.body['issues'];
  if (Array.isArray(issues) && issues.length > 0) return operationOutcome(issues as FhirProblem[]);
  const message = Array.isArray(answer.body.message) ? answer.body.message.join('; ') : String(answer.body.message);
  const outcome = operationOutcome([{ code: answer.body.code, message, path: 'Resource', type: answer.issue }]);
  // A refusal that is not about an element names no path.
  for (const issue of outcome.issue) delete issue.expression;
  return outcome;
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
    throw fhirFailure('fhir.content-type', [problem('fhir.content-type', `Send the resource as ${FHIR_JSON} (or application/json); got "${type || 'no content type'}".`, 'Resource', 'structure')]);
  }
  const tooLarge = fhirFailure('fhir.too-large', [problem('fhir.too-large', `The body is larger than ${FHIR_BODY_LIMIT_BYTES} bytes; split the Bundle.`, 'Resource', 'too-costly')]);
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
  /** The refusal's code in the error table (400). */
  readonly code = 'fhir.unreadable';
  constructor(readonly problems: FhirProblem[]) {}
}

/**
 * Every answer of the FHIR endpoints is FHIR: errors (including sign-in and role refusals from
 * the guard, and ward isolation's 404) are answered as the error table says (`problemOf`), with
 * an OperationOutcome for body, served as application/fhir+json.
 */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('FHIR');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FhirResponse>();
    const answer = problemOfThrown(exception) ?? INTERNAL_PROBLEM;
    if (answer === INTERNAL_PROBLEM) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(answer.status);
    response.setHeader('Content-Type', `${FHIR_JSON}; charset=utf-8`);
    response.send(JSON.stringify(outcomeOf(answer)));
  }
}
