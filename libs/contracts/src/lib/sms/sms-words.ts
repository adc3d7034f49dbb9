/** What a texted word names: a vital (its label), a unit, or nothing we need. */
export type SmsLabel = 'bp' | 'pulse' | 'sats' | 'weight' | 'temp' | 'glucose' | 'resp';
export type SmsUnit = 'mm[Hg]' | 'kPa' | '/min' | '%' | 'Cel' | '[degF]' | 'deg' | 'kg' | '[lb_av]' | '[stone_av]' | 'mmol/L' | 'mg/dL';

export type SmsWord =
  | { readonly kind: 'label'; readonly label: SmsLabel }
  | { readonly kind: 'unit'; readonly unit: SmsUnit; readonly impliesLabel?: SmsLabel }
  | { readonly kind: 'other' };

/** The words people use for each vital, as texted (UK English, with common short forms). */
const LABELS: Record<SmsLabel, readonly string[]> = {
  bp: ['bp', 'bps', 'pressure', 'press', 'bloodpressure', 'bpressure', 'sys', 'systolic'],
  pulse: ['pulse', 'puls', 'p', 'pr', 'hr', 'heart', 'heartrate', 'pulserate'],
  sats: ['sats', 'sat', 'saturation', 'saturations', 'sao', 'spo', 'oxygen', 'oxy', 'ox', 'oximeter', 'oximetry', 'sats%'],
  weight: ['weight', 'wt', 'weigh', 'weighed', 'weighing', 'weighs', 'w', 'wgt', 'scales', 'scale'],
  temp: ['temp', 'temperature', 'tmp', 'tem', 't', 'temps', 'thermometer', 'fever'],
  glucose: ['glucose', 'sugar', 'sugars', 'bm', 'bg', 'cbg', 'bloodsugar'],
  resp: ['resp', 'resps', 'rr', 'breathing', 'breaths', 'respiration', 'respirations', 'respiratory', 'br'],
};

const UNITS: ReadonlyArray<readonly [SmsUnit, readonly string[], SmsLabel?]> = [
  ['mm[Hg]', ['mmhg', 'mm', 'hg', 'mmgh']],
  ['kPa', ['kpa']],
  ['/min', ['bpm', 'beats', 'bmp'], 'pulse'],
  ['%', ['percent', 'pc', 'pct']],
  ['Cel', ['c', 'celsius', 'celcius', 'centigrade', 'degc', 'cel']],
  ['[degF]', ['f', 'fahrenheit', 'farenheit', 'faren', 'degf']],
  ['deg', ['deg', 'degs', 'degree', 'degrees']],
  ['kg', ['kg', 'kgs', 'kilo', 'kilos', 'kilogram', 'kilograms', 'k'], 'weight'],
  ['[lb_av]', ['lb', 'lbs', 'pound', 'pounds', 'ib', 'ibs'], 'weight'],
  ['[stone_av]', ['st', 'stone', 'stones', 'stn'], 'weight'],
  ['mmol/L', ['mmol', 'mmols', 'mmoll'], 'glucose'],
  ['mg/dL', ['mg', 'mgdl'], 'glucose'],
];

/** Words that are never fuzzily read as a label, however close ("heat" is not "heart"... but "past" is not "sats"). */
const ORDINARY = new Set([
  'my', 'is', 'was', 'of', 'the', 'and', 'a', 'an', 'today', 'this', 'morning', 'evening', 'night', 'am', 'pm', 'reading',
  'readings', 'at', 'it', 'its', 'level', 'levels', 'rate', 'blood', 'hi', 'hello', 'thanks', 'thank', 'you', 'please', 'ok',
  'im', 'i', 'feel', 'fine', 'count', 'per', 'minute', 'min', 'mins', 'has', 'been', 'about', 'around', 'approx', 'just', 'now',
  'taken', 'took', 'with', 'after', 'before', 'breakfast', 'on', 'air', 'in', 'dad', 'mum', 'mums', 'dads', 'her', 'his', 'he',
  'she', 'x', 'xx', 'xxx', 'over', 'last', 'not', 'sure', 'think', 'sorry', 'also', 'then', 'nurse', 'ward', 'team', 'from',
  'for', 'to', 'were', 'are', 'be', 'again', 'new', 'up', 'down', 'bit', 'high', 'low', 'good', 'well', 'best', 'wishes',
  'regards', 'kind', 'l', 'dl', 'm', 'left', 'right', 'arm', 'finger', 'mouth', 'ear', 'under', 'tongue', 'lying', 'sitting',
  'standing', 'first', 'second', 'third', 'time', 'times', 'check', 'checked', 'machine', 'monitor', 'cuff', 'says', 'said', 'rest', 'resting', 'date', 'feeling', 'okay',
]);

const EXACT = new Map<string, SmsWord>();
for (const [label, words] of Object.entries(LABELS) as Array<[SmsLabel, readonly string[]]>) {
  for (const word of words) EXACT.set(word, { kind: 'label', label });
}
for (const [unit, words, implies] of UNITS) {
  for (const word of words) EXACT.set(word, implies ? { kind: 'unit', unit, impliesLabel: implies } : { kind: 'unit', unit });
}

/** Label words long enough that a typo in them is still unmistakable. */
const FUZZY_LABELS = [...EXACT.entries()].filter(([word, meaning]) => meaning.kind === 'label' && word.length >= 4);

/**
 * A word as the parser reads it: exact first, then a label within one typo (two for long words:
 * "temprature", "preasure"), never for ordinary words.
 */
export function classifyWord(word: string): SmsWord {
  const exact = EXACT.get(word);
  if (exact) return exact;
  if (word.length < 4 || ORDINARY.has(word)) return { kind: 'other' };
  const allowed = word.length >= 8 ? 2 : 1;
  let best: { distance: number; meaning: SmsWord } | undefined;
  for (const [candidate, meaning] of FUZZY_LABELS) {
    if (Math.abs(candidate.length - word.length) > allowed) continue;
    const distance = editDistance(word, candidate);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { distance, meaning };
  }
  return best?.meaning ?? { kind: 'other' };
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps ("pluse"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[i - 1]?.[j] ?? 0) + 1, (d[i]?.[j - 1] ?? 0) + 1, (d[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[i - 2]?.[j - 2] ?? 0) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return d[a.length]?.[b.length] ?? 0;
}
