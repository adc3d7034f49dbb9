import { EARLIEST_MEASUREMENT_TIME, MAX_DEVICE_CLOCK_AHEAD_MS } from '@homeward/domain';

/**
 * The bounds on believable device times, as the contracts name them. They are libs/domain's
 * (device-time.policy.ts), the one policy for every path: a device time outside them is not
 * refused at the DTO, its reading is placed at receipt and flagged by the ingest pipeline
 * (correctDeviceClock), exactly as a GATT frame's time is. REST times a person types
 * (IsZonedTimestamp) use the same earliest bound and, for a measurement, the same lead.
 */
export const EARLIEST_DEVICE_TIME = EARLIEST_MEASUREMENT_TIME;
export const DEFAULT_MAX_DEVICE_CLOCK_AHEAD_MS = MAX_DEVICE_CLOCK_AHEAD_MS;
