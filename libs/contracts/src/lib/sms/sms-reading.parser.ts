import { VITAL_SIGNS, type VitalKey, toCanonicalUnit } from '@homeward/domain';
import { type SmsLabel, type SmsUnit, classifyWord } from './sms-words';

/** One reading read from a text, in the unit the sender used (the ingest pipeline converts it). */
export interface SmsReading {
  readonly vital: VitalKey;
  readonly value: number;
  readonly unit: string;
}

/** One thing the sender told us, as we will read it back to them ("BP 142/88"). */
export interface SmsUnderstood {
  readonly text: string;
  readonly readings: readonly SmsReading[];
}

export type SmsProblemCode =
  | 'sms.empty'
  | 'sms.unrecognised'
  | 'sms.missing-value'
  | 'sms.unlabelled-number'
  | 'sms.bp-incomplete'
  | 'sms.bp-order'
  | 'sms.unit-ambiguous'
  | 'sms.out-of-range';

/** What could not be read, with the question the sender is asked. */
export interface SmsProblem {
  readonly code: SmsProblemCode;
  /** The words of the text it is about. */
  readonly fragment: string;
  readonly question: string;
}

export interface SmsParse {
  readonly understood: readonly SmsUnderstood[];
  readonly problems: readonly SmsProblem[];
  /** HELP (or "?"): the sender asks how to text readings. */
  readonly help: boolean;
}

/**
 * Reads vital signs from a text a patient or carer typed on a basic phone: "BP 142/88 pulse 72",
 * "sats 94", "weight 12st 4lb", "temp 99.5F", "o2 94%". Forgiving where the meaning is clear
 * (typos, missing or wrong units, labels before or after the number, a cuff's three numbers
 * without labels) and asking where it is not (a lone number, half a blood pressure, a weight that
 * could be stone or kg, a value no body can have). Pure: no clock, no I/O.
 */
export function parseSmsReadings(text: string): SmsParse {
  const normalised = normalise(text);
  if (/^\s*(help|\?+|info)\s*[.!]*\s*$/.test(normalised)) return { understood: [], problems: [], help: true };
  const entries = group(tokenise(normalised));
  if (entries.length === 0) {
    const code = text.trim() === '' ? 'sms.empty' : 'sms.unrecognised';
    return { understood: [], problems: [{ code, fragment: text.trim().slice(0, 40), question: `Sorry, we could not find a reading in your message. ${EXAMPLES}` }], help: false };
  }
  const understood: SmsUnderstood[] = [];
  const problems: SmsProblem[] = [];
  for (const field of associate(entries)) {
    const read = readField(field);
    if ('problem' in read) problems.push(read.problem);
    else understood.push(read.understood);
  }
  if (understood.length === 0 && problems.length === 0) {
    problems.push({ code: 'sms.unrecognised', fragment: text.trim().slice(0, 40), question: EXAMPLES });
  }
  return { understood, problems, help: false };
}

export const EXAMPLES = 'Please text your readings like: BP 142/88 PULSE 72, SATS 94, WEIGHT 81.2, TEMP 37.9';

// ---- text → tokens -------------------------------------------------------------------------

function normalise(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      // a decimal comma: 37,9 (one digit after it; "88,72" stays two numbers)
      .replace(/(\d),(\d)(?!\d)/g, '$1.$2')
      // a letter O typed for a zero inside a number: 8O.5 → 80.5, 1OO → 100
      .replace(/\b\d[\do.]*\b/g, (number) => number.replace(/o/g, '0'))
      // times of day are not readings: 8am, 8.30 pm, 07:45
      .replace(/\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b/g, ' ')
      // dotted abbreviations: b.p. → bp, s.p.o.2 handled below
      .replace(/\b([a-z])\.(?=[a-z]\b)/g, '$1')
      .replace(/\bb\s?\/\s?p\b/g, 'bp')
      // SpO2 and its spellings, O2 as a label (not "02" inside a number)
      .replace(/s\.?\s?[pa]\s?[o0]\s?2/g, ' sats ')
      .replace(/(?<![\w.,/])[o0]2(?![\d.])/g, ' sats ')
  );
}

