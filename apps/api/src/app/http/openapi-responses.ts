import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import type { AppRoute } from './app-routes';
import { ANSWER_SCHEMA, answerComponents, type JsonSchema } from './answer-schemas';
import { mappingOf } from './error-table';

const PROBLEM_REF = '#/components/schemas/Problem';

/** The problem body (error-table.ts ProblemBody) as a JSON schema. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'Every error answer: a stable code to branch on, a message a person can act on (one per field for input errors), the status, and details such as `rejected`, `stored`, `advice`, `retryAfterSeconds` or `field`.',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status, repeated' },
    code: { type: 'string', description: 'Stable and machine-readable, e.g. patient.not-on-a-ward', example: 'patient.not-on-a-ward' },
    message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'A sentence, or one per field ("wardIds: …")' },
    field: { type: 'string', description: 'The field refused, for input refused before any handler (NUL, nesting)' },
    retryAfterSeconds: { type: 'integer', description: 'With 429: when to try again' },
  },
  additionalProperties: true,
} as const;

/**
 * The domain errors a route can answer with, by code; the OpenAPI document shows each status the
 * error table gives them, naming the codes. (Statuses every route shares are added by
 * describeResponses.)
 */
export const Refuses = (...codes: string[]) => {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) byStatus.set(mappingOf(code).status, [...(byStatus.get(mappingOf(code).status) ?? []), code]);
  return applyDecorators(...[...byStatus].map(([status, named]) => ApiResponse({ status, description: `Refused: ${named.map((c) => `\`${c}\``).join(', ')}.`, schema: { $ref: PROBLEM_REF } })));
};

type Operation = { parameters?: Array<{ in?: string }>; requestBody?: unknown; security?: unknown[]; responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }> };

/** Methods whose body the parsers read (and refuse when too large or not UTF-8 JSON) on any route. */
const TAKES_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** What every operation may answer besides its own refusals, by when it applies. */
const SHARED: ReadonlyArray<{ status: number; when: (op: Operation, method: string) => boolean; description: string }> = [
  { status: 400, when: () => true, description: 'Input refused: a parameter, query or body field that does not validate (one message per field), NUL or unpaired surrogates, malformed JSON (`input.*`).' },
  { status: 401, when: (op) => (op.security ?? []).length > 0, description: 'Not signed in, or the session has ended (`auth.signed-out`, `auth.session-expired`).' },
  { status: 403, when: (op) => (op.security ?? []).length > 0, description: 'Signed in, without a role this endpoint allows (`auth.role`).' },
  { status: 413, when: (op, method) => op.requestBody !== undefined || TAKES_BODY.has(method), description: 'The body is larger than this endpoint accepts (`input.too-large`).' },
  { status: 415, when: (op, method) => op.requestBody !== undefined || TAKES_BODY.has(method), description: 'The body is not UTF-8 JSON, plain or gzip/deflate/br (`input.unsupported-encoding`).' },
  { status: 500, when: () => true, description: 'A fault of ours (`internal`); nothing of it was kept half-done.' },
];

const SUCCESS: Readonly<Record<number, string>> = { 200: 'Done; the answer is in the body.', 201: 'Created (or stored); the answer is in the body.', 204: 'Done; no body.' };

/**
 * Completes the document's answers (issue 17): the Problem schema; the answers every route shares
 * (input refusals, sign-in and role refusals for secured routes, body limits, faults); the problem
 * body on every error answer, including those declared with @Refuses or @Roles; and each route's
 * success answer with its real status (@HttpCode, else 201 for POST), which the generator drops
 * once any other answer is declared, with its body's schema when the handler names one (@Answers).
 */
export function describeResponses(document: OpenAPIObject, routes: readonly AppRoute[]): void {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...(answerComponents() as NonNullable<OpenAPIObject['components']>['schemas']), Problem: PROBLEM_SCHEMA as never } };
  for (const route of routes) {
    const op = document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase() as 'get'] as Operation | undefined;
    if (!op) continue; // not in the document (excluded from it)
    const responses = (op.responses ??= {});
    const answer = Reflect.getMetadata(ANSWER_SCHEMA, route.handler) as Record<string, { schema: JsonSchema }> | undefined;
    if (route.sse) responses['200'] = { description: 'A stream of server-sent events (see the endpoint\'s description).', content: { 'text/event-stream': { schema: { type: 'string' } } } };
    else if (answer) responses[String(route.successStatus)] = { description: SUCCESS[route.successStatus] ?? 'Done.', content: answer };
    else if (!Object.keys(responses).some((status) => /^2/.test(status))) responses[String(route.successStatus)] = { description: SUCCESS[route.successStatus] ?? 'Done.' };
    for (const shared of SHARED) {
      if (!shared.when(op, route.method)) continue;
      const existing = responses[String(shared.status)];
      responses[String(shared.status)] = existing ? { ...existing, description: [shared.description, existing.description].filter(Boolean).join(' ') } : { description: shared.description };
    }
    for (const [status, response] of Object.entries(responses)) {
      if (/^2/.test(status) && !response.description) response.description = SUCCESS[Number(status)] ?? 'Done.';
      if (Number(status) >= 400 && !response.content) response.content = { 'application/json': { schema: { $ref: PROBLEM_REF } } };
    }
  }
}
