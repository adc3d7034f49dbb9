import { ByteWriter } from '../byte-writer';
import type { BatteryLevel } from './battery-level.decoder';

/** Encodes a Battery Level (0x2A19). */
export function encodeBatteryLevel(battery: BatteryLevel): Uint8Array {
  if (battery.level > 100) throw new RangeError(`Battery Level: ${battery.level} is outside 0–100 %.`);
  return new ByteWriter().uint8(battery.level, 'Battery Level').toBytes();
}
