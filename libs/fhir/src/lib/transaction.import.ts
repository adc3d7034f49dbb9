import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { type ImportedObservation, observationToReadings } from './observation.import';
import { type FhirProblem, problem, underPath } from './operation-outcome';

export interface TransactionItem {
  readonly index: number;
  readonly fullUrl: string | null;
  readonly observation: ImportedObservation;
}

/**
 * A transaction (or batch) Bundle of Observation creates → the readings of each entry, or every
 * problem in every entry with its path (`Bundle.entry[2].resource.valueQuantity.code`). All are
 * checked before anything is stored, so a transaction with one bad entry stores nothing.
 */
export function transactionToReadings(input: unknown): { ok: true; value: TransactionItem[]; type: 'transaction' | 'batch' } | { ok: false; problems: FhirProblem[] } {
  if (typeof input !== 'object' || input === null || (input as Bundle).resourceType !== 'Bundle') {
    return { ok: false, problems: [problem('fhir.not-a-bundle', 'POST /fhir takes a Bundle of type "transaction".', 'Bundle.resourceType', 'structure')] };
  }
  const bundle = input as Bundle;
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    return { ok: false, problems: [problem('fhir.bundle-type', `Bundle.type must be "transaction" or "batch"; got ${JSON.stringify(bundle.type ?? null)}.`, 'Bundle.type', 'value')] };
  }
  const entries: unknown[] = Array.isArray(bundle.entry) ? bundle.entry : [];
  if (entries.length === 0) return { ok: false, problems: [problem('fhir.bundle-empty', 'The Bundle has no entries.', 'Bundle.entry', 'required')] };
  const problems: FhirProblem[] = [];
  const items: TransactionItem[] = [];
  entries.forEach((raw, index) => {
    const path = `Bundle.entry[${index}]`;
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as BundleEntry;
    const request: { method?: unknown; url?: unknown } = typeof entry.request === 'object' && entry.request !== null ? entry.request : {};
    const method = request.method;
    const url = typeof request.url === 'string' ? request.url.split('?')[0] : undefined;
    if (method !== 'POST' || (url !== 'Observation' && !url?.endsWith('/Observation'))) {
      problems.push(problem('fhir.entry-not-supported', 'Each entry must create an Observation: request { method: "POST", url: "Observation" }.', `${path}.request`, 'not-supported'));
      return;
    }
    const mapped = observationToReadings(entry.resource);
    if (!mapped.ok) {
      problems.push(...underPath(mapped.problems, `${path}.resource`, 'Observation'));
      return;
    }
    items.push({ index, fullUrl: typeof entry.fullUrl === 'string' ? entry.fullUrl : null, observation: mapped.value });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: items, type: bundle.type };
}