type Token =
  | { readonly t: 'num'; readonly value: number; readonly raw: string }
  | { readonly t: 'word'; readonly raw: string }
  | { readonly t: 'sep'; readonly raw: string }
  | { readonly t: 'unit-symbol'; readonly raw: string };

function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\d+(?:\.\d+)?|\.\d+|[a-z]+|%|\/|°|-/g)) {
    const raw = match[0];
    if (/^[\d.]/.test(raw)) tokens.push({ t: 'num', value: Number(raw), raw });
    else if (raw === '/' || raw === '-') tokens.push({ t: 'sep', raw });
    else if (raw === '%' || raw === '°') tokens.push({ t: 'unit-symbol', raw });
    else tokens.push({ t: 'word', raw });
  }
  return tokens;
}

// ---- tokens → labels and values ------------------------------------------------------------

interface Label {
  readonly kind: 'label';
  readonly label: SmsLabel;
  readonly raw: string;
}

interface Value {
  readonly kind: 'value';
  /** One number, or a blood pressure's two (and a cuff's pulse as the third). */
  readonly numbers: readonly number[];
  readonly unit: SmsUnit | undefined;
  /** Stone and pounds: 12st 4lb. */
  readonly pounds?: number;
  readonly raw: string;
}

type Entry = Label | Value;

/** Words become labels and units (typos forgiven), numbers group into values with their unit. */
function group(tokens: readonly Token[]): Entry[] {
  const entries: Entry[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (token.t === 'num') {
      const numbers = [token.value];
      const raws = [token.raw];
      i++;
      // 142/88, 142/88/72, 142 over 88, 142-88 (a dash only between a plausible BP pair)
      while (numbers.length < 3 && i + 1 < tokens.length) {
        const sep = tokens[i] as Token;
        const next = tokens[i + 1] as Token;
        const isOver = sep.t === 'word' && sep.raw === 'over';
        const isDash = sep.t === 'sep' && sep.raw === '-';
        if (next.t !== 'num' || !(sep.t === 'sep' || isOver)) break;
        if (isDash && !(numbers.length === 1 && looksLikeBloodPressure(numbers[0] as number, next.value))) break;
        numbers.push(next.value);
        raws.push(isOver ? '/' : sep.raw, next.raw);
        i += 2;
      }
      raws.splice(0, raws.length, raws.join(''));
      let unit: SmsUnit | undefined;
      let pounds: number | undefined;
      const unitAt = readUnit(tokens, i);
      if (unitAt) {
        unit = unitAt.unit;
        raws.push(unitAt.raw);
        i = unitAt.next;
        // 12 st 4 (lb)
        const more = tokens[i];
        if (unit === '[stone_av]' && numbers.length === 1 && more?.t === 'num' && more.value < 14) {
          pounds = more.value;
          raws.push(more.raw);
          i++;
          const lb = readUnit(tokens, i);
          if (lb?.unit === '[lb_av]') {
            raws.push(lb.raw);
            i = lb.next;
          }
        }
      }
      entries.push({ kind: 'value', numbers, unit, raw: raws.join(' '), ...(pounds === undefined ? {} : { pounds }) });
      continue;
    }
    if (token.t === 'word') {
      const word = classifyWord(token.raw);
      if (word.kind === 'label') {
        const previous = entries[entries.length - 1];
        // "blood pressure", "sats sats", "heart rate pulse": one label
        if (!(previous?.kind === 'label' && previous.label === word.label)) entries.push({ kind: 'label', label: word.label, raw: token.raw });
      } else if (word.kind === 'unit' && word.impliesLabel && (tokens[i + 1]?.t === 'num')) {
        // "bpm 72", "kg 81": a unit before its number names the vital
        entries.push({ kind: 'label', label: word.impliesLabel, raw: token.raw });
      }
    }
    i++;
  }
  return entries;
}

