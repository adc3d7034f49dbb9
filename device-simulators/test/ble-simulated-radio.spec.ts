// The real noble central (lib/noble.js of @abandonware/noble) driven over the simulated radio.
// Never require '@abandonware/noble' itself: its index resolves the HCI socket bindings.
import { EventEmitter } from 'node:events';
import {
  currentTimeFromDate,
  currentTimeToDate,
  decodeCharacteristic,
  decodeCurrentTime,
  encodeCharacteristic,
  encodeCurrentTime,
  racpReportRecordsFrom,
} from '@homeward/gatt';
import {
  CCCD_INDICATE,
  CCCD_NOTIFY,
  SimulatedBloodPressureCuff,
  SimulatedGlucoseMeter,
  SimulatedPeripheral,
  SimulatedRadio,
  SimulatedThermometer,
  SimulatedWeightScale,
} from '../src';

const withBindings = require('@abandonware/noble/with-bindings') as (bindings: unknown) => Noble;

interface Characteristic extends EventEmitter {
  uuid: string;
  properties: string[];
  readAsync(): Promise<Buffer>;
  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void>;
  subscribeAsync(): Promise<void>;
  discoverDescriptorsAsync(): Promise<Array<{ uuid: string; readValueAsync(): Promise<Buffer> }>>;
}
interface Peripheral extends EventEmitter {
  id: string;
  address: string;
  state: string;
  advertisement: { localName?: string; serviceUuids: string[] };
  connectAsync(): Promise<void>;
  disconnectAsync(): Promise<void>;
  discoverAllServicesAndCharacteristicsAsync(): Promise<{ services: Array<{ uuid: string }>; characteristics: Characteristic[] }>;
}
interface Noble extends EventEmitter {
  state: string;
  startScanningAsync(uuids: string[], allowDuplicates: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function poweredOnNoble(radio: SimulatedRadio): Promise<Noble> {
  const noble = withBindings(radio);
  await new Promise<void>((resolve) => noble.on('stateChange', (state: string) => state === 'poweredOn' && resolve()));
  return noble;
}

async function discover(noble: Noble, address: string, services: string[] = []): Promise<Peripheral> {
  const found = new Promise<Peripheral>((resolve) => {
    const onDiscover = (p: Peripheral): void => {
      if (p.address !== address) return;
      noble.removeListener('discover', onDiscover);
      resolve(p);
    };
    noble.on('discover', onDiscover);
  });
  await noble.startScanningAsync(services, true);
  const peripheral = await found;
  await noble.stopScanningAsync();
  return peripheral;
}

const charOf = (chars: Characteristic[], uuid: string): Characteristic => {
  const found = chars.find((c) => c.uuid === uuid);
  if (!found) throw new Error(`no characteristic ${uuid}`);
  return found;
};

describe('SimulatedRadio under the real noble', () => {
  let radio: SimulatedRadio;
  beforeEach(() => {
    radio = new SimulatedRadio({ advertisingIntervalMs: 20 });
  });
  afterEach(() => radio.close());

  it('advertises health services; the scan filter keeps other peripherals out', async () => {
    const cuff = new SimulatedBloodPressureCuff({ address: 'AA:00:00:00:00:01', serial: 'BP-0001' });
    const speaker = new SimulatedPeripheral({ address: 'aa:00:00:00:00:99', localName: 'Speaker', advertisedServiceUuids: ['fe07'], services: [] });
    speaker.advertising = true;
    cuff.measure({ systolic: 120, diastolic: 80 });
    radio.add(cuff.peripheral, speaker);
    const noble = await poweredOnNoble(radio);
    const seen = new Set<string>();
    noble.on('discover', (p: Peripheral) => seen.add(p.address));
    const peripheral = await discover(noble, 'aa:00:00:00:00:01', ['1810', '1822']);
    expect(peripheral.id).toBe('aa0000000001');
    expect(peripheral.advertisement.serviceUuids).toEqual(['1810']);
    expect(peripheral.advertisement.localName).toBe('BP Cuff 0001');
    expect(seen.has('aa:00:00:00:00:99')).toBe(false);
  });

  it('a cuff with nothing stored does not advertise; one with a measurement does', async () => {
    const cuff = new SimulatedBloodPressureCuff({ address: 'aa:00:00:00:00:02', serial: 'BP-0002' });
    expect(cuff.peripheral.advertising).toBe(false);
    cuff.measure({ systolic: 130, diastolic: 85 });
    expect(cuff.peripheral.advertising).toBe(true);
  });

  it('sends its backlog as indications once the CCCD is enabled, then hangs up', async () => {
    const now = new Date('2026-03-01T09:00:00Z');
    const cuff = new SimulatedBloodPressureCuff({ address: 'aa:00:00:00:00:03', serial: 'BP-0003', batteryLevel: 64 });
    cuff.measure({ systolic: 121, diastolic: 79, pulseRate: 66, at: new Date(now.getTime() - 60_000) });
    cuff.measure({ systolic: 141, diastolic: 91, pulseRate: 72, at: now });
    radio.add(cuff.peripheral);
    const noble = await poweredOnNoble(radio);
    const peripheral = await discover(noble, cuff.address);
    await peripheral.connectAsync();
    const { services, characteristics } = await peripheral.discoverAllServicesAndCharacteristicsAsync();
    expect(services.map((s) => s.uuid).sort()).toEqual(['180a', '180f', '1805', '1810'].sort());
    expect(charOf(characteristics, '2a35').properties).toEqual(['indicate']);
    expect(charOf(characteristics, '2a2b').properties).toEqual(['read', 'notify']);

    const battery = decodeCharacteristic('2a19', await charOf(characteristics, '2a19').readAsync());
    expect(battery.ok && battery.value.measurement).toEqual({ level: 64 });
    const descriptors = await charOf(characteristics, '2a35').discoverDescriptorsAsync();
    expect(descriptors.map((d) => d.uuid)).toEqual(['2902']);

    const events: string[] = [];
    const frames: Buffer[] = [];
    const bp = charOf(characteristics, '2a35');
    bp.on('data', (data: Buffer, isNotification: boolean) => {
      frames.push(data);
      events.push(`data:${isNotification}`);
    });
    const disconnected = new Promise<number>((resolve) => peripheral.once('disconnect', resolve));
    peripheral.once('disconnect', () => events.push('disconnect'));
    await bp.subscribeAsync();
    expect(await disconnected).toBe(0x13);
    // noble's own subscribe wrote the CCCD with the indicate bit: the cuff recorded it.
    expect(cuff.peripheral.log.find((e) => e.op === 'cccd')?.code).toBe(CCCD_INDICATE);
    expect(events).toEqual(['data:true', 'data:true', 'disconnect']);
    const decoded = frames.map((f) => decodeCharacteristic('2a35', f));
    expect(decoded.map((d) => d.ok && d.value.readings.find((r) => r.vital === 'systolic_bp')?.value)).toEqual([121, 141]);
    expect(cuff.stored).toHaveLength(0);
    expect(peripheral.state).toBe('disconnected');
  });

  it('reports a wrong clock through Current Time, and accepts a new time when writable', async () => {
    const scale = new SimulatedWeightScale({ address: 'aa:00:00:00:00:04', serial: 'SC-0004', clock: { offsetMs: -3 * 3_600_000, writable: true }, disconnectAfterSend: false });
    scale.weigh({ kg: 81.2 });
    radio.add(scale.peripheral);
    const noble = await poweredOnNoble(radio);
    const peripheral = await discover(noble, scale.address);
    await peripheral.connectAsync();
    const { characteristics } = await peripheral.discoverAllServicesAndCharacteristicsAsync();
    const ct = charOf(characteristics, '2a2b');
    expect(ct.properties).toEqual(['read', 'write', 'notify']);
    const read = decodeCurrentTime(await ct.readAsync());
    const deviceNow = read.ok ? currentTimeToDate(read.value) : null;
    expect(deviceNow).not.toBeNull();
    expect(Date.now() - (deviceNow?.getTime() ?? 0)).toBeGreaterThan(3 * 3_600_000 - 5_000);
    await ct.writeAsync(Buffer.from(encodeCurrentTime(currentTimeFromDate(new Date()))), false);
    expect(Math.abs(scale.clock?.offsetMs ?? Infinity)).toBeLessThan(2_000);
    await peripheral.disconnectAsync();
  });

  it('refuses a write to a read-only clock with an ATT error, which noble never reports', async () => {
    const thermometer = new SimulatedThermometer({ address: 'aa:00:00:00:00:05', serial: 'TH-0005', clock: { offsetMs: 600_000 }, advertising: 'always' });
    radio.add(thermometer.peripheral);
    const noble = await poweredOnNoble(radio);
    const peripheral = await discover(noble, thermometer.address);
    await peripheral.connectAsync();
    const { characteristics } = await peripheral.discoverAllServicesAndCharacteristicsAsync();
    const ct = charOf(characteristics, '2a2b');
    let answered = false;
    void ct.writeAsync(Buffer.from(encodeCurrentTime(currentTimeFromDate(new Date()))), false).then(() => (answered = true));
    await waitFor('the ATT error', () => thermometer.peripheral.log.find((e) => e.op === 'att-error'));
    // The error is on the peripheral's side only; noble's write callback stays pending.
    expect(answered).toBe(false);
    expect(thermometer.clock?.offsetMs).toBe(600_000);
    await peripheral.disconnectAsync();
  });

  it('answers a glucose RACP request with only the records at or after the sequence number', async () => {
    const meter = new SimulatedGlucoseMeter({ address: 'aa:00:00:00:00:06', serial: 'GL-0006', firstSequenceNumber: 1 });
    for (const mmol of [5.1, 6.2, 7.3, 8.4]) meter.addRecord({ mmolPerL: mmol });
    radio.add(meter.peripheral);
    const noble = await poweredOnNoble(radio);
    const peripheral = await discover(noble, meter.address, ['1808']);
    await peripheral.connectAsync();
    const { characteristics } = await peripheral.discoverAllServicesAndCharacteristicsAsync();
    const measurement = charOf(characteristics, '2a18');
    const racp = charOf(characteristics, '2a52');
    const values: number[] = [];
    measurement.on('data', (data: Buffer) => {
      const decoded = decodeCharacteristic('2a18', data);
      if (decoded.ok && decoded.value.characteristic === 'glucose-measurement') values.push(decoded.value.measurement.sequenceNumber);
    });
    const response = new Promise<Buffer>((resolve) => racp.once('data', resolve));
    await measurement.subscribeAsync();
    await racp.subscribeAsync();
    expect(meter.peripheral.cccdOf('2a18')).toBe(CCCD_NOTIFY);
    expect(meter.peripheral.cccdOf('2a52')).toBe(CCCD_INDICATE);
    await racp.writeAsync(Buffer.from(encodeCharacteristic('record-access-control-point', racpReportRecordsFrom(3))), false);
    const decodedResponse = decodeCharacteristic('2a52', await response);
    expect(decodedResponse.ok && decodedResponse.value.measurement).toEqual({ opCode: 'response-code', requestOpCode: 'report-stored-records', responseCode: 'success' });
    expect(values).toEqual([3, 4]);
    await peripheral.disconnectAsync();
  });

  it('like HCI, a connection to an absent device stays pending until cancelled or the device returns', async () => {
    const cuff = new SimulatedBloodPressureCuff({ address: 'aa:00:00:00:00:07', serial: 'BP-0007', advertising: 'always' });
    radio.add(cuff.peripheral);
    const noble = await poweredOnNoble(radio);
    const peripheral = await discover(noble, cuff.address);
    radio.outOfRange(cuff.peripheral);
    const cancelled = peripheral.connectAsync().then(
      () => 'connected',
      (error: Error) => `error: ${error.message}`,
    );
    await new Promise((resolve) => setImmediate(resolve));
    // noble's Peripheral reports the cancel at once; the controller's LE Connection Complete (status
    // 0x02) follows as a second, stale 'connect' error, which would fail a connect made meanwhile.
    const stale = new Promise<Error>((resolve) => peripheral.once('connect', () => peripheral.once('connect', resolve)));
    (peripheral as unknown as { cancelConnect(): void }).cancelConnect();
    expect(await cancelled).toBe('error: connection canceled!');
    expect((await stale).message).toBe('Unknown Connection Identifier (0x2)');

    const pending = peripheral.connectAsync().then(() => 'connected');
    radio.backInRange(cuff.peripheral);
    expect(await pending).toBe('connected');
    await peripheral.disconnectAsync();
  });
});
