import { HttpStatus } from '@nestjs/common';
import { VITAL_KEYS, type VitalKey } from '@homeward/domain';
import { BLOOD_PRESSURE_VITALS, type FhirProblem, SYSTEM, isBloodPressurePanelCoding, problem, vitalOfCoding } from '@homeward/fhir';
import { FhirProblemException } from './fhir-http';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;
/** Deeper than any record's readings go; beyond it the number stops being a safe integer for SQL OFFSET. */
export const MAX_OFFSET = 1_000_000;

export interface ObservationSearch {
  /** Null when the caller left it out (a patient account then searches its own record). */
  readonly patientId: string | null;
  readonly vitals: readonly VitalKey[] | null;
  readonly from: Date | null;
  readonly to: Date | null;
  readonly count: number;
  readonly offset: number;
  /** The search's own parameters, normalised, for the Bundle's links (paging added there). */
  readonly query: URLSearchParams;
}

const KNOWN = ['patient', 'subject', 'code', 'date', '_count', '_offset', '_format'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `GET /fhir/Observation?patient=&code=&date=ge…&date=le…&_count=&_offset=` → a typed search.
 * Every bad parameter is reported at once (400, OperationOutcome with the parameter as the path);
 * an unknown parameter is refused rather than silently ignored, so a typo cannot widen a search.
 */
export function parseObservationSearch(params: URLSearchParams): ObservationSearch {
  const problems: FhirProblem[] = [];
  for (const name of new Set(params.keys())) {
    if (!KNOWN.includes(name.split(':')[0] ?? name)) problems.push(problem('fhir.search-parameter', `Unknown search parameter "${name}"; supported: ${KNOWN.join(', ')}.`, name, 'not-supported'));
  }
  const query = new URLSearchParams();
  let patientId: string | null = null;
  const patient = params.get('patient') ?? params.get('subject');
  if (patient !== null) {
    const id = patient.replace(/^(.*\/)?Patient\//, '');
    if (UUID.test(id)) {
      patientId = id.toLowerCase();
      query.set('patient', patientId);
    } else problems.push(problem('fhir.search-patient', 'patient must be a patient id or "Patient/<id>".', 'patient', 'value'));
  }
  let vitals: VitalKey[] | null = null;
  const codes = params.getAll('code').flatMap((c) => c.split(','));
  if (codes.length > 0) {
    const found = new Set<VitalKey>();
    for (const token of codes) {
      const [system, code] = token.includes('|') ? (token.split('|', 2) as [string, string]) : [undefined, token];
      const systems = system ? [system] : [SYSTEM.loinc, SYSTEM.snomed, SYSTEM.mdc];
      const matches = systems.flatMap((s) => {
        if (isBloodPressurePanelCoding({ system: s, code })) return [...BLOOD_PRESSURE_VITALS];
        const vital = vitalOfCoding({ system: s, code });
        return vital ? [vital] : [];
      });
      if (matches.length === 0) problems.push(problem('fhir.search-code', `"${token}" is not a code of a vital sign Homeward records.`, 'code', 'code-invalid'));
      for (const vital of matches) found.add(vital);
    }
    vitals = VITAL_KEYS.filter((v) => found.has(v));
    query.set('code', codes.join(','));
  }
  let from: Date | null = null;
  let to: Date | null = null;
  for (const value of params.getAll('date')) {
    const bound = dateBound(value);
    if (!bound) {
      problems.push(problem('fhir.search-date', `date "${value}" must be a prefix (ge, gt, le, lt, eq) and a date or a date-time with a time zone.`, 'date', 'value'));
      continue;
    }
    if (bound.from && (!from || bound.from > from)) from = bound.from;
    if (bound.to && (!to || bound.to < to)) to = bound.to;
    query.append('date', value);
  }
  const count = integer(params.get('_count'), DEFAULT_COUNT);
  if (count === undefined || count < 1 || count > MAX_COUNT) problems.push(problem('fhir.search-count', `_count must be a whole number from 1 to ${MAX_COUNT}.`, '_count', 'value'));
  const offset = integer(params.get('_offset'), 0);
  if (offset === undefined || offset < 0 || offset > MAX_OFFSET) problems.push(problem('fhir.search-offset', `_offset must be a whole number from 0 to ${MAX_OFFSET}.`, '_offset', 'value'));
  if (problems.length > 0) throw new FhirProblemException(problems, HttpStatus.BAD_REQUEST);
  return { patientId, vitals, from, to, count: count ?? DEFAULT_COUNT, offset: offset ?? 0, query };
}

function integer(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** One `date` parameter → inclusive bounds. A bare date covers its whole day (UTC). */
function dateBound(value: string): { from?: Date; to?: Date } | undefined {
  const prefix = /^(eq|ge|gt|le|lt)/.exec(value)?.[1] ?? 'eq';
  const text = value.replace(/^(eq|ge|gt|le|lt)/, '');
  let start: number;
  let end: number;
  if (DATE.test(text)) {
    start = Date.parse(`${text}T00:00:00Z`);
    end = start + 86_400_000 - 1;
  } else if (DATE_TIME.test(text)) {
    start = Date.parse(text);
    end = start;
  } else return undefined;
  if (Number.isNaN(start)) return undefined;
  switch (prefix) {
    case 'ge':
      return { from: new Date(start) };
    case 'gt':
      return { from: new Date(end + 1) };
    case 'le':
      return { to: new Date(end) };
    case 'lt':
      return { to: new Date(start - 1) };
    default:
      return { from: new Date(start), to: new Date(end) };
  }
}