function readUnit(tokens: readonly Token[], at: number): { unit: SmsUnit; raw: string; next: number } | undefined {
  const token = tokens[at];
  if (!token) return undefined;
  if (token.t === 'unit-symbol') {
    if (token.raw === '%') return { unit: '%', raw: '%', next: at + 1 };
    // ° alone, °c, °f
    const after = tokens[at + 1];
    const word = after?.t === 'word' ? classifyWord(after.raw) : undefined;
    if (word?.kind === 'unit' && (word.unit === 'Cel' || word.unit === '[degF]')) return { unit: word.unit, raw: `°${after?.raw ?? ''}`, next: at + 2 };
    return { unit: 'deg', raw: '°', next: at + 1 };
  }
  if (token.t !== 'word') return undefined;
  const word = classifyWord(token.raw);
  if (word.kind !== 'unit') return undefined;
  // mmol/l, mg/dl, beats/min, deg c
  let next = at + 1;
  let raw = token.raw;
  const tail = tokens[next + 1];
  if (tokens[next]?.t === 'sep' && tokens[next]?.raw === '/' && tail?.t === 'word' && ['l', 'dl', 'min', 'm'].includes(tail.raw)) {
    raw += `/${tail.raw}`;
    next += 2;
  }
  if (word.unit === 'deg') {
    const after = tokens[next];
    const scale = after?.t === 'word' ? classifyWord(after.raw) : undefined;
    if (scale?.kind === 'unit' && (scale.unit === 'Cel' || scale.unit === '[degF]')) return { unit: scale.unit, raw: `${raw} ${after?.raw ?? ''}`, next: next + 1 };
  }
  return { unit: word.unit, raw, next };
}

// ---- labels ↔ values -----------------------------------------------------------------------

interface Field {
  readonly label: SmsLabel | undefined;
  readonly labelRaw: string;
  readonly value: Value | undefined;
  /** A lone number right after a blood pressure: a cuff's pulse, unlabelled. */
  readonly afterBloodPressure: boolean;
}

/**
 * Pairs each label with its value. Most texts put the label first ("sats 94"); a text that begins
 * with a number and then a label ("94 sats 72 pulse") puts them after, and is read that way.
 */
function associate(entries: readonly Entry[]): Field[] {
  const trailing = entries[0]?.kind === 'value' && entries[1]?.kind === 'label';
  const used = new Set<number>();
  /** Where a blood pressure's last number is: a lone number right after it is a cuff's pulse. */
  const bloodPressureEnds = new Set<number>();
  const fields: Array<Field & { at: number }> = [];
  const freeValue = (at: number): Value | undefined => {
    const entry = entries[at];
    return entry?.kind === 'value' && !used.has(at) ? entry : undefined;
  };
  entries.forEach((entry, at) => {
    if (entry.kind !== 'label') return;
    const order = trailing ? [at - 1, at + 1] : [at + 1, at - 1];
    const valueAt = order.find((candidate) => freeValue(candidate) !== undefined);
    if (valueAt === undefined) {
      fields.push({ label: entry.label, labelRaw: entry.raw, value: undefined, afterBloodPressure: false, at });
      return;
    }
    used.add(valueAt);
    let value = freeValue(valueAt) ?? (entries[valueAt] as Value);
    // "bp 142 88": two lone numbers after a BP label
    const second = freeValue(valueAt + 1);
    if (entry.label === 'bp' && value.numbers.length === 1 && second && second.numbers.length === 1 && looksLikeBloodPressure(value.numbers[0] as number, second.numbers[0] as number)) {
      used.add(valueAt + 1);
      bloodPressureEnds.add(valueAt + 1);
      value = { kind: 'value', numbers: [value.numbers[0] as number, second.numbers[0] as number], unit: second.unit ?? value.unit, raw: `${value.raw} ${second.raw}` };
    }
    if (value.numbers.length >= 2) bloodPressureEnds.add(valueAt);
    fields.push({ label: entry.label, labelRaw: entry.raw, value, afterBloodPressure: false, at: Math.min(at, valueAt) });
  });
  entries.forEach((entry, at) => {
    if (entry.kind !== 'value' || used.has(at)) return;
    const before = entries[at - 1];
    const afterBloodPressure = bloodPressureEnds.has(at - 1) || (before?.kind === 'value' && before.numbers.length >= 2);
    fields.push({ label: undefined, labelRaw: '', value: entry, afterBloodPressure, at });
  });
  return fields.sort((a, b) => a.at - b.at);
}

