import type { ReadingStatusFlag } from './reading';

export interface ClockCorrectionInput {
  /** When the device says the reading was measured; null when the device has no usable clock. */
  readonly deviceTime: Date | null;
  /** When Homeward received the reading. */
  readonly receivedAt: Date;
  /**
   * The device's own clock at the moment it sent (or we read it): with receivedAt, a coincident
   * timestamp pair that measures the device clock's offset (HL7 PHD IG). Null when unknown.
   */
  readonly deviceClockAt: Date | null;
  /** An offset beyond this marks the reading clock-skewed (the device clock needs setting). */
  readonly maxSkewMs: number;
  /** Transport delay we do not call skew. */
  readonly toleranceMs?: number;
}

export interface ClockCorrection {
  readonly measuredAt: Date;
  /** receivedAt − deviceClockAt, or null when there was no coincident timestamp. */
  readonly offsetMs: number | null;
  readonly flags: readonly ReadingStatusFlag[];
}

/**
 * Places a reading at the time it was really measured. The device's offset (from the coincident
 * timestamp) is added to its time stamp; without one the time stamp is used as sent. A reading
 * never lands after it arrived: one that would is flagged future-dated and placed at receipt.
 */
export function correctDeviceClock(input: ClockCorrectionInput): ClockCorrection {
  const tolerance = input.toleranceMs ?? 2_000;
  if (input.deviceTime === null) {
    return { measuredAt: input.receivedAt, offsetMs: null, flags: ['clock-unset'] };
  }
  const offsetMs = input.deviceClockAt === null ? null : input.receivedAt.getTime() - input.deviceClockAt.getTime();
  const flags: ReadingStatusFlag[] = [];
  let measured = input.deviceTime.getTime();
  if (offsetMs !== null && Math.abs(offsetMs) > tolerance) {
    measured += offsetMs;
    flags.push('clock-corrected');
    if (Math.abs(offsetMs) > input.maxSkewMs) flags.push('clock-skewed');
  }
  if (measured > input.receivedAt.getTime() + tolerance) {
    flags.push('future-dated');
    measured = input.receivedAt.getTime();
  }
  return { measuredAt: new Date(measured), offsetMs, flags };
}
