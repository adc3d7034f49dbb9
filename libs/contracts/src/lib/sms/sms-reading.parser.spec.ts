import { parseSmsReadings } from './sms-reading.parser';
import { editDistance } from './sms-words';

/** A parse as one line: readings as vital=value+unit, questions as ?code. */
function summary(text: string): string {
  const parsed = parseSmsReadings(text);
  if (parsed.help) return 'HELP';
  const readings = parsed.understood.flatMap((u) => u.readings.map((r) => `${r.vital}=${r.value}${r.unit}`));
  return [...readings, ...parsed.problems.map((p) => `?${p.code}`)].join(' ');
}

const BP = (s: number, d: number, unit = 'mm[Hg]') => `systolic_bp=${s}${unit} diastolic_bp=${d}${unit}`;
const PULSE = (v: number) => `heart_rate=${v}/min`;
const SATS = (v: number) => `spo2=${v}%`;
const KG = (v: number) => `body_weight=${v}kg`;
const TEMP = (v: number) => `body_temperature=${v}Cel`;
const TEMP_F = (v: number) => `body_temperature=${v}[degF]`;

// Real-world phrasings: what patients and carers text, typos, wrong units and all.
const TABLE: ReadonlyArray<readonly [string, string]> = [
  // the issue's own examples
  ['BP 142/88 pulse 72', `${BP(142, 88)} ${PULSE(72)}`],
  ['sats 94', SATS(94)],
  ['weight 81.2', KG(81.2)],
  ['temp 37.9', TEMP(37.9)],
  // blood pressure, every way it is written
  ['bp 120/80', BP(120, 80)],
  ['BP: 135/85', BP(135, 85)],
  ['b.p. 150/95', BP(150, 95)],
  ['B/P 128/76', BP(128, 76)],
  ['Blood pressure 140/90', BP(140, 90)],
  ['blood pressure 140 over 90', BP(140, 90)],
  ['bloodpressure 118/72', BP(118, 72)],
  ['bp 142 88', BP(142, 88)],
  ['bp 142-88', BP(142, 88)],
  ['bp 142 / 88', BP(142, 88)],
  ['142/88', BP(142, 88)],
  ['142/88 bp', BP(142, 88)],
  ['bp 142/88mmhg', BP(142, 88)],
  ['BP 142/88 mmHg', BP(142, 88)],
  ['presure 160/100', BP(160, 100)],
  ['pressure 160/100', BP(160, 100)],
  ['preasure 133/81', BP(133, 81)],
  ['bp 14o/9o', BP(140, 90)],
  ['bp 19/12 kpa', BP(19, 12, 'kPa')],
  ['BP 210/120', BP(210, 120)],
  ['bp 88/142', '?sms.bp-order'],
  ['bp 142', '?sms.bp-incomplete'],
  ['bp', '?sms.missing-value'],
  ['bp 420/88', '?sms.out-of-range'],
  // a cuff's three numbers
  ['142/88 72', `${BP(142, 88)} ${PULSE(72)}`],
  ['142/88/72', `${BP(142, 88)} ${PULSE(72)}`],
  ['bp 142 88 72', `${BP(142, 88)} ${PULSE(72)}`],
  ['bp 130/80 p 64', `${BP(130, 80)} ${PULSE(64)}`],
  ['BP 130/80 HR 64', `${BP(130, 80)} ${PULSE(64)}`],
  ['Blood pressure 140 over 90, heart rate 65', `${BP(140, 90)} ${PULSE(65)}`],
  ['bp 145/92 pulse rate 80', `${BP(145, 92)} ${PULSE(80)}`],
  ['bp142/88pulse72', `${BP(142, 88)} ${PULSE(72)}`],
  ['BP 142/88, Pulse 72.', `${BP(142, 88)} ${PULSE(72)}`],
  ['bp 142/88\npulse 72', `${BP(142, 88)} ${PULSE(72)}`],
  ['142/88 bp 72 pulse', `${BP(142, 88)} ${PULSE(72)}`],
  // pulse
  ['pulse 72', PULSE(72)],
  ['Pulse: 72 bpm', PULSE(72)],
  ['pluse 72', PULSE(72)],
  ['plus 88', PULSE(88)],
  ['puls 60', PULSE(60)],
  ['hr 110', PULSE(110)],
  ['heart rate 95', PULSE(95)],
  ['72 bpm', PULSE(72)],
  ['72bpm', PULSE(72)],
  ['bpm 72', PULSE(72)],
  ['pulse 72/80', '?sms.unlabelled-number'],
  ['pulse 700', '?sms.out-of-range'],
  // oxygen saturation
  ['spo2 94', SATS(94)],
  ['SpO2 94%', SATS(94)],
  ['sp02 93', SATS(93)],
  ['SPO 2 96', SATS(96)],
  ['o2 94', SATS(94)],
  ['O2 sats 95%', SATS(95)],
  ['02 sats 95', SATS(95)],
  ['oxygen 92', SATS(92)],
  ['oxygen level 92%', SATS(92)],
  ['sat 97', SATS(97)],
  ['stats 94', SATS(94)],
  ['satts 93', SATS(93)],
  ['saturation 91', SATS(91)],
  ['94%', SATS(94)],
  ['94 %', SATS(94)],
  ['94 percent', SATS(94)],
  ['94 sats', SATS(94)],
  ['sats 194', '?sms.out-of-range'],
  ['sats 9.4', '?sms.out-of-range'],
  // weight, in the units people weigh in
  ['weight 81.2 kg', KG(81.2)],
  ['weight 81,2', KG(81.2)],
  ['Weight: 81.2kg', KG(81.2)],
  ['wt 80', KG(80)],
  ['wieght 79.5', KG(79.5)],
  ['wight 79.5', KG(79.5)],
  ['weigh 102.4', KG(102.4)],
  ['weighed 64.3 kilos', KG(64.3)],
  ['81.2kg', KG(81.2)],
  ['weight 12st 4lb', 'body_weight=12.2857[stone_av]'],
  ['weight 12 stone 4', 'body_weight=12.2857[stone_av]'],
  ['weight 12st', 'body_weight=12[stone_av]'],
  ['13 stone', 'body_weight=13[stone_av]'],
  ['weight 180 lbs', 'body_weight=180[lb_av]'],
  ['weight 180lb', 'body_weight=180[lb_av]'],
  ['weight 12.5', '?sms.unit-ambiguous'],
  ['weight 250', '?sms.unit-ambiguous'],
  ['weight 8O.5', KG(80.5)],
  // temperature, Celsius and Fahrenheit
  ['temp 37.9c', TEMP(37.9)],
  ['Temp 37.9°C', TEMP(37.9)],
  ['temp 37,9', TEMP(37.9)],
  ['temperature 38.2', TEMP(38.2)],
  ['temprature 38.2', TEMP(38.2)],
  ['tempreture 36.4', TEMP(36.4)],
  ['tmp 36.8', TEMP(36.8)],
  ['tem 36.8', TEMP(36.8)],
  ['t 38.5', TEMP(38.5)],
  ['37.9c', TEMP(37.9)],
  ['37.9 degrees', TEMP(37.9)],
  ['37.9°', TEMP(37.9)],
  ['temp 99.5f', TEMP_F(99.5)],
  ['temp 100.4', TEMP_F(100.4)],
  ['temp 101 F', TEMP_F(101)],
  ['temp 98.6 degrees f', TEMP_F(98.6)],
  ['temp 3.79', '?sms.out-of-range'],
  ['temp', '?sms.missing-value'],
  // glucose and breathing
  ['sugar 6.4', 'blood_glucose=6.4mmol/L'],
  ['blood sugar 7.2 mmol', 'blood_glucose=7.2mmol/L'],
  ['bm 5.5', 'blood_glucose=5.5mmol/L'],
  ['glucose 120', 'blood_glucose=120mg/dL'],
  ['sugar 110 mg/dl', 'blood_glucose=110mg/dL'],
  ['rr 18', 'respiration_rate=18/min'],
  ['breathing 22', 'respiration_rate=22/min'],
  ['resp rate 16', 'respiration_rate=16/min'],
  // several at once, the way people actually write
  ['T 38.5 sats 92 p 110', `${TEMP(38.5)} ${SATS(92)} ${PULSE(110)}`],
  ['bp 142/88 pulse 72 weight 81.2 temp 37.9 sats 94', `${BP(142, 88)} ${PULSE(72)} ${KG(81.2)} ${TEMP(37.9)} ${SATS(94)}`],
  ['BP 142/88. Sats 94%. Temp 37.1', `${BP(142, 88)} ${SATS(94)} ${TEMP(37.1)}`],
  ['Morning readings: BP 150/90, pulse 82, weight 88.4kg', `${BP(150, 90)} ${PULSE(82)} ${KG(88.4)}`],
  ['Hi nurse, my BP is 142/88 and pulse 72 thanks', `${BP(142, 88)} ${PULSE(72)}`],
  ["Mum's sats 93 and temp 38.1 this morning x", `${SATS(93)} ${TEMP(38.1)}`],
  ['94 sats 72 pulse', `${SATS(94)} ${PULSE(72)}`],
  ['sats 94 72 pulse', `${SATS(94)} ${PULSE(72)}`],
  ['at 8am bp 150/95', BP(150, 95)],
  ['8.30 am BP 150/95 pulse 70', `${BP(150, 95)} ${PULSE(70)}`],
  ['07:45 sats 96', SATS(96)],
  ['bp 142/88 sats 194', `${BP(142, 88)} ?sms.out-of-range`],
  ['weight 81.2 and 72', `${KG(81.2)} ?sms.unlabelled-number`],
  ['sats 95 pulse', `${SATS(95)} ?sms.missing-value`],
  // nothing we can read: a question, never a guess
  ['72', '?sms.unlabelled-number'],
  ['37.9', '?sms.unlabelled-number'],
  ['hello', '?sms.unrecognised'],
  ['feeling a bit dizzy today', '?sms.unrecognised'],
  ['', '?sms.empty'],
  ['   ', '?sms.empty'],
  ['ok thanks', '?sms.unrecognised'],
  // asking for help
  ['help', 'HELP'],
  ['HELP', 'HELP'],
  ['?', 'HELP'],
];

