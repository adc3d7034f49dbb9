import { type Reading, type VitalKey, VITAL_SIGNS, buildReading, unwrap } from '@homeward/domain';
import type { ExpectedReading } from '../model/care-plan.model';
import type { DeviceContact } from '../model/device-contact.model';
import { HOUR_MS, type OverdueInput, overdueReadingRule } from './overdue-reading.rule';

const ADMITTED = new Date('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(ADMITTED.getTime() + hours * HOUR_MS);
const WEIGHT: ExpectedReading = { vital: 'body_weight', everyHours: 24, graceHours: 2, severity: 'low' };

function reading(vital: VitalKey, value: number, hours: number): Reading {
  return unwrap(
    buildReading({ patientId: 'p1', deviceId: 'd1', vital, value, unit: VITAL_SIGNS[vital].unit, measuredAt: at(hours), deviceTime: at(hours), receivedAt: at(hours), source: 'mqtt' }),
  );
}

function device(type: DeviceContact['type'], lastSeenHours: number | null, batteryLevel: number | null = null): DeviceContact {
  return { id: `${type}-1`, type, lastSeenAt: lastSeenHours === null ? null : at(lastSeenHours), batteryLevel };
}

function input(overrides: Partial<OverdueInput>): OverdueInput {
  return { patientId: 'p1', expected: [WEIGHT], latest: [], devices: [], admittedAt: ADMITTED, now: at(10), hubOfflineAfterMinutes: 30, ...overrides };
}

describe('overdue readings', () => {
  it('is not overdue until the interval and the grace have passed, counting from the latest measured reading', () => {
    const latest = [reading('body_weight', 80, 24)];
    expect(overdueReadingRule(input({ latest, now: at(24 + 25.9) }))).toEqual([]);
    const [overdue] = overdueReadingRule(input({ latest, now: at(24 + 26) }));
    expect(overdue).toMatchObject({ rule: 'overdue-reading', subject: 'overdue:body_weight', severity: 'low', dueAt: at(50) });
  });

  it('counts from admission before the first reading, and each further missed interval moves the due time on', () => {
    expect(overdueReadingRule(input({ now: at(26) }))[0]).toMatchObject({ dueAt: at(26), details: { missedIntervals: 1, lastMeasuredAt: null } });
    expect(overdueReadingRule(input({ now: at(60) }))[0]).toMatchObject({ dueAt: at(50), details: { missedIntervals: 2 } });
  });

  it('hub offline: the hub has been silent longer than the limit', () => {
    const [overdue] = overdueReadingRule(input({ now: at(30), devices: [device('hub', 29), device('weight-scale', 0)] }));
    expect(overdue?.cause).toBe('hub-offline');
    expect(overdue?.explanation).toMatch(/The home hub has not been heard from since 2026-03-02 13:00 UTC \(1 hour ago\)/);
  });

  it('device unused: the patient measures other things, not this one', () => {
    const [overdue] = overdueReadingRule(
      input({ now: at(30), latest: [reading('spo2', 96, 28)], devices: [device('hub', 29.9), device('weight-scale', null, 10), device('pulse-oximeter', 28)] }),
    );
    expect(overdue?.cause).toBe('device-unused');
    expect(overdue?.explanation).toMatch(/^Weight overdue: expected every 24 hours, none measured since admission 2026-03-01 08:00 UTC \(30 hours ago\)\. The patient is measuring \(SpO2 2026-03-02 12:00 UTC \(2 hours ago\)\) but not with the weight scale, never in contact\. Its battery was at 10 %/);
  });

  it('a hub whose last will said offline is offline, though the status message itself was just received', () => {
    const hub: DeviceContact = { ...device('hub', 29.9), connection: { state: 'offline', at: at(29.9) } };
    expect(overdueReadingRule(input({ now: at(30), devices: [hub, device('weight-scale', 0)] }))[0]?.cause).toBe('hub-offline');
  });

  it('patient not measuring: nothing from the patient while the hub is online, or with no hub at all', () => {
    expect(overdueReadingRule(input({ now: at(30), devices: [device('hub', 29.9), device('weight-scale', 0)] }))[0]?.cause).toBe('patient-not-measuring');
    expect(overdueReadingRule(input({ now: at(30) }))[0]?.cause).toBe('patient-not-measuring');
  });
});
