import { EARLIEST_MEASUREMENT_TIME, judgeDeviceTime } from './device-time.policy';
import type { ReadingStatusFlag } from './reading';

const DEFAULT_TOLERANCE_MS = 2_000;
/** About a year: a bigger "correction" says the timestamp pair is garbage, not that a clock drifted. */
const DEFAULT_MAX_CORRECTION_MS = 366 * 24 * 60 * 60_000;

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
  /** Clock jitter we ignore either way. Default 2 s. */
  readonly toleranceMs?: number;
  /**
   * How long a send may plausibly take to arrive (network, retransmission, reconnection): a
   * device clock that reads *behind* by no more than this is taken to be right and the gap
   * delivery delay. Default: toleranceMs, for pairs read with no transport in between (a BLE
   * Current Time read, an offset carried inside a FHIR resource); a network source sets more.
   */
  readonly maxTransitMs?: number;
  /**
   * This send is known to have waited (an MQTT redelivery, DUP): its deviceClockAt is from the
   * first attempt, so receivedAt − deviceClockAt includes an unknown wait and says nothing about
   * a clock that reads behind.
   */
  readonly delayed?: boolean;
  /** The largest correction ever applied; a reading that needs more is placed at receipt (see below). Default ~1 year. */
  readonly maxCorrectionMs?: number;
  /** How far past receipt a device time is believed (device-time.policy.ts). Default 7 days. */
  readonly maxAheadMs?: number;
}

export interface ClockCorrection {
  readonly measuredAt: Date;
  /** receivedAt − deviceClockAt as measured (delay included), or null when there was no coincident timestamp. */
  readonly offsetMs: number | null;
  /** What was added to the device time: 0 when the offset was taken as delivery delay, or beyond the bounds. */
  readonly correctionMs: number;
  readonly flags: readonly ReadingStatusFlag[];
}

/**
 * Places a reading at the time it was really measured.
 *
 * The coincident pair gives `receivedAt − deviceClockAt` = (the device clock's error) + (how long
 * the send took to arrive). Delay is never negative, so the two cases differ:
 * - The device clock reads *ahead* (deviceClockAt after receipt, beyond tolerance): no delay can
 *   cause that, so it is clock error, always corrected (even on a redelivery, where it is a lower
 *   bound of the error).
 * - It reads *behind*: delay or a slow clock, indistinguishable from one pair. A redelivery
 *   (`delayed`) or a gap within `maxTransitMs` is taken as delay and never moves the reading, so
 *   outages, broker redelivery and reconnections do not shift good readings or flag them; only a
 *   first delivery behind by more than `maxTransitMs` is a slow clock and is corrected. (A sender
 *   that queues messages itself must stamp deviceClockAt when it actually sends, as the hub
 *   forwarder does, or mark the resend as a redelivery; the cost is that a slow clock within
 *   `maxTransitMs` goes uncorrected, which `maxSkewMs` already calls acceptable.)
 *
 * Bounds, so no timestamp can fling a reading anywhere (a sentAt of 9999 once moved a 2026
 * reading to 5948 BC): a device time or coincident timestamp outside the believable range
 * (device-time.policy.ts: 2000-01-01 to receipt + 7 days) is not used at all; a reading is never
 * moved by more than `maxCorrectionMs`, and never placed before 2000-01-01 or after its receipt. When the pair asks for more, the device's times
 * contradict each other or its clock was reset (to 1970, 2000, a firmware date), and we cannot
 * tell which of its two times is wrong; so the reading is placed at its receipt, the one time we
 * trust, flagged clock-unset (its own time was not used) and clock-skewed (the device needs its
 * clock set), as a device with no clock would be. It is not refused: a refused reading is a
 * measurement the ward never sees, and keeping a device time from 2010 would hide it as well. A
 * device time after receipt is flagged future-dated and placed at receipt. The idempotency key
 * keeps the device time as sent, so none of this changes duplicate detection.
 */
export function correctDeviceClock(input: ClockCorrectionInput): ClockCorrection {
  const tolerance = input.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  const maxTransit = Math.max(tolerance, input.maxTransitMs ?? tolerance);
  const maxCorrection = input.maxCorrectionMs ?? DEFAULT_MAX_CORRECTION_MS;
  const received = input.receivedAt.getTime();
  if (input.deviceTime === null) {
    return { measuredAt: input.receivedAt, offsetMs: null, correctionMs: 0, flags: ['clock-unset'] };
  }
  const offsetMs = input.deviceClockAt === null ? null : received - input.deviceClockAt.getTime();
  // The one policy on believable device times: either time out of range, and the device's clock
  // cannot be used for this reading (placed at receipt, flagged; never refused).
  const unbelievable = [input.deviceTime, input.deviceClockAt].some((time) => time !== null && judgeDeviceTime(time, input.receivedAt, input.maxAheadMs) !== 'believable');
  if (unbelievable) return { measuredAt: input.receivedAt, offsetMs: offsetMs !== null && Number.isFinite(offsetMs) ? offsetMs : null, correctionMs: 0, flags: ['clock-unset', 'clock-skewed'] };
  const flags = new Set<ReadingStatusFlag>();

  let correctionMs = 0;
  if (offsetMs !== null && Number.isFinite(offsetMs)) {
    const ahead = offsetMs < -tolerance;
    const slow = offsetMs > maxTransit && !input.delayed;
    if (ahead || slow) correctionMs = offsetMs;
  }
  if (correctionMs !== 0) {
    flags.add('clock-corrected');
    if (Math.abs(correctionMs) > input.maxSkewMs) flags.add('clock-skewed');
  }

  let measured = input.deviceTime.getTime() + correctionMs;
  if (Math.abs(correctionMs) > maxCorrection || !(measured >= EARLIEST_MEASUREMENT_TIME.getTime())) {
    return { measuredAt: input.receivedAt, offsetMs, correctionMs: 0, flags: ['clock-unset', 'clock-skewed'] };
  }
  if (measured > received + tolerance) {
    flags.add('future-dated');
    measured = received;
  }
  return { measuredAt: new Date(measured), offsetMs, correctionMs, flags: [...flags] };
}