function looksLikeBloodPressure(first: number, second: number): boolean {
  return Number.isInteger(first) && Number.isInteger(second) && first >= 60 && first <= 300 && second >= 25 && second <= 200 && first > second;
}

// ---- one field → readings or a question ----------------------------------------------------

type FieldRead = { understood: SmsUnderstood } | { problem: SmsProblem };

const UNIT_LABEL: Partial<Record<SmsUnit, SmsLabel>> = {
  '%': 'sats',
  kg: 'weight',
  '[lb_av]': 'weight',
  '[stone_av]': 'weight',
  Cel: 'temp',
  '[degF]': 'temp',
  'mm[Hg]': 'bp',
  kPa: 'bp',
  '/min': 'pulse',
  'mmol/L': 'glucose',
  'mg/dL': 'glucose',
};

function readField(field: Field): FieldRead {
  const { value } = field;
  if (!value) {
    return problem('sms.missing-value', field.labelRaw, `You wrote "${field.labelRaw}" but no number. ${ask(field.label ?? 'bp')}`);
  }
  const label = field.label ?? (value.unit ? UNIT_LABEL[value.unit] : undefined) ?? (value.numbers.length >= 2 ? 'bp' : field.afterBloodPressure ? 'pulse' : undefined);
  if (label === undefined) {
    if (value.unit === 'deg' && value.numbers.length === 1) return readTemperature(value);
    return problem('sms.unlabelled-number', value.raw, `What was ${value.raw}? ${EXAMPLES}`);
  }
  if (label !== 'bp' && value.numbers.length > 1) {
    return problem('sms.unlabelled-number', value.raw, `We could not tell which number was your ${NAMES[label]}. ${ask(label)}`);
  }
  const number = value.numbers[0] as number;
  switch (label) {
    case 'bp':
      return readBloodPressure(value);
    case 'pulse':
      return checked([{ vital: 'heart_rate', value: number, unit: '/min' }], `pulse ${fmt(number)}`, value.raw, label);
    case 'sats':
      return checked([{ vital: 'spo2', value: number, unit: '%' }], `oxygen ${fmt(number)}%`, value.raw, label);
    case 'resp':
      return checked([{ vital: 'respiration_rate', value: number, unit: '/min' }], `breathing ${fmt(number)} a minute`, value.raw, label);
    case 'weight':
      return readWeight(value);
    case 'temp':
      return readTemperature(value);
    case 'glucose':
      return readGlucose(value);
  }
}

function readBloodPressure(value: Value): FieldRead {
  const [systolic, diastolic, pulse] = value.numbers;
  if (systolic === undefined || diastolic === undefined) {
    return problem('sms.bp-incomplete', value.raw, `Please send both blood pressure numbers, top and bottom, like BP 142/88.`);
  }
  if (systolic <= diastolic) {
    return problem('sms.bp-order', value.raw, `Blood pressure ${value.numbers.slice(0, 2).join('/')}: the top number is usually the bigger one. Please check and send it again, like BP 142/88.`);
  }
  const unit = value.unit === 'kPa' ? 'kPa' : 'mm[Hg]';
  const readings: SmsReading[] = [
    { vital: 'systolic_bp', value: systolic, unit },
    { vital: 'diastolic_bp', value: diastolic, unit },
  ];
  const bp = checked(readings, `BP ${fmt(systolic)}/${fmt(diastolic)}${unit === 'kPa' ? ' kPa' : ''}`, value.raw, 'bp');
  if (pulse === undefined || 'problem' in bp) return bp;
  const withPulse = checked([{ vital: 'heart_rate', value: pulse, unit: '/min' }], `pulse ${fmt(pulse)}`, value.raw, 'pulse');
  if ('problem' in withPulse) return withPulse;
  return { understood: { text: `${bp.understood.text}, ${withPulse.understood.text}`, readings: [...bp.understood.readings, ...withPulse.understood.readings] } };
}

