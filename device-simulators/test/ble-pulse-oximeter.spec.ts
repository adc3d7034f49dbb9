// The simulated pulse oximeter's frames, received by the real noble central (lib/noble.js of
// @abandonware/noble) over the simulated radio and decoded by @homeward/gatt: both PLX
// characteristics must arrive with SpO2 and pulse rate, whatever the device's clock.
import { EventEmitter } from 'node:events';
import { decodeCharacteristic } from '@homeward/gatt';
import { SimulatedPulseOximeter, SimulatedRadio } from '../src';

const withBindings = require('@abandonware/noble/with-bindings') as (bindings: unknown) => Noble;

interface Characteristic extends EventEmitter {
  uuid: string;
  properties: string[];
  subscribeAsync(): Promise<void>;
}
interface Peripheral extends EventEmitter {
  address: string;
  connectAsync(): Promise<void>;
  disconnectAsync(): Promise<void>;
  discoverAllServicesAndCharacteristicsAsync(): Promise<{ characteristics: Characteristic[] }>;
}
interface Noble extends EventEmitter {
  startScanningAsync(uuids: string[], allowDuplicates: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
}

/** A bounded wait for frames crossing the simulated radio (real I/O, not a clock decision). */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function connect(radio: SimulatedRadio, address: string): Promise<{ peripheral: Peripheral; characteristics: Characteristic[] }> {
  const noble = withBindings(radio);
  await new Promise<void>((resolve) => noble.on('stateChange', (state: string) => state === 'poweredOn' && resolve()));
  const found = new Promise<Peripheral>((resolve) => noble.on('discover', (p: Peripheral) => p.address === address && resolve(p)));
  await noble.startScanningAsync(['1822'], true);
  const peripheral = await found;
  await noble.stopScanningAsync();
  await peripheral.connectAsync();
  const { characteristics } = await peripheral.discoverAllServicesAndCharacteristicsAsync();
  return { peripheral, characteristics };
}

function charOf(characteristics: Characteristic[], uuid: string): Characteristic {
  const found = characteristics.find((c) => c.uuid === uuid);
  if (!found) throw new Error(`no characteristic ${uuid}`);
  return found;
}

function vitals(uuid: string, frame: Buffer): { readings: [string, number, string | null][]; flags: number } {
  const decoded = decodeCharacteristic(uuid, frame);
  if (!decoded.ok) throw new Error(`${uuid} ${frame.toString('hex')}: ${decoded.error.code} ${decoded.error.message}`);
  return {
    readings: decoded.value.readings.map((r) => [r.vital, r.value, r.deviceTime === null ? null : r.deviceTime.toISOString()]),
    flags: frame[0] ?? -1,
  };
}

describe('SimulatedPulseOximeter under the real noble', () => {
  let radio: SimulatedRadio;
  beforeEach(() => {
    radio = new SimulatedRadio({ advertisingIntervalMs: 20 });
  });
  afterEach(() => radio.close());

  it('indicates stored spot-checks (0x2A5E, Timestamp present) and notifies continuous frames (0x2A5F), each with SpO2 and pulse', async () => {
    const now = new Date('2026-03-01T09:00:00Z');
    const oximeter = new SimulatedPulseOximeter({ address: 'aa:00:00:00:01:01', serial: 'OX-0101', now: () => now, disconnectAfterSend: false });
    oximeter.spotCheck({ spo2: 97, pulseRate: 61, at: new Date(now.getTime() - 60_000) });
    oximeter.spotCheck({ spo2: 93, pulseRate: 104, at: now });
    radio.add(oximeter.peripheral);
    const { peripheral, characteristics } = await connect(radio, oximeter.address);
    expect(charOf(characteristics, '2a5e').properties).toEqual(['indicate']);
    expect(charOf(characteristics, '2a5f').properties).toEqual(['notify']);

    const spot: Buffer[] = [];
    const continuous: Buffer[] = [];
    charOf(characteristics, '2a5e').on('data', (data: Buffer) => spot.push(data));
    charOf(characteristics, '2a5f').on('data', (data: Buffer) => continuous.push(data));
    await charOf(characteristics, '2a5e').subscribeAsync();
    await waitFor('two spot-checks', () => spot.length === 2);
    expect(spot.map((f) => vitals('2a5e', f))).toEqual([
      {
        flags: 0x01, // Timestamp present
        readings: [
          ['spo2', 97, '2026-03-01T08:59:00.000Z'],
          ['heart_rate', 61, '2026-03-01T08:59:00.000Z'],
        ],
      },
      {
        flags: 0x01,
        readings: [
          ['spo2', 93, '2026-03-01T09:00:00.000Z'],
          ['heart_rate', 104, '2026-03-01T09:00:00.000Z'],
        ],
      },
    ]);

    await charOf(characteristics, '2a5f').subscribeAsync();
    expect(oximeter.continuous({ spo2: 95, pulseRate: 88 })).toBe(true);
    await waitFor('a continuous frame', () => continuous.length === 1);
    expect(continuous.map((f) => vitals('2a5f', f))).toEqual([
      {
        flags: 0x00, // SpO2PR-Normal only
        readings: [
          ['spo2', 95, null],
          ['heart_rate', 88, null],
        ],
      },
    ]);
    await peripheral.disconnectAsync();
  });

  it('an oximeter whose clock was never set flags it (bit 4) and still gives SpO2 and pulse, without a device time', async () => {
    const oximeter = new SimulatedPulseOximeter({ address: 'aa:00:00:00:01:02', serial: 'OX-0102', clock: { unset: true } });
    oximeter.spotCheck({ spo2: 96, pulseRate: 58 });
    radio.add(oximeter.peripheral);
    const { characteristics } = await connect(radio, oximeter.address);
    const spot: Buffer[] = [];
    charOf(characteristics, '2a5e').on('data', (data: Buffer) => spot.push(data));
    await charOf(characteristics, '2a5e').subscribeAsync();
    await waitFor('the spot-check', () => spot.length === 1);
    expect(spot.map((f) => vitals('2a5e', f))).toEqual([
      {
        flags: 0x11, // Timestamp present, Device Clock is Not Set
        readings: [
          ['spo2', 96, null],
          ['heart_rate', 58, null],
        ],
      },
    ]);
  });
});
