/**
 * Errors as data: a stable machine-readable code, a sentence a person can act on, and optional
 * details. Adapters map these at the edge (an HTTP 4xx with the code, an MQTT reason, a
 * rejected_messages row); nothing in the core throws framework exceptions.
 */
export interface CodedError<C extends string = string> {
  readonly code: C;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type Result<T, E extends CodedError = CodedError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<C extends string>(
  code: C,
  message: string,
  details?: Record<string, unknown>,
): { readonly ok: false; readonly error: CodedError<C> } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * For the few places (start-up, CLI) where a coded error must travel through a throw. The coded
 * data stays intact on `.error` so the edge can still print or map it.
 */
export class CodedFailure extends Error {
  constructor(readonly error: CodedError) {
    super(error.message);
    this.name = 'CodedFailure';
  }
}

/** Unwraps a Result, throwing a CodedFailure when it failed. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new CodedFailure(result.error);
  return result.value;
}

/**
 * A refusal with one message per field ("wardIds: nurses … need at least one ward"), as input
 * validation gives them: `message` reads as one sentence, `details.messages` keeps the list (the
 * API answers it as a list, which forms show beside each field).
 */
export function fieldFailure(code: string, messages: readonly string[]): CodedFailure {
  return new CodedFailure({ code, message: messages.join(' '), details: { messages: [...messages] } });
}
