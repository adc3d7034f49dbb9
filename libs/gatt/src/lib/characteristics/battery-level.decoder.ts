import { ByteReader } from '../byte-reader';
import { guardDecode, type GattResult } from '../errors';
import type { ReadingSet } from '../readings';

/**
 * Battery Level, 0x2A19 (Battery Service, 0x180F). GSS "Battery Level": one uint8, the percentage
 * of full charge, 0–100; 101–255 are reserved for future use and cannot be read as a level.
 */
export interface BatteryLevel {
  /** Percent of full charge. */
  readonly level: number;
}

const NAME = 'Battery Level';

export function decodeBatteryLevel(bytes: Uint8Array): GattResult<BatteryLevel> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const level = reader.uint8('Battery Level');
    if (level > 100) throw reader.invalid('Battery Level', 0, `is ${level}, outside 0–100 %`, level);
    reader.end();
    return { level };
  });
}

/** Device state, not a vital sign. */
export function batteryLevelReadings(): ReadingSet {
  return { readings: [], absent: [] };
}
