import { CodedFailure } from '@homeward/domain';

/** One readable line (or block) for the operator: the coded error if there is one. */
export function describeFailure(error: unknown, context?: string): string {
  const prefix = context ? `${context}: ` : '';
  if (error instanceof CodedFailure) return `${prefix}${error.error.message} [${error.error.code}]`;
  if (error instanceof Error) return `${prefix}${error.message}`;
  return `${prefix}${String(error)}`;
}
