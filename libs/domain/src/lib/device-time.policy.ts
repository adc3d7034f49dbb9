/**
 * Which device-given times Homeward believes: one policy for every path a device time comes by
 * (a hub's JSON `deviceTime` and `sentAt`, a time inside a GATT frame, a BLE Current Time read).
 *
 * A device time is believable from 2000-01-01 (no vital sign Homeward stores was measured
 * earlier: an earlier time is a clock reset to its epoch, 1970, 2000, a firmware date) up to
 * receipt plus 7 days (a hub whose clock is a day or so fast is corrected by its coincident
 * timestamp; further ahead is not a clock error we can trust to correct: a `sentAt` of 9999 once
 * moved a reading to 5948 BC).
 *
 * An unbelievable time is never a reason to refuse the measurement (a refused reading is one the
 * ward never sees; ARCHITECTURE.md: wrong clocks reach staff as technical alerts, not as lost
 * readings). The reading is stored, placed at its receipt (the one time we trust), flagged
 * `clock-unset` (its own time was not used) and `clock-skewed` (the device needs its clock set),
 * with the device time kept as sent; the `device-clock-off` technical alert then tells staff.
 * An unbelievable `sentAt` is not used to correct anything, and the readings sent with it are
 * placed the same way: the clock that stamped them is the one that is wrong. correctDeviceClock
 * applies this; only a time that is not a time at all (unparseable) is refused, as malformed.
 */
export const EARLIEST_MEASUREMENT_TIME = new Date('2000-01-01T00:00:00.000Z');

/** How far ahead of receipt a device time is still believed (and corrected by a coincident timestamp). */
export const MAX_DEVICE_CLOCK_AHEAD_MS = 7 * 24 * 3_600_000;

export type DeviceTimeVerdict = 'believable' | 'before-earliest' | 'too-far-ahead' | 'not-a-time';

export function judgeDeviceTime(time: Date, receivedAt: Date, maxAheadMs: number = MAX_DEVICE_CLOCK_AHEAD_MS): DeviceTimeVerdict {
  const at = time.getTime();
  if (!Number.isFinite(at)) return 'not-a-time';
  if (at < EARLIEST_MEASUREMENT_TIME.getTime()) return 'before-earliest';
  if (at > receivedAt.getTime() + maxAheadMs) return 'too-far-ahead';
  return 'believable';
}
