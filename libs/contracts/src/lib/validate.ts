import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { type CodedError, type Result, fail, ok } from '@homeward/domain';

export interface FieldProblem {
  readonly path: string;
  readonly problems: readonly string[];
}

/**
 * The one validation step for a message body that arrives as plain JSON (MQTT payload, REST
 * body, import): unknown fields are refused, every problem is listed with its path.
 */
export function validateDto<T extends object>(type: new () => T, plain: unknown): Result<T, CodedError<'payload.invalid'>> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return fail('payload.invalid', 'The message must be a JSON object.', { problems: [{ path: '', problems: ['must be an object'] }] });
  }
  const instance = plainToInstance(type, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length === 0) return ok(instance);
  const problems = flatten(errors, '');
  return fail(
    'payload.invalid',
    `The message is not valid: ${problems.map((p) => `${p.path || '(body)'} ${p.problems.join(', ')}`).join('; ')}.`,
    { problems },
  );
}

function flatten(errors: readonly ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = prefix ? (/^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`) : error.property;
    const own = error.constraints ? [{ path, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
