import { type CurrentTime, type DateTime, currentTimeFromDate, currentTimeToDate, dateToDateTime, decodeCurrentTime } from '@homeward/gatt';

export interface SimulatedClockOptions {
  /** How far the device's clock is ahead of true time (negative: behind). Default 0. */
  readonly offsetMs?: number;
  /** The clock was never set: time stamps go out as "not known" (year, month and day 0). */
  readonly unset?: boolean;
  /** Whether Current Time (0x2A2B) accepts writes, so a gateway can set the clock. Default false. */
  readonly writable?: boolean;
  /**
   * The zone the device's wall clock shows, in minutes from UTC (60 during British Summer Time). A
   * device clock carries no zone, so a gateway that reads it as UTC sees this as skew.
   */
  readonly utcOffsetMinutes?: number;
}

/** A device's real-time clock: wrong, unset, or set by a gateway through Current Time. */
export class SimulatedClock {
  offsetMs: number;
  unset: boolean;
  readonly writable: boolean;
  readonly utcOffsetMinutes: number;
  /** Every time a central set this clock, as the instant it wrote. */
  readonly setHistory: Date[] = [];

  constructor(
    private readonly trueNow: () => Date,
    options: SimulatedClockOptions = {},
  ) {
    this.offsetMs = options.offsetMs ?? 0;
    this.unset = options.unset ?? false;
    this.writable = options.writable ?? false;
    this.utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
  }

  /** The instant the device believes it is at true time `at` (null when the clock is unset). */
  readingAt(at: Date = this.trueNow()): Date | null {
    return this.unset ? null : new Date(at.getTime() + this.offsetMs);
  }

  /** The Date Time the device stamps on a measurement taken at true time `at`. */
  dateTimeAt(at: Date = this.trueNow()): DateTime {
    const reading = this.readingAt(at);
    if (reading === null) return { year: null, month: null, day: null, hours: 0, minutes: 0, seconds: 0 };
    return dateToDateTime(reading, this.utcOffsetMinutes);
  }

  /** The value of Current Time (0x2A2B) now. */
  currentTime(): CurrentTime {
    const reading = this.readingAt();
    if (reading === null) {
      return { dateTime: this.dateTimeAt(), dayOfWeek: null, fractions256: 0, adjustReason: [] };
    }
    return currentTimeFromDate(reading, { utcOffsetMinutes: this.utcOffsetMinutes, adjustReason: [] });
  }

  /** A central wrote Current Time. Returns false for a value the device cannot use. */
  write(bytes: Uint8Array): boolean {
    const decoded = decodeCurrentTime(bytes);
    if (!decoded.ok) return false;
    const instant = currentTimeToDate(decoded.value, this.utcOffsetMinutes);
    if (instant === null) return false;
    this.offsetMs = instant.getTime() - this.trueNow().getTime();
    this.unset = false;
    this.setHistory.push(instant);
    return true;
  }
}