describe('parseSmsReadings: real-world phrasings', () => {
  it('has at least 100 phrasings', () => expect(TABLE.length).toBeGreaterThanOrEqual(100));

  it.each(TABLE)('%j → %s', (text, expected) => {
    expect(summary(text)).toBe(expected);
  });
});

describe('parseSmsReadings: what the sender is told', () => {
  it('reads back what it understood in the sender\'s own units', () => {
    const parsed = parseSmsReadings('bp 142/88 72, weight 12st 4lb, temp 99.5f');
    expect(parsed.understood.map((u) => u.text)).toEqual(['BP 142/88', 'pulse 72', 'weight 12 st 4 lb', 'temperature 99.5°F']);
  });

  it('asks a question that names the fragment and gives an example', () => {
    const [problem] = parseSmsReadings('weight 12.5').problems;
    expect(problem).toEqual({ code: 'sms.unit-ambiguous', fragment: '12.5', question: 'Was your weight 12.5 stone or kilos? Please reply WEIGHT 12.5 ST or WEIGHT 12.5 KG.' });
    expect(parseSmsReadings('72').problems[0]?.question).toMatch(/^What was 72\? Please text your readings like: BP 142\/88/);
  });

  it('never throws on hostile input', () => {
    for (const text of ['\u0000\u0000', '9'.repeat(5000), '////////', '1/2/3/4/5/6', 'bp '.repeat(300), '\uD800', '😀 94%']) {
      expect(() => parseSmsReadings(text)).not.toThrow();
    }
  });
});

describe('editDistance', () => {
  it.each([
    ['pulse', 'pluse', 1],
    ['weight', 'wieght', 1],
    ['temperature', 'temprature', 1],
    ['sats', 'sats', 0],
    ['sats', 'past', 2],
  ])('%s ↔ %s = %d', (a, b, d) => expect(editDistance(a, b)).toBe(d));
});
