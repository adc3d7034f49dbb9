import { writeBits } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { ADJUST_REASON_BITS, DAYS_OF_WEEK, type CurrentTime } from './current-time.decoder';

/** Encodes a Current Time (0x2A2B), e.g. to write a device's clock. */
export function encodeCurrentTime(time: CurrentTime): Uint8Array {
  return new ByteWriter()
    .dateTime(time.dateTime, 'Exact Time 256.Day Date Time.Date Time')
    .uint8(time.dayOfWeek === null ? 0 : DAYS_OF_WEEK.indexOf(time.dayOfWeek) + 1, 'Exact Time 256.Day Date Time.Day of Week')
    .uint8(time.fractions256, 'Exact Time 256.Fractions256')
    .uint8(writeBits(time.adjustReason, ADJUST_REASON_BITS), 'Adjust Reason')
    .toBytes();
}
