import type { ReadingStatusFlag } from './reading';
import { type ClockCorrectionInput, correctDeviceClock } from './device-clock';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const t = (iso: string) => new Date(iso);
const MIN = 60_000;
/** 5 minutes, Homeward's default HOMEWARD_MAX_CLOCK_SKEW_SECONDS. */
const maxSkewMs = 5 * MIN;
/** What the ingest pipeline allows an MQTT send to take by default (= maxSkewMs). */
const mqtt = { maxTransitMs: maxSkewMs };

interface Case {
  readonly name: string;
  readonly input: Partial<ClockCorrectionInput> & Pick<ClockCorrectionInput, 'deviceTime' | 'deviceClockAt'>;
  readonly measuredAt: string;
  readonly correctionMs: number;
  readonly flags: readonly ReadingStatusFlag[];
}

// receivedAt is 12:00:00 throughout; deviceClockAt is the device's clock when it sent (sentAt).
const cases: readonly Case[] = [
  // No coincident timestamp: the device time is used as sent, within the guards.
  { name: 'no device time: receipt, clock-unset', input: { deviceTime: null, deviceClockAt: null }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-unset'] },
  { name: 'no pair, a backlog reading from days ago stays where it belongs', input: { deviceTime: t('2026-02-27T08:00:00Z'), deviceClockAt: null }, measuredAt: '2026-02-27T08:00:00Z', correctionMs: 0, flags: [] },
  { name: 'no pair, device time in the future: future-dated at receipt', input: { deviceTime: t('2026-03-02T09:00:00Z'), deviceClockAt: null }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['future-dated'] },
  { name: 'no pair, device time before 2000 (reset clock): receipt, clock-unset and clock-skewed', input: { deviceTime: t('1970-01-01T00:03:00Z'), deviceClockAt: null }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-unset', 'clock-skewed'] },

  // A right clock, jitter either way.
  { name: 'right clock, 500 ms transit', input: { deviceTime: t('2026-03-01T11:59:00Z'), deviceClockAt: t('2026-03-01T11:59:59.500Z') }, measuredAt: '2026-03-01T11:59:00Z', correctionMs: 0, flags: [] },
  { name: 'clock 1.5 s ahead is jitter', input: { deviceTime: t('2026-03-01T11:59:00Z'), deviceClockAt: t('2026-03-01T12:00:01.500Z') }, measuredAt: '2026-03-01T11:59:00Z', correctionMs: 0, flags: [] },

  // Behind: delay or a slow clock.
  { name: 'direct pair (BLE/FHIR: no transit) 3 min behind is a slow clock: corrected', input: { deviceTime: t('2026-03-01T11:50:00Z'), deviceClockAt: t('2026-03-01T11:57:00Z') }, measuredAt: '2026-03-01T11:53:00Z', correctionMs: 3 * MIN, flags: ['clock-corrected'] },
  { name: 'direct pair at the 2 s edge is not corrected', input: { deviceTime: t('2026-03-01T11:00:00Z'), deviceClockAt: t('2026-03-01T11:59:58Z') }, measuredAt: '2026-03-01T11:00:00Z', correctionMs: 0, flags: [] },
  { name: 'direct pair just past the edge is corrected', input: { deviceTime: t('2026-03-01T11:00:00Z'), deviceClockAt: t('2026-03-01T11:59:57.999Z') }, measuredAt: '2026-03-01T11:00:02.001Z', correctionMs: 2_001, flags: ['clock-corrected'] },
  { name: 'MQTT first delivery 3 min late (a reconnection) is delay: not moved, not flagged', input: { ...mqtt, deviceTime: t('2026-03-01T11:56:50Z'), deviceClockAt: t('2026-03-01T11:57:00Z') }, measuredAt: '2026-03-01T11:56:50Z', correctionMs: 0, flags: [] },
  { name: 'MQTT first delivery exactly at the transit bound is delay', input: { ...mqtt, deviceTime: t('2026-03-01T11:54:00Z'), deviceClockAt: t('2026-03-01T11:55:00Z') }, measuredAt: '2026-03-01T11:54:00Z', correctionMs: 0, flags: [] },
  { name: 'MQTT first delivery 2 h behind is a slow clock (DST not applied): corrected and skewed', input: { ...mqtt, deviceTime: t('2026-03-01T09:59:00Z'), deviceClockAt: t('2026-03-01T10:00:00Z') }, measuredAt: '2026-03-01T11:59:00Z', correctionMs: 120 * MIN, flags: ['clock-corrected', 'clock-skewed'] },
  { name: 'MQTT redelivery (DUP) 40 min after the first attempt: delay, never moved, not flagged', input: { ...mqtt, delayed: true, deviceTime: t('2026-03-01T11:19:30Z'), deviceClockAt: t('2026-03-01T11:20:00Z') }, measuredAt: '2026-03-01T11:19:30Z', correctionMs: 0, flags: [] },
  { name: 'redelivery of a message 3 days old: not moved', input: { ...mqtt, delayed: true, deviceTime: t('2026-02-26T07:00:00Z'), deviceClockAt: t('2026-02-26T07:00:05Z') }, measuredAt: '2026-02-26T07:00:00Z', correctionMs: 0, flags: [] },

  // Ahead: no delay can do that, so it is always clock error.
  { name: 'clock 3 min ahead, first delivery: corrected', input: { ...mqtt, deviceTime: t('2026-03-01T12:02:00Z'), deviceClockAt: t('2026-03-01T12:03:00Z') }, measuredAt: '2026-03-01T11:59:00Z', correctionMs: -3 * MIN, flags: ['clock-corrected'] },
  { name: 'clock 3 h ahead, redelivery: still corrected and skewed', input: { ...mqtt, delayed: true, deviceTime: t('2026-03-01T14:30:00Z'), deviceClockAt: t('2026-03-01T15:00:00Z') }, measuredAt: '2026-03-01T11:30:00Z', correctionMs: -3 * 60 * MIN, flags: ['clock-corrected', 'clock-skewed'] },
  { name: 'after correction still in the future (stamp after sentAt): future-dated at receipt', input: { deviceTime: t('2026-03-01T13:30:00Z'), deviceClockAt: t('2026-03-01T13:00:00Z') }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: -60 * MIN, flags: ['clock-corrected', 'clock-skewed', 'future-dated'] },

  // Bounds.
  { name: 'a clock a year less a day slow is still corrected', input: { ...mqtt, deviceTime: t('2025-03-02T11:00:00Z'), deviceClockAt: t('2025-03-02T12:00:00Z') }, measuredAt: '2026-03-01T11:00:00Z', correctionMs: 364 * 24 * 60 * MIN, flags: ['clock-corrected', 'clock-skewed'] },
  { name: 'sentAt in year 9999 (would be 5948 BC): receipt, clock-unset and clock-skewed', input: { ...mqtt, deviceTime: t('2026-03-01T11:00:00Z'), deviceClockAt: t('9999-12-31T23:59:59Z') }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-skewed', 'clock-unset'] },
  { name: 'sentAt in 2030 for a 2026 stamp (would be 2022): beyond the bound, receipt', input: { ...mqtt, deviceTime: t('2026-03-01T11:00:00Z'), deviceClockAt: t('2030-03-01T12:00:00Z') }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-skewed', 'clock-unset'] },
  { name: 'sentAt in 1990 for a 2026 stamp: beyond the bound, receipt', input: { ...mqtt, deviceTime: t('2026-03-01T10:00:00Z'), deviceClockAt: t('1990-06-01T00:00:00Z') }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-skewed', 'clock-unset'] },
  { name: 'clock reset to 2010 (both times): beyond the bound, receipt', input: { ...mqtt, deviceTime: t('2010-01-01T00:05:00Z'), deviceClockAt: t('2010-01-01T00:06:00Z') }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-skewed', 'clock-unset'] },
  { name: 'a correction that would land before 2000 (within a custom 30-year bound): receipt', input: { ...mqtt, maxCorrectionMs: 30 * 366 * 24 * 60 * MIN, deviceTime: t('2026-03-01T11:00:00Z'), deviceClockAt: t('2053-01-01T00:00:00Z') }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-skewed', 'clock-unset'] },
  { name: 'a custom 30-year bound corrects a clock reset to 2000 exactly', input: { ...mqtt, maxCorrectionMs: 30 * 366 * 24 * 60 * MIN, deviceTime: t('2000-01-01T00:05:00Z'), deviceClockAt: t('2000-01-01T00:06:00Z') }, measuredAt: '2026-03-01T11:59:00Z', correctionMs: Date.parse('2026-03-01T12:00:00Z') - Date.parse('2000-01-01T00:06:00Z'), flags: ['clock-corrected', 'clock-skewed'] },
  { name: 'a custom bound of 1 h: a 2 h correction is beyond it, receipt', input: { ...mqtt, maxCorrectionMs: 60 * MIN, deviceTime: t('2026-03-01T09:59:00Z'), deviceClockAt: t('2026-03-01T10:00:00Z') }, measuredAt: '2026-03-01T12:00:00Z', correctionMs: 0, flags: ['clock-skewed', 'clock-unset'] },
];

describe('correctDeviceClock', () => {
  it.each(cases)('$name', ({ input, measuredAt, correctionMs, flags }) => {
    const result = correctDeviceClock({ receivedAt, maxSkewMs, ...input });
    expect({ measuredAt: result.measuredAt.toISOString(), correctionMs: result.correctionMs, flags: [...result.flags].sort() }).toEqual({
      measuredAt: new Date(measuredAt).toISOString(),
      correctionMs,
      flags: [...flags].sort(),
    });
  });

  it('reports the offset as measured, delay included, even when it is taken as delay', () => {
    const result = correctDeviceClock({ receivedAt, maxSkewMs, ...mqtt, delayed: true, deviceTime: t('2026-03-01T11:19:30Z'), deviceClockAt: t('2026-03-01T11:20:00Z') });
    expect(result.offsetMs).toBe(40 * MIN);
    expect(correctDeviceClock({ receivedAt, maxSkewMs, deviceTime: t('2026-03-01T11:19:30Z'), deviceClockAt: null }).offsetMs).toBeNull();
  });

  it('never places a reading before 2000 or after receipt, whatever the pair says', () => {
    const times = ['1900-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2000-01-01T00:00:00Z', '2025-03-01T00:00:00Z', '2026-03-01T11:59:00Z', '2026-03-01T12:10:00Z', '2100-01-01T00:00:00Z', '9999-12-31T23:59:59Z'].map(t);
    for (const deviceTime of times) {
      for (const deviceClockAt of [null, ...times]) {
        for (const delayed of [false, true]) {
          const { measuredAt } = correctDeviceClock({ receivedAt, maxSkewMs, ...mqtt, delayed, deviceTime, deviceClockAt });
          expect(measuredAt.getTime()).toBeGreaterThanOrEqual(Date.parse('2000-01-01T00:00:00Z'));
          expect(measuredAt.getTime()).toBeLessThanOrEqual(receivedAt.getTime() + 2_000);
        }
      }
    }
  });
});
