import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { type ImportOptions, type ImportedObservation, observationToReadings } from './observation.import';
import { type FhirProblem, problem, underPath } from './operation-outcome';

export interface TransactionItem {
  readonly index: number;
  readonly fullUrl: string | null;
  readonly observation: ImportedObservation;
  /** The entry's request.ifNoneExist (conditional create), as a query string. */
  readonly ifNoneExist: string | null;
}

/** One entry of a batch or transaction: its readings, or its problems (paths under `Bundle.entry[i]`). */
export type BundleEntryImport = { readonly index: number; readonly ok: true; readonly item: TransactionItem } | { readonly index: number; readonly ok: false; readonly problems: FhirProblem[] };

/**
 * A transaction or batch Bundle of Observation creates → each entry's readings or problems. Only
 * the Bundle itself (not a Bundle, another type, no entries) fails as a whole here; whether one
 * bad entry sinks the rest is the caller's: a transaction stores none, a batch the good ones.
 */
export function bundleToReadings(input: unknown, options: ImportOptions = {}): { ok: true; type: 'transaction' | 'batch'; entries: BundleEntryImport[] } | { ok: false; problems: FhirProblem[] } {
  if (typeof input !== 'object' || input === null || (input as Bundle).resourceType !== 'Bundle') {
    return { ok: false, problems: [problem('fhir.not-a-bundle', 'POST /fhir takes a Bundle of type "transaction" or "batch".', 'Bundle.resourceType', 'structure')] };
  }
  const bundle = input as Bundle;
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    return { ok: false, problems: [problem('fhir.bundle-type', `Bundle.type must be "transaction" or "batch"; got ${JSON.stringify(bundle.type ?? null)}.`, 'Bundle.type', 'value')] };
  }
  const entries: unknown[] = Array.isArray(bundle.entry) ? bundle.entry : [];
  if (entries.length === 0) return { ok: false, problems: [problem('fhir.bundle-empty', 'The Bundle has no entries.', 'Bundle.entry', 'required')] };
  return { ok: true, type: bundle.type, entries: entries.map((raw, index) => entryToReadings(raw, index, options)) };
}

function entryToReadings(raw: unknown, index: number, options: ImportOptions): BundleEntryImport {
  const path = `Bundle.entry[${index}]`;
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as BundleEntry;
  const request: { method?: unknown; url?: unknown; ifNoneExist?: unknown } = typeof entry.request === 'object' && entry.request !== null ? entry.request : {};
  const url = typeof request.url === 'string' ? request.url.split('?')[0] : undefined;
  if (request.method !== 'POST' || (url !== 'Observation' && !url?.endsWith('/Observation'))) {
    return { index, ok: false, problems: [problem('fhir.entry-not-supported', 'Each entry must create an Observation: request { method: "POST", url: "Observation" }.', `${path}.request`, 'not-supported')] };
  }
  const mapped = observationToReadings(entry.resource, options);
  if (!mapped.ok) return { index, ok: false, problems: underPath(mapped.problems, `${path}.resource`, 'Observation') };
  const ifNoneExist = typeof request.ifNoneExist === 'string' && request.ifNoneExist !== '' ? request.ifNoneExist : null;
  return { index, ok: true, item: { index, fullUrl: typeof entry.fullUrl === 'string' ? entry.fullUrl : null, observation: mapped.value, ifNoneExist } };
}

/**
 * A transaction (or batch) Bundle checked whole: every entry's readings, or every problem in every
 * entry with its path (`Bundle.entry[2].resource.valueQuantity.code`).
 */
export function transactionToReadings(input: unknown, options: ImportOptions = {}): { ok: true; value: TransactionItem[]; type: 'transaction' | 'batch' } | { ok: false; problems: FhirProblem[] } {
  const parsed = bundleToReadings(input, options);
  if (!parsed.ok) return parsed;
  const problems = parsed.entries.flatMap((e) => (e.ok ? [] : e.problems));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, type: parsed.type, value: parsed.entries.flatMap((e) => (e.ok ? [e.item] : [])) };
}
