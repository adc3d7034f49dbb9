import { isDeviceOffline } from '@homeward/rules';
import type { DeviceContactState } from '@homeward/storage';
import { asSeenAt } from './silence-and-device.checks';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const hub = (lastSeenAt: Date | null, connection: DeviceContactState['connection']): DeviceContactState => ({
  id: 'h',
  type: 'hub',
  patientId: 'p',
  lastSeenAt,
  batteryLevel: null,
  batteryAt: null,
  connection,
});
const offline = (d: DeviceContactState) => isDeviceOffline(d.lastSeenAt, d.connection, NOW, 30 * 60_000);

describe('asSeenAt: contact stamped by a clock ahead of the engine', () => {
  it('leaves times up to now alone', () => {
    const device = hub(later(-5), { state: 'online', at: later(-10) });
    expect(asSeenAt(device, NOW)).toBe(device);
  });

  it('takes later times as now, keeping "heard from after its last will" and "offline since it"', () => {
    const back = asSeenAt(hub(later(90), { state: 'offline', at: later(60) }), NOW);
    expect(back.lastSeenAt).toEqual(NOW);
    expect(back.connection!.at.getTime()).toBe(NOW.getTime() - 1);
    expect(offline(back)).toBe(false);

    const gone = asSeenAt(hub(later(60), { state: 'offline', at: later(90) }), NOW);
    expect([gone.lastSeenAt, gone.connection!.at]).toEqual([NOW, NOW]);
    expect(offline(gone)).toBe(true);

    const will = asSeenAt(hub(later(-20), { state: 'offline', at: later(30) }), NOW);
    expect([will.lastSeenAt, will.connection!.at]).toEqual([later(-20), NOW]);
    expect(offline(will)).toBe(true);

    const seen = asSeenAt(hub(later(30), null), NOW);
    expect([seen.lastSeenAt, seen.connection]).toEqual([NOW, null]);
  });
});
