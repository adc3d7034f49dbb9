import { type CodedError, EARLIEST_MEASUREMENT_TIME } from '@homeward/domain';

/** No device time before this is believed (a clock reset to its epoch, or a garbage field): the domain's one bound. */
export const EARLIEST_DEVICE_TIME = EARLIEST_MEASUREMENT_TIME;

/**
 * How far ahead of our clock a device clock may be and still be corrected. Much wider than the
 * `clock-skewed` flag (minutes): a hub whose clock is a day off is corrected by its coincident
 * timestamp (the demo's wrong-clock device is up to 26 h off); a time beyond this is not a
 * clock error we can trust to correct (a sentAt in 9999 would move a reading to 5948 BC).
 */
export const DEFAULT_MAX_DEVICE_CLOCK_AHEAD_MS = 7 * 24 * 3_600_000;

export interface DeviceTimeBounds {
  /** Our clock at receipt (injected, so tests move it). */
  readonly now: Date;
  readonly maxAheadMs: number;
}

export type DeviceTimeErrorCode = 'reading.time-out-of-range';

/** Why a device-given time cannot be used, or undefined when it is within bounds. */
export function deviceTimeProblem(field: string, time: Date, bounds: DeviceTimeBounds): CodedError<DeviceTimeErrorCode> | undefined {
  const latest = bounds.now.getTime() + bounds.maxAheadMs;
  const at = time.getTime();
  if (Number.isFinite(at) && at >= EARLIEST_DEVICE_TIME.getTime() && at <= latest) return undefined;
  return {
    code: 'reading.time-out-of-range',
    message: `${field} must be between ${EARLIEST_DEVICE_TIME.toISOString()} and ${new Date(latest).toISOString()} (our clock plus ${Math.round(bounds.maxAheadMs / 3_600_000)} h); set the device's clock.`,
    details: { field, value: Number.isFinite(at) ? time.toISOString() : null, earliest: EARLIEST_DEVICE_TIME.toISOString(), latest: new Date(latest).toISOString() },
  };
}

/** An item of a readings message whose time is out of bounds: refused alone, the rest kept. */
export interface ItemTimeProblem {
  readonly index: number;
  readonly error: CodedError<DeviceTimeErrorCode>;
}

/**
 * The time bounds of a validated readings payload (ReadingsPayloadDto): `sentAt` out of bounds
 * refuses the message (it would correct every reading in it wrongly); a `deviceTime` out of
 * bounds refuses its reading or frame.
 */
export function readingsPayloadTimeProblems(
  body: { readonly sentAt?: string | undefined; readonly readings?: ReadonlyArray<{ readonly deviceTime?: string | undefined }> | undefined; readonly frames?: ReadonlyArray<{ readonly deviceTime?: string | undefined }> | undefined },
  bounds: DeviceTimeBounds,
): { readonly message: CodedError<DeviceTimeErrorCode> | undefined; readonly items: readonly ItemTimeProblem[] } {
  const message = body.sentAt === undefined ? undefined : deviceTimeProblem('sentAt', new Date(body.sentAt), bounds);
  const items: ItemTimeProblem[] = [];
  const check = (list: ReadonlyArray<{ readonly deviceTime?: string | undefined }> | undefined, name: string) =>
    list?.forEach((item, index) => {
      const error = item.deviceTime === undefined ? undefined : deviceTimeProblem(`${name}[${index}].deviceTime`, new Date(item.deviceTime), bounds);
      if (error) items.push({ index, error });
    });
  check(body.readings, 'readings');
  check(body.frames, 'frames');
  return { message, items };
}