function readWeight(value: Value): FieldRead {
  const number = value.numbers[0] as number;
  if (value.unit === '[stone_av]') {
    const stone = number + (value.pounds ?? 0) / 14;
    const text = value.pounds === undefined ? `weight ${fmt(number)} st` : `weight ${fmt(number)} st ${fmt(value.pounds)} lb`;
    return checked([{ vital: 'body_weight', value: Math.round(stone * 10_000) / 10_000, unit: '[stone_av]' }], text, value.raw, 'weight');
  }
  if (value.unit === '[lb_av]') return checked([{ vital: 'body_weight', value: number, unit: '[lb_av]' }], `weight ${fmt(number)} lb`, value.raw, 'weight');
  if (value.unit === 'kg' || (number >= 30 && number <= 200)) return checked([{ vital: 'body_weight', value: number, unit: 'kg' }], `weight ${fmt(number)} kg`, value.raw, 'weight');
  if (number > 200 && number <= 450) {
    return problem('sms.unit-ambiguous', value.raw, `Was your weight ${fmt(number)} pounds or kilos? Please reply WEIGHT ${fmt(number)} LB or WEIGHT ${fmt(number)} KG.`);
  }
  if (number >= 4 && number < 30) {
    return problem('sms.unit-ambiguous', value.raw, `Was your weight ${fmt(number)} stone or kilos? Please reply WEIGHT ${fmt(number)} ST or WEIGHT ${fmt(number)} KG.`);
  }
  return outOfRange('weight', value.raw);
}

function readTemperature(value: Value): FieldRead {
  const number = value.numbers[0] as number;
  // No unit, or a bare degree sign: the number says which scale (no body is 77–113 °C or 25–45 °F).
  const unit = value.unit === 'Cel' || value.unit === '[degF]' ? value.unit : number >= 77 && number <= 113 ? '[degF]' : 'Cel';
  const text = unit === '[degF]' ? `temperature ${fmt(number)}°F` : `temperature ${fmt(number)}°C`;
  return checked([{ vital: 'body_temperature', value: number, unit }], text, value.raw, 'temp');
}

function readGlucose(value: Value): FieldRead {
  const number = value.numbers[0] as number;
  // mmol/L in the UK; a number above 35 can only be mg/dL.
  const unit = value.unit === 'mg/dL' || (value.unit !== 'mmol/L' && number > 35) ? 'mg/dL' : 'mmol/L';
  return checked([{ vital: 'blood_glucose', value: number, unit }], `sugar ${fmt(number)} ${unit}`, value.raw, 'glucose');
}

/** Within the catalogue's plausible range (libs/domain) after conversion, or a question. */
function checked(readings: readonly SmsReading[], text: string, raw: string, label: SmsLabel): FieldRead {
  for (const reading of readings) {
    const canonical = toCanonicalUnit(reading.vital, reading.value, reading.unit);
    const range = VITAL_SIGNS[reading.vital].plausible;
    if (!canonical.ok || canonical.value.value < range.min || canonical.value.value > range.max) return outOfRange(label, raw);
  }
  return { understood: { text, readings } };
}

function outOfRange(label: SmsLabel, raw: string): FieldRead {
  return problem('sms.out-of-range', raw, `${capitalise(NAMES[label])} ${raw} does not look right. Please check it and send it again. ${ask(label)}`);
}

const NAMES: Record<SmsLabel, string> = {
  bp: 'blood pressure',
  pulse: 'pulse',
  sats: 'oxygen level',
  weight: 'weight',
  temp: 'temperature',
  glucose: 'blood sugar',
  resp: 'breathing rate',
};

const EXAMPLE: Record<SmsLabel, string> = {
  bp: 'BP 142/88',
  pulse: 'PULSE 72',
  sats: 'SATS 94',
  weight: 'WEIGHT 81.2',
  temp: 'TEMP 37.9',
  glucose: 'SUGAR 6.4',
  resp: 'BREATHING 18',
};

function ask(label: SmsLabel): string {
  return `For example: ${EXAMPLE[label]}`;
}

function problem(code: SmsProblemCode, fragment: string, question: string): FieldRead {
  return { problem: { code, fragment, question } };
}

function fmt(value: number): string {
  return String(value);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
