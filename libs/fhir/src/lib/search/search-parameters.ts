import { type FhirProblem, problem } from '../operation-outcome';

/**
 * `Prefer: handling=strict` refuses a search with a parameter or modifier the server does not
 * support (400); `lenient`, the R4 default, leaves it out and says so in the Bundle (§3.1.1.5).
 */
export type SearchHandling = 'strict' | 'lenient';

export function searchHandling(prefer: string | readonly string[] | undefined): SearchHandling {
  const text = typeof prefer === 'string' ? prefer : (prefer ?? []).join(',');
  return /(^|[,;\s])handling\s*=\s*"?strict"?/i.test(text) ? 'strict' : 'lenient';
}

/** One parameter's definition: the modifiers it supports (R4 §3.1.1.5). */
export type SearchParameterTable = Readonly<Record<string, { readonly modifiers?: readonly string[] }>>;

/** Parameters that every search accepts and that restrict nothing. */
const RESULT_PARAMETERS: SearchParameterTable = { _format: {}, _pretty: {} };

export interface SearchValue {
  readonly modifier: string | null;
  readonly value: string;
}

export interface ReadParameters {
  /** Supported parameters by name, each occurrence (repeats are ANDed, commas inside one are ORed). */
  readonly values: ReadonlyMap<string, readonly SearchValue[]>;
  /** Unsupported parameters left out (lenient), as warnings for the Bundle's outcome entry. */
  readonly ignored: readonly FhirProblem[];
  /** Unsupported parameters refused (strict). */
  readonly refused: readonly FhirProblem[];
}

/** Sorts a query into supported values and unsupported parameters or modifiers. */
export function readSearchParameters(params: URLSearchParams, table: SearchParameterTable, handling: SearchHandling): ReadParameters {
  const values = new Map<string, SearchValue[]>();
  const unsupported: FhirProblem[] = [];
  const known = Object.keys(table).filter((n) => !n.startsWith('_'));
  for (const [key, value] of params) {
    const colon = key.indexOf(':');
    const name = colon < 0 ? key : key.slice(0, colon);
    const modifier = colon < 0 ? null : key.slice(colon + 1);
    if (RESULT_PARAMETERS[name]) continue;
    const definition = table[name];
    if (!definition) {
      unsupported.push(problem('fhir.search-parameter-unsupported', `The search parameter "${name}" is not supported here; supported: ${known.join(', ')}.`, key, 'not-supported'));
      continue;
    }
    if (modifier !== null && !(definition.modifiers ?? []).includes(modifier)) {
      const allowed = definition.modifiers?.length ? `supported: ${definition.modifiers.map((m) => `:${m}`).join(', ')}` : 'it takes none';
      unsupported.push(problem('fhir.search-modifier-unsupported', `The modifier ":${modifier}" of "${name}" is not supported (${allowed}).`, key, 'not-supported'));
      continue;
    }
    values.set(name, [...(values.get(name) ?? []), { modifier, value }]);
  }
  const flagged = unsupported.map((p) => (handling === 'strict' ? p : { ...p, severity: 'warning' as const, message: `${p.message} Ignored (lenient handling; send "Prefer: handling=strict" to be refused instead).` }));
  return handling === 'strict' ? { values, ignored: [], refused: flagged } : { values, ignored: flagged, refused: [] };
}

/** `_count`: a whole number; above the maximum it is capped (R4 lets a server return fewer), noted. */
export function readCount(values: readonly SearchValue[] | undefined, defaults: { count: number; max: number }, problems: FhirProblem[], notes: FhirProblem[]): number {
  const text = values?.[values.length - 1]?.value;
  if (text === undefined) return defaults.count;
  if (!/^\d{1,9}$/.test(text)) {
    problems.push(problem('fhir.search-count', `_count must be a whole number from 0 to ${defaults.max}; got "${text}".`, '_count', 'value'));
    return defaults.count;
  }
  const count = Number(text);
  if (count > defaults.max) {
    notes.push({ ...problem('fhir.search-count-capped', `_count ${count} is more than ${defaults.max}; pages hold ${defaults.max}.`, '_count', 'too-costly'), severity: 'information' });
    return defaults.max;
  }
  return count;
}
