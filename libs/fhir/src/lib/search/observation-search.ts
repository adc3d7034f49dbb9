import { type FhirProblem, problem } from '../operation-outcome';
import { BLOOD_PRESSURE_VITALS } from '../vital-codes';
import { type TimeCondition, dateCondition } from './date-search';
import { type SearchCursor, parseSearchCursor } from './search-cursor';
import { type SearchHandling, type SearchParameterTable, readCount, readSearchParameters } from './search-parameters';
import { type TokenCondition, vitalsOfCategoryToken, vitalsOfCodeText, vitalsOfCodeToken } from './token-search';

export const OBSERVATION_DEFAULT_COUNT = 50;
export const OBSERVATION_MAX_COUNT = 500;
/** Deeper than any record's readings go; follow the `next` links (a cursor) instead. */
export const OBSERVATION_MAX_OFFSET = 100_000;

/** What `GET /fhir/Observation` supports, and with which modifiers; the CapabilityStatement lists the same. */
export const OBSERVATION_SEARCH_PARAMETERS = {
  patient: {},
  subject: { modifiers: ['Patient'] },
  code: { modifiers: ['not', 'text', 'missing'] },
  'component-code': { modifiers: ['not', 'missing'] },
  category: { modifiers: ['not'] },
  date: { modifiers: ['missing'] },
  _count: {},
  _offset: {},
  _cursor: {},
} as const satisfies SearchParameterTable;

export interface ObservationSearch {
  /** Null when the caller left it out (a patient account then searches its own record). */
  readonly patientId: string | null;
  /** The parameters contradict each other (two patients, `code:missing=true`): nothing can match. */
  readonly matchesNothing: boolean;
  /** Every condition must hold (repeated parameters are ANDed). */
  readonly tokens: readonly TokenCondition[];
  readonly dates: readonly TimeCondition[];
  /** 0: the total only. */
  readonly count: number;
  readonly offset: number;
  readonly cursor: SearchCursor | null;
  /** The parameters applied, normalised, for the Bundle's self link (paging added there). */
  readonly applied: URLSearchParams;
  /** Parameters left out (lenient) and notes (a capped _count): the Bundle's outcome entry. */
  readonly notes: readonly FhirProblem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET /fhir/Observation?…` → a typed search (FHIR R4 §3.1.1). Bad values are errors whatever the
 * handling (every one reported at once, each naming its parameter); unsupported parameters and
 * modifiers are refused under `handling=strict` and left out, noted, under `lenient`.
 */
export function parseObservationSearch(params: URLSearchParams, options: { handling: SearchHandling; now: Date }): { ok: true; value: ObservationSearch } | { ok: false; problems: FhirProblem[] } {
  const read = readSearchParameters(params, OBSERVATION_SEARCH_PARAMETERS, options.handling);
  const problems: FhirProblem[] = [...read.refused];
  const notes: FhirProblem[] = [...read.ignored];
  const applied = new URLSearchParams();
  let matchesNothing = false;

  const patients = new Set<string>();
  for (const name of ['patient', 'subject'] as const) {
    for (const { value, modifier } of read.values.get(name) ?? []) {
      const id = value.replace(/^(.*\/)?Patient\//, '');
      if (!UUID.test(id)) problems.push(problem('fhir.search-patient', `${name} must be a patient id or "Patient/<id>"; got "${value}".`, modifier ? `${name}:${modifier}` : name, 'value'));
      else patients.add(id.toLowerCase());
    }
  }
  if (patients.size > 1) matchesNothing = true; // ANDed: one Observation has one subject
  const [patientId = null] = patients;
  for (const id of patients) applied.append('patient', id);

  const tokens: TokenCondition[] = [];
  const tokenParameter = (name: 'code' | 'component-code' | 'category') => {
    for (const { value, modifier } of read.values.get(name) ?? []) {
      const key = modifier ? `${name}:${modifier}` : name;
      if (modifier === 'missing') {
        if (value !== 'true' && value !== 'false') problems.push(problem('fhir.search-missing', `${key} takes true or false.`, key, 'value'));
        else if (value === 'true') matchesNothing = true; // every Observation has a code and a category
        applied.append(key, value);
        continue;
      }
      const alternatives = value.split(',');
      let vitals = alternatives.flatMap((token) => (modifier === 'text' ? vitalsOfCodeText(token) : name === 'category' ? vitalsOfCategoryToken(token) : vitalsOfCodeToken(token)));
      if (name === 'component-code') vitals = vitals.filter((v) => (BLOOD_PRESSURE_VITALS as readonly string[]).includes(v));
      tokens.push({ vitals: [...new Set(vitals)], negate: modifier === 'not' });
      applied.append(key, value);
    }
  };
  tokenParameter('code');
  tokenParameter('component-code');
  tokenParameter('category');

  const dates: TimeCondition[] = [];
  for (const { value, modifier } of read.values.get('date') ?? []) {
    if (modifier === 'missing') {
      if (value !== 'true' && value !== 'false') problems.push(problem('fhir.search-missing', 'date:missing takes true or false.', 'date:missing', 'value'));
      else if (value === 'true') matchesNothing = true; // every reading has its measurement time
      applied.append('date:missing', value);
      continue;
    }
    const condition = dateCondition(value, options.now);
    if (!condition) {
      problems.push(problem('fhir.search-date', `date "${value}" must be an optional prefix (eq, ne, gt, lt, ge, le, sa, eb, ap) and a date: 2026, 2026-11, 2026-11-22 or 2026-11-22T07:30[:00][Z|+01:00].`, 'date', 'value'));
      continue;
    }
    dates.push(condition);
    applied.append('date', value);
  }

  const count = readCount(read.values.get('_count'), { count: OBSERVATION_DEFAULT_COUNT, max: OBSERVATION_MAX_COUNT }, problems, notes);
  let offset = 0;
  const offsetText = read.values.get('_offset')?.at(-1)?.value;
  if (offsetText !== undefined) {
    if (/^\d{1,9}$/.test(offsetText) && Number(offsetText) <= OBSERVATION_MAX_OFFSET) offset = Number(offsetText);
    else problems.push(problem('fhir.search-offset', `_offset must be a whole number from 0 to ${OBSERVATION_MAX_OFFSET}; for deeper pages follow the Bundle's next link.`, '_offset', 'value'));
  }
  let cursor: SearchCursor | null = null;
  const cursorText = read.values.get('_cursor')?.at(-1)?.value;
  if (cursorText !== undefined) {
    cursor = parseSearchCursor(cursorText) ?? null;
    if (!cursor) problems.push(problem('fhir.search-cursor', 'The _cursor is not one this server gave out; start the search again without it.', '_cursor', 'value'));
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { patientId, matchesNothing, tokens, dates, count, offset, cursor, applied, notes } };
}
