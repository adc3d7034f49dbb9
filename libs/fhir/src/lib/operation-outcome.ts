import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { SYSTEM } from './systems';

/** One problem with a resource: Homeward's coded error plus the FHIRPath of what is wrong. */
export interface FhirProblem {
  readonly code: string;
  readonly message: string;
  /** FHIRPath of the offending element, e.g. `Observation.valueQuantity.code`. */
  readonly path: string;
  /** The FHIR issue type (http://hl7.org/fhir/issue-type). */
  readonly type?: OperationOutcomeIssue['code'];
  readonly severity?: 'error' | 'warning' | 'information';
}

export function problem(code: string, message: string, path: string, type: OperationOutcomeIssue['code'] = 'invalid'): FhirProblem {
  return { code, message, path, type };
}

/** An OperationOutcome with one issue per problem, each naming its path in `expression`. */
export function operationOutcome(problems: readonly FhirProblem[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: problems.map((p) => ({
      severity: p.severity ?? 'error',
      code: p.type ?? 'invalid',
      details: { coding: [{ system: SYSTEM.error, code: p.code }], text: p.message },
      diagnostics: p.message,
      expression: [p.path],
    })),
  };
}

/** Puts problems found in a resource under where that resource sits (a Bundle entry). */
export function underPath(problems: readonly FhirProblem[], prefix: string, resourceType: string): FhirProblem[] {
  return problems.map((p) => ({ ...p, path: p.path.startsWith(resourceType) ? `${prefix}${p.path.slice(resourceType.length)}` : `${prefix}.${p.path}` }));
}
