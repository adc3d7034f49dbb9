import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { findUnsafeValue } from '@homeward/contracts';
import { FHIR_JSON, operationOutcome } from '@homeward/fhir';
import { problemOf } from './error-table';

/** Every JSON body of /api: the largest today is a manual entry of 50 readings (~8 KB) or a care plan. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
/** FHIR import: a transaction Bundle of a few thousand Observations (as readFhirBody allows for fhir+json). */
export const FHIR_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** No DTO nests deeper than a care plan (body → thresholds → item → band); 32 leaves room and stops stack-deep input. */
export const MAX_INPUT_DEPTH = 32;

type Request = IncomingMessage & { body?: unknown; query?: unknown; originalUrl?: string };
type Next = (error?: unknown) => void;

/** What each refusal of findUnsafeValue says after the field's path. */
export const UNSAFE_INPUT_PROBLEMS = {
  'nul-character': 'contains a NUL character (U+0000), which no field may hold',
  'lone-surrogate': 'contains an unpaired UTF-16 surrogate, which is not a character',
  'too-deep': `nests arrays and objects more than ${MAX_INPUT_DEPTH} levels deep`,
} as const;

function isFhir(request: IncomingMessage): boolean {
  return /^\/fhir(?:[/?]|$)/.test(request.url ?? '');
}

function mediaType(request: IncomingMessage): string {
  return String(request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Thrown from the parser's verify hook: body-parser passes it on with its status. */
class NotUtf8Error extends Error {
  readonly status = 400;
  readonly type = 'input.not-utf8';
}

/** body-parser decodes with replacement characters; a body that is not UTF-8 is refused instead of silently changed. */
function verifyUtf8(_request: IncomingMessage, _response: ServerResponse, bytes: Buffer): void {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new NotUtf8Error('The body is not UTF-8 text.');
  }
}

/**
 * The API's body parsers, in place of Nest's defaults (create the app with `bodyParser: false`):
 * JSON up to 64 KB everywhere but /fhir, UTF-8 only. FHIR bodies (`application/fhir+json` and
 * `application/json` alike) are read by the FHIR layer's readFhirBody (5 MB), so every refusal
 * there is an OperationOutcome and kept with the rejected messages. A body over its limit is answered 413
 * from its Content-Length before it is read.
 */
export function useStrictBodyParsers(app: NestExpressApplication): void {
  app.useBodyParser('json', { limit: DEFAULT_BODY_LIMIT_BYTES, verify: verifyUtf8, type: (request: IncomingMessage) => !isFhir(request) && /^application\/(?:[\w.-]+\+)?json$/.test(mediaType(request)) });
  app.useBodyParser('urlencoded', { limit: DEFAULT_BODY_LIMIT_BYTES, extended: false, parameterLimit: 100, verify: verifyUtf8 });
  app.use(bodyErrorMiddleware());
  app.use(unsafeInputMiddleware());
}

/**
 * One coded answer for input refused before any handler, with the status and issue type the error
 * table gives its code: the problem body for /api, an OperationOutcome under /fhir.
 */
function refuse(request: IncomingMessage, response: ServerResponse, code: string, message: string, field?: string): void {
  const problem = problemOf({ code, message, ...(field ? { details: { field } } : {}) });
  if (isFhir(request)) {
    const outcome = operationOutcome([{ code, message, path: field ?? 'Resource', type: problem.issue }]);
    if (!field) for (const issue of outcome.issue) delete issue.expression;
    response.writeHead(problem.status, { 'content-type': `${FHIR_JSON}; charset=utf-8` });
    response.end(JSON.stringify(outcome));
    return;
  }
  response.writeHead(problem.status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(problem.body));
}

/**
 * body-parser's errors (http-errors with a `type`) as coded answers, so a huge, malformed or
 * mis-encoded body gets a JSON reason rather than Express's HTML page. Anything else passes on.
 */
function bodyErrorMiddleware(): (error: unknown, request: IncomingMessage, response: ServerResponse, next: Next) => void {
  return (error, request, response, next) => {
    const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
    const limit = (error as { limit?: unknown } | null)?.limit;
    switch (type) {
      case 'entity.too.large':
        // The rest of the body is not worth reading: close the connection once answered.
        response.setHeader('connection', 'close');
        return refuse(request, response, 'input.too-large', `The body is larger than this endpoint accepts (${String(limit)} bytes).`);
      case 'entity.parse.failed':
        return refuse(request, response, 'input.bad-json', 'The body is not valid JSON.');
      case 'input.not-utf8':
        return refuse(request, response, 'input.not-utf8', 'The body is not UTF-8 text.');
      case 'charset.unsupported':
      case 'encoding.unsupported':
        return refuse(request, response, 'input.unsupported-encoding', 'Send the body as UTF-8 JSON, uncompressed or gzip/deflate/br.');
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        return refuse(request, response, 'input.bad-body', 'The body could not be read.');
      case 'parameters.too.many':
        return refuse(request, response, 'input.too-large', 'The form has too many fields.');
      default:
        return next(error);
    }
  };
}

/**
 * NUL, lone surrogates and absurd nesting in a parsed body or the query are refused with the
 * field's path before any guard, pipe, handler or database sees them (issue 17): PostgreSQL
 * refuses both characters, and a deep value could exhaust the validator's stack.
 */
function unsafeInputMiddleware(): (request: Request, response: ServerResponse, next: Next) => void {
  return (request, response, next) => {
    const found = findUnsafeValue(request.body, MAX_INPUT_DEPTH, 'body') ?? findUnsafeValue(request.query, MAX_INPUT_DEPTH, 'query');
    if (!found) return next();
    refuse(request, response, `input.${found.problem}`, `${found.path}: ${UNSAFE_INPUT_PROBLEMS[found.problem]}.`, found.path);
  };
}
