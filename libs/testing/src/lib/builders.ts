import { randomInt, randomUUID } from 'node:crypto';
import { type NhsNumber, type Reading, type ReadingInput, buildReading, nhsCheckDigit, unwrap } from '@homeward/domain';

const issued = new Set<string>();

/**
 * A random NHS number with a valid Modulus 11 check digit (in the 999 test range when asked),
 * never the same one twice in a process, so tests that share a database do not collide.
 */
export function aValidNhsNumber(options: { testRange?: boolean } = {}): NhsNumber {
  for (;;) {
    const digits = Array.from({ length: 9 }, () => randomInt(10));
    if (options.testRange) digits.splice(0, 3, 9, 9, 9);
    const check = nhsCheckDigit(digits.join(''));
    const candidate = `${digits.join('')}${check}`;
    if (check !== undefined && !issued.has(candidate)) {
      issued.add(candidate);
      return candidate as NhsNumber;
    }
  }
}

/** A valid reading with sensible defaults; override any field. */
export function aReading(overrides: Partial<ReadingInput> & { patientId: string }): Reading {
  const measuredAt = overrides.measuredAt ?? new Date('2026-03-01T09:00:00.000Z');
  return unwrap(
    buildReading({
      deviceId: randomUUID(),
      vital: 'spo2',
      value: 96,
      unit: '%',
      deviceTime: measuredAt,
      receivedAt: new Date(measuredAt.getTime() + 2_000),
      source: 'mqtt',
      ...overrides,
      measuredAt,
    }),
  );
}

export function uniqueName(prefix: string): string {
  return `${prefix} ${randomUUID().slice(0, 8)}`;
}
