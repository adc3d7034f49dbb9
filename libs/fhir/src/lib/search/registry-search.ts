import { type FhirProblem, problem } from '../operation-outcome';
import { SYSTEM } from '../systems';
import { type SearchHandling, type SearchParameterTable, readSearchParameters } from './search-parameters';

export const PATIENT_SEARCH_PARAMETERS = { identifier: {}, _id: {} } as const satisfies SearchParameterTable;
export const FLAG_SEARCH_PARAMETERS = { patient: {}, subject: { modifiers: ['Patient'] }, status: {} } as const satisfies SearchParameterTable;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FhirProblem[] };

export interface PatientSearch {
  /** NHS numbers asked for (ANDed: more than one distinct matches nothing). */
  readonly nhsNumbers: readonly string[];
  readonly ids: readonly string[];
  /** An identifier of another system: nothing here carries it. */
  readonly matchesNothing: boolean;
  readonly applied: URLSearchParams;
  readonly notes: readonly FhirProblem[];
}

/** `GET /fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919` (or `_id=`). */
export function parsePatientSearch(params: URLSearchParams, handling: SearchHandling): Parsed<PatientSearch> {
  const read = readSearchParameters(params, PATIENT_SEARCH_PARAMETERS, handling);
  const problems = [...read.refused];
  const applied = new URLSearchParams();
  const nhsNumbers = new Set<string>();
  const ids = new Set<string>();
  let matchesNothing = false;
  for (const { value } of read.values.get('identifier') ?? []) {
    const bar = value.indexOf('|');
    const system = bar < 0 ? undefined : value.slice(0, bar);
    const number = (bar < 0 ? value : value.slice(bar + 1)).replace(/\s/g, '');
    if (system !== undefined && system !== SYSTEM.nhsNumber) matchesNothing = true;
    else if (!/^\d{10}$/.test(number)) problems.push(problem('fhir.search-identifier', `identifier must be ${SYSTEM.nhsNumber}|<10-digit NHS number>; got "${value}".`, 'identifier', 'value'));
    else nhsNumbers.add(number);
    applied.append('identifier', value);
  }
  for (const { value } of read.values.get('_id') ?? []) {
    if (!UUID.test(value)) problems.push(problem('fhir.search-id', `_id must be a patient id; got "${value}".`, '_id', 'value'));
    else ids.add(value.toLowerCase());
    applied.append('_id', value);
  }
  if (nhsNumbers.size === 0 && ids.size === 0 && !matchesNothing && problems.length === 0) {
    problems.push(problem('fhir.search-identifier', `Say which patient: identifier=${SYSTEM.nhsNumber}|<NHS number> or _id=<id>.`, 'identifier', 'required'));
  }
  if (nhsNumbers.size > 1 || ids.size > 1) matchesNothing = true;
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { nhsNumbers: [...nhsNumbers], ids: [...ids], matchesNothing, applied, notes: read.ignored } };
}

export interface FlagSearch {
  readonly patientId: string | null;
  readonly status: 'active' | 'inactive' | null;
  readonly matchesNothing: boolean;
  readonly applied: URLSearchParams;
  readonly notes: readonly FhirProblem[];
}

/** `GET /fhir/Flag?patient=<id>&status=active`: a patient's alerts as Flags. */
export function parseFlagSearch(params: URLSearchParams, handling: SearchHandling): Parsed<FlagSearch> {
  const read = readSearchParameters(params, FLAG_SEARCH_PARAMETERS, handling);
  const problems = [...read.refused];
  const applied = new URLSearchParams();
  const patients = new Set<string>();
  for (const name of ['patient', 'subject'] as const) {
    for (const { value } of read.values.get(name) ?? []) {
      const id = value.replace(/^(.*\/)?Patient\//, '');
      if (!UUID.test(id)) problems.push(problem('fhir.search-patient', `${name} must be a patient id or "Patient/<id>"; got "${value}".`, name, 'value'));
      else patients.add(id.toLowerCase());
    }
  }
  for (const id of patients) applied.append('patient', id);
  const statuses = new Set<string>();
  for (const { value } of read.values.get('status') ?? []) {
    const options = value.split(',');
    if (options.some((o) => o !== 'active' && o !== 'inactive')) problems.push(problem('fhir.search-status', `status must be active or inactive (entered-in-error is never used); got "${value}".`, 'status', 'value'));
    else if (options.length === 1) statuses.add(value);
    applied.append('status', value);
  }
  if (problems.length > 0) return { ok: false, problems };
  const [patientId = null] = patients;
  const [status = null] = statuses;
  return { ok: true, value: { patientId, status: status as FlagSearch['status'], matchesNothing: patients.size > 1 || statuses.size > 1, applied, notes: read.ignored } };
}
