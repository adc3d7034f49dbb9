import { checkPlausible } from '@homeward/domain';
import { ReadingCollector, shiftDecimal } from './readings';

describe('ReadingCollector', () => {
  it('turns every IEEE 11073 special value into an absence with the PHD IG reason', () => {
    const collector = new ReadingCollector();
    collector.add('spo2', { special: 'NaN' }, '%', null);
    collector.add('spo2', { special: 'NRes' }, '%', null);
    collector.add('spo2', { special: '+INF' }, '%', null);
    collector.add('spo2', { special: '-INF' }, '%', null);
    collector.add('spo2', { special: 'reserved' }, '%', null);
    const { readings, absent } = collector.result();
    expect(readings).toEqual([]);
    expect(absent.map((a) => a.reason)).toEqual(['not-a-number', 'error', 'positive-infinity', 'negative-infinity', 'error']);
  });

  it('passes absurd but finite values on as numbers, for the ingest pipeline to reject as implausible', () => {
    const collector = new ReadingCollector();
    collector.add('body_temperature', 6.5536e19, 'Cel', null);
    collector.add('body_temperature', 1e-7, 'Cel', null);
    const { readings } = collector.result();
    expect(readings.map((r) => r.value)).toEqual([6.5536e19, 0]);
    for (const reading of readings) expect(checkPlausible(reading.vital, reading.value)).toMatchObject({ code: 'reading.implausible' });
  });

  it('converts to the canonical unit, copies the device time and removes duplicate flags', () => {
    const time = new Date('2024-03-15T08:30:00Z');
    const collector = new ReadingCollector();
    collector.add('systolic_bp', 16, 'kPa', time, ['questionable', 'questionable']);
    const [reading] = collector.result().readings;
    expect(reading).toEqual({ vital: 'systolic_bp', value: 120, unit: 'mm[Hg]', deviceTime: time, status: ['questionable'] });
    expect(reading?.deviceTime).not.toBe(time);
  });
});

describe('shiftDecimal', () => {
  it.each([
    [0.0012, 5, 120],
    [0.0056, 3, 5.6],
    [1.2e-7, 5, 0.012],
    [120, -5, 0.0012],
    [0, 5, 0],
  ])('shiftDecimal(%s, %s) = %s exactly', (value, places, expected) => {
    expect(shiftDecimal(value, places)).toBe(expected);
  });
});
