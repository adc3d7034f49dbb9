/**
 * Maps the API's answers to a reading form back onto its fields. A 400 carries one message per
 * field ("readings.0.value must be a number …"); a 422 carries coded reasons per reading index
 * ({ rejected: [{ index, code, message }] }). `fieldOf(index)` names the form field that produced
 * the reading at that index of the submitted array.
 */
export interface FieldErrors {
  readonly byField: Readonly<Record<string, string>>;
  /** Messages that belong to no one field (shown in the summary only). */
  readonly general: readonly string[];
}

export function fieldErrorsFrom400(messages: readonly string[], fieldOf: (index: number) => string | undefined): FieldErrors {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const message of messages) {
    const match = /^readings\.(\d+)\.(\w+)\s+(.*)$/.exec(message);
    const field = match ? fieldOf(Number(match[1])) : undefined;
    if (match && field) byField[match[2] === 'measuredAt' ? 'measuredAt' : field] ??= humanise(match[2] ?? '', match[3] ?? message);
    else general.push(message);
  }
  return { byField, general };
}

export function fieldErrorsFrom422(body: Readonly<Record<string, unknown>>, fieldOf: (index: number) => string | undefined): FieldErrors {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  const rejected = Array.isArray(body['rejected']) ? (body['rejected'] as Array<{ index?: number; code?: string; message?: string }>) : [];
  for (const r of rejected) {
    const field = typeof r.index === 'number' ? fieldOf(r.index) : undefined;
    const text = `${r.message ?? 'This value was refused.'}${r.code ? ` (${r.code})` : ''}`;
    if (field) byField[field] ??= text;
    else general.push(text);
  }
  if (rejected.length === 0) general.push(typeof body['message'] === 'string' ? body['message'] : 'The reading was refused.');
  return { byField, general };
}

function humanise(property: string, message: string): string {
  if (property === 'value') return `Enter the number shown on the device (${message}).`;
  if (property === 'measuredAt') return `Enter when you took the reading (${message}).`;
  return `${property} ${message}`;
}
