import type { FhirProblem } from '@homeward/fhir';
import { type SearchHandling, searchHandling } from '@homeward/fhir';
import { type FhirRequest, fhirFailure } from './fhir-http';

/** A search request's parameters and handling (`Prefer: handling=strict|lenient`, lenient by default). */
export function searchRequest(request: FhirRequest): { params: URLSearchParams; handling: SearchHandling } {
  return { params: new URL(request.originalUrl ?? request.url, 'http://localhost').searchParams, handling: searchHandling(request.headers['prefer']) };
}

/** A parsed search, or a 400 OperationOutcome naming every bad or (strict) unsupported parameter. */
export function searchOrRefuse<T>(parsed: { ok: true; value: T } | { ok: false; problems: FhirProblem[] }): T {
  if (!parsed.ok) throw fhirFailure('fhir.search-invalid', parsed.problems);
  return parsed.value;
}
