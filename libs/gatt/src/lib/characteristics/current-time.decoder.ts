import { readBits, type BitTable } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { dateTimeToDate, dateToDateTime, type DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import type { ReadingSet } from '../readings';

/**
 * Current Time, 0x2A2B (Current Time Service, 0x1805): read to learn a device's clock, written to
 * set it. GSS "Current Time", 10 octets:
 *
 *   Exact Time 256   Day Date Time  Date Time (7 octets, see date-time.ts)
 *                                  Day of Week uint8: 1 Monday … 7 Sunday; 0 = not known; 8–255 reserved
 *                    Fractions256   uint8: 1/256 s
 *   Adjust Reason    uint8 bitfield: bit 0 Manual time update, bit 1 External reference time
 *                    update, bit 2 Change of time zone, bit 3 Change of DST; bits 4–7 reserved
 *
 * The time is the device's local wall clock; the zone is in Local Time Information (0x2A0F).
 */
export type DayOfWeek = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export type AdjustReason = 'manual-time-update' | 'external-reference-time-update' | 'change-of-time-zone' | 'change-of-dst';

export interface CurrentTime {
  readonly dateTime: DateTime;
  /** null when the device sent 0 ("not known") or a reserved value. */
  readonly dayOfWeek: DayOfWeek | null;
  /** 1/256 s. */
  readonly fractions256: number;
  readonly adjustReason: readonly AdjustReason[];
}

export const DAYS_OF_WEEK: readonly DayOfWeek[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const ADJUST_REASON_BITS: BitTable<AdjustReason> = [
  [0, 'manual-time-update'], // bit 0 Manual time update
  [1, 'external-reference-time-update'], // bit 1 External reference time update
  [2, 'change-of-time-zone'], // bit 2 Change of time zone
  [3, 'change-of-dst'], // bit 3 Change of DST (daylight savings time)
];

const NAME = 'Current Time';

export function decodeCurrentTime(bytes: Uint8Array): GattResult<CurrentTime> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const dateTime = reader.dateTime('Exact Time 256.Day Date Time.Date Time');
    const day = reader.uint8('Exact Time 256.Day Date Time.Day of Week');
    const fractions256 = reader.uint8('Exact Time 256.Fractions256');
    const adjustReason = readBits(reader.uint8('Adjust Reason'), ADJUST_REASON_BITS);
    reader.end();
    return { dateTime, dayOfWeek: DAYS_OF_WEEK[day - 1] ?? null, fractions256, adjustReason };
  });
}

/** Clock state, not a measurement. */
export function currentTimeReadings(): ReadingSet {
  return { readings: [], absent: [] };
}

/**
 * The Current Time to write to a device so that its wall clock shows `date` in the zone
 * `utcOffsetMinutes` from UTC (e.g. 60 during British Summer Time). The gateway passes the offset;
 * this library never reads the host's zone.
 */
export function currentTimeFromDate(
  date: Date,
  options: { readonly utcOffsetMinutes?: number; readonly adjustReason?: readonly AdjustReason[] } = {},
): CurrentTime {
  const offset = options.utcOffsetMinutes ?? 0;
  const local = new Date(date.getTime() + offset * 60_000);
  return {
    dateTime: dateToDateTime(date, offset),
    // getUTCDay: 0 = Sunday … 6 = Saturday; the characteristic counts Monday = 1 … Sunday = 7.
    dayOfWeek: DAYS_OF_WEEK[(local.getUTCDay() + 6) % 7] ?? null,
    fractions256: Math.floor((local.getUTCMilliseconds() * 256) / 1000),
    // The gateway sets clocks from its own NTP-synchronised clock: an external reference.
    adjustReason: [...(options.adjustReason ?? ['external-reference-time-update'])],
  };
}

/** The instant a device's Current Time names, given its zone offset; null when its date is not known. */
export function currentTimeToDate(time: CurrentTime, utcOffsetMinutes = 0): Date | null {
  const wallClock = dateTimeToDate(time.dateTime);
  if (wallClock === null) return null;
  return new Date(wallClock.getTime() - utcOffsetMinutes * 60_000 + Math.floor((time.fractions256 * 1000) / 256));
}
