import { type Reading, type VitalKey, VITAL_SIGNS, buildReading, unwrap } from '@homeward/domain';
import { HOUR_MS } from '../shared/reading-window';
import { alertKind, deviceProblems, deliveryDelayMs, readingProblems, readingProblemsCleared } from './technical-problems.rule';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR_MS);

function reading(id: string, deviceId: string | null, vital: VitalKey, times: { measured: number; received: number; device?: number }): Reading {
  const built = unwrap(
    buildReading({
      patientId: 'p1',
      deviceId,
      vital,
      value: vital === 'spo2' ? 96 : 80,
      unit: VITAL_SIGNS[vital].unit,
      measuredAt: at(times.measured),
      deviceTime: at(times.device ?? times.measured),
      receivedAt: at(times.received),
      source: deviceId === null ? 'manual' : 'mqtt',
    }),
  );
  return { ...built, id };
}

describe('technical problems', () => {
  it('a device clock more than an hour off, and readings more than 6 h late, one finding per device and problem', () => {
    const fresh = [
      reading('1', 'scale', 'body_weight', { measured: 10, received: 10, device: 12 }), // clock 2 h ahead
      reading('2', 'scale', 'body_weight', { measured: 11, received: 11, device: 11.9 }), // 54 min: within the hour
      reading('3', 'cuff', 'spo2', { measured: 3, received: 10 }), // 7 h late
      reading('4', 'cuff', 'spo2', { measured: 4, received: 10 }), // 6 h: on the limit, not beyond
      reading('5', null, 'spo2', { measured: 0, received: 10 }), // typed in late: no device, not technical
    ];
    const findings = readingProblems('p1', fresh, at(10));
    expect(findings.map((f) => [f.rule, f.subject, f.readingIds])).toEqual([
      ['device-clock-off', 'device-clock-off:scale', ['1']],
      ['late-delivery', 'late-delivery:cuff', ['3']],
    ]);
    expect(findings.every((f) => f.details['technical'] === true && f.severity === 'low')).toBe(true);
    expect(findings[0]!.explanation).toMatch(/^Technical: a device's clock is ahead by about 2 hours\./);
    expect(findings[1]!.explanation).toMatch(/^Technical: 1 reading arrived up to 7 hours after it was measured \(latest measured 2026-03-01 11:00 UTC/);
    expect(findings[1]!.details['worstDelayMinutes']).toBe(420);
  });

  it('lateness counts up to now: a receipt stamped by a clock ahead of the engine is taken as now', () => {
    const r = reading('1', 'hub', 'spo2', { measured: 10, received: 30 });
    expect(deliveryDelayMs(r, at(11))).toBe(HOUR_MS);
    expect(readingProblems('p1', [r], at(11))).toEqual([]);
  });

  it("a device's newest reading, on time and with its clock right, clears its clock and delivery problems", () => {
    const fresh = [reading('1', 'cuff', 'spo2', { measured: 1, received: 9 }), reading('2', 'cuff', 'spo2', { measured: 8.9, received: 9.5 })];
    expect([...readingProblemsCleared(fresh, at(10))].sort()).toEqual(['device-clock-off:cuff', 'late-delivery:cuff']);
    expect([...readingProblemsCleared([reading('3', 'scale', 'body_weight', { measured: 9, received: 9, device: 7 })], at(10))]).toEqual(['late-delivery:scale']);
  });

  it('low battery (at or below 20 %) and malformed frames, per device', () => {
    const findings = deviceProblems(
      'p1',
      [
        { id: 'ox', type: 'pulse-oximeter', batteryLevel: 20, batteryAt: at(9) },
        { id: 'hub', type: 'hub', batteryLevel: 21, batteryAt: at(9) },
      ],
      [{ deviceId: 'hub', count: 3, lastAt: at(9.5), codes: ['gatt.truncated'] }],
      at(10),
    );
    expect(findings.map((f) => f.subject)).toEqual(['low-battery:ox', 'malformed-frames:hub']);
    expect(findings[0]!.explanation).toMatch(/pulse oximeter's battery was at 20 %/);
    expect(findings[1]!.explanation).toMatch(/^Technical: 3 messages from the hub in the last 24 hours held measurement frames Homeward could not read \(gatt\.truncated\), latest 2026-03-01 17:30 UTC \(0.5 hours ago\)/);
    expect(findings[1]!.measuredAt).toEqual(at(9.5));
  });

  it('kinds: silences, technical (by rule or marked technical) and the rest clinical', () => {
    expect(['patient-silent', 'hub-offline', 'device-unused', 'overdue-reading'].map((rule) => alertKind({ rule }))).toEqual(['silence', 'silence', 'silence', 'silence']);
    expect(alertKind({ rule: 'late-delivery' })).toBe('technical');
    expect(alertKind({ rule: 'pipeline-stalled', details: { technical: true } })).toBe('technical');
    expect(['news2-band', 'vital-threshold', 'weight-gain'].map((rule) => alertKind({ rule, details: {} }))).toEqual(['clinical', 'clinical', 'clinical']);
  });
});
