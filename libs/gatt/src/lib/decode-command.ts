import { VITAL_SIGNS, type ReadingStatusFlag, type VitalKey } from '@homeward/domain';
import { decodeCharacteristic } from './decode-characteristic';
import { gattFail, type GattError, type GattResult } from './errors';

export interface DecodeCommandReading {
  readonly vital: VitalKey;
  readonly loinc: string | null;
  readonly value: number;
  readonly unit: string;
  /** The device's time, ISO 8601; null when the frame carries none. */
  readonly measuredAt: string | null;
  readonly status: readonly ReadingStatusFlag[];
}

export type DecodeCommandOutput =
  | { readonly characteristic: string; readonly measurement: unknown; readonly readings: readonly DecodeCommandReading[] }
  | { readonly error: { readonly code: string; readonly message: string; readonly offset: number | null } };

/**
 * `homeward decode <uuid> <hex>`, minus the process: the JSON to print and the exit code. Pure,
 * so the CLI only prints `output` and exits with `exitCode`.
 */
export function runDecodeCommand(uuidText: string, hex: string): { exitCode: 0 | 1; output: DecodeCommandOutput } {
  const bytes = parseHex(hex);
  if (!bytes.ok) return failure(bytes.error);
  const decoded = decodeCharacteristic(uuidText, bytes.value);
  if (!decoded.ok) return failure(decoded.error);
  const frame = decoded.value;
  return {
    exitCode: 0,
    output: {
      characteristic: frame.characteristic,
      measurement: frame.measurement,
      readings: frame.readings.map((reading) => ({
        vital: reading.vital,
        loinc: VITAL_SIGNS[reading.vital].loinc ?? null,
        value: reading.value,
        unit: reading.unit,
        measuredAt: reading.deviceTime === null ? null : reading.deviceTime.toISOString(),
        status: reading.status,
      })),
    },
  };
}

function failure(error: GattError): { exitCode: 1; output: DecodeCommandOutput } {
  return { exitCode: 1, output: { error: { code: error.code, message: error.message, offset: error.details.offset } } };
}

/**
 * Hex as people paste it: any whitespace between digits ("1E 78 00"), an optional leading "0x".
 * The offset of an error is the byte the bad digit would have been part of.
 */
export function parseHex(text: string): GattResult<Uint8Array> {
  const compact = text.replace(/\s+/g, '');
  const digits = /^0x/i.test(compact) ? compact.slice(2) : compact;
  const bad = digits.search(/[^0-9a-fA-F]/);
  if (bad >= 0) {
    return gattFail('gatt.invalid-hex', `"${digits.charAt(bad)}" is not a hex digit (byte ${Math.floor(bad / 2)}).`, {
      field: 'hex',
      offset: Math.floor(bad / 2),
    });
  }
  if (digits.length % 2 !== 0) {
    return gattFail('gatt.invalid-hex', `The hex has an odd number of digits (${digits.length}); byte ${Math.floor(digits.length / 2)} is half a byte.`, {
      field: 'hex',
      offset: Math.floor(digits.length / 2),
    });
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return { ok: true, value: bytes };
}
