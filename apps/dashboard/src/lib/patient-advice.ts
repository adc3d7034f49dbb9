import type { PatientAdvice } from '@homeward/contracts';

/**
 * The red-band advice in an answer to entered readings (a 201, or a 422 whose other items were
 * stored), or null. Read defensively: the 422 body arrives as unknown JSON, and a malformed advice
 * must not hide the form's other messages.
 */
export function adviceFrom(body: unknown): PatientAdvice | null {
  if (typeof body !== 'object' || body === null) return null;
  const advice = (body as { advice?: unknown }).advice;
  if (typeof advice !== 'object' || advice === null) return null;
  const { level, message } = advice as { level?: unknown; message?: unknown };
  return level === 'red' && typeof message === 'string' && message.trim() !== '' ? { level, message } : null;
}
