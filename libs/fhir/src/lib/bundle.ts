import type { Bundle, BundleEntry, BundleLink, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { type FhirProblem, operationOutcome } from './operation-outcome';
import { OBSERVATION_DEFAULT_COUNT, OBSERVATION_MAX_COUNT, OBSERVATION_MAX_OFFSET, OBSERVATION_SEARCH_PARAMETERS } from './search/observation-search';
import { FHIR_JSON, FHIR_VERSION, SYSTEM } from './systems';

export interface SearchPage {
  /** The search URL with the parameters applied and no paging, e.g. `https://host/fhir/Observation?patient=…`. */
  readonly url: string;
  readonly total: number;
  readonly count: number;
  /** Paging parameters of this page (`_cursor=…`), empty on the first. */
  readonly at?: string;
  /** Paging parameters of the next page, or null on the last. */
  readonly next: string | null;
  /** Parameters left out (lenient handling) and other notes: one OperationOutcome entry (search.mode outcome). */
  readonly notes?: readonly FhirProblem[];
}

/**
 * A searchset Bundle with total and self / first / next links. `self` shows the parameters the
 * server applied (R4 §3.1.1.5: an ignored one is left out of it), and what was left out is said
 * in an OperationOutcome entry.
 */
export function searchsetBundle(resources: readonly Resource[], page: SearchPage, baseUrl: string): Bundle {
  const at = (paging: string) => `${page.url}${page.url.includes('?') ? '&' : '?'}${paging ? `${paging}&` : ''}_count=${page.count}`;
  const link: BundleLink[] = [{ relation: 'self', url: at(page.at ?? '') }, { relation: 'first', url: at('') }];
  if (page.next !== null) link.push({ relation: 'next', url: at(page.next) });
  const notes = page.notes ?? [];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: page.total,
    link,
    entry: [...resources.map((resource) => entry(resource, baseUrl)), ...(notes.length > 0 ? [{ resource: operationOutcome(notes), search: { mode: 'outcome' as const } }] : [])],
  };
}

/** A searchset of everything about one patient ($everything): no paging, total = entries. */
export function everythingBundle(resources: readonly Resource[], selfUrl: string, baseUrl: string): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', total: resources.length, link: [{ relation: 'self', url: selfUrl }], entry: resources.map((r) => entry(r, baseUrl)) };
}

function entry(resource: Resource, baseUrl: string): BundleEntry {
  return { ...(resource.id ? { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}` } : {}), resource, search: { mode: 'match' } };
}

/** What this FHIR endpoint can do, exactly: every interaction, parameter and modifier listed works. */
export function capabilityStatement(baseUrl: string, software: { name: string; version: string }, date: Date): CapabilityStatement {
  const modifiers = (list: readonly string[]) => (list.length > 0 ? ` Modifiers: ${list.map((m) => `:${m}`).join(', ')}.` : '');
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: date.toISOString(),
    publisher: 'Homeward',
    kind: 'instance',
    software,
    implementation: { description: 'Homeward remote monitoring: vital signs as FHIR R4 (HL7 PHD IG, UK Core codes)', url: baseUrl },
    fhirVersion: FHIR_VERSION,
    format: [FHIR_JSON, 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Sign in at /api/auth/sign-in and send the token as "Authorization: Bearer". Patients see their own record; nurses and clinicians the patients of their wards. ' +
          'Searches are lenient by default (an unsupported parameter or modifier is left out of the self link and reported in an OperationOutcome entry); send "Prefer: handling=strict" to have them refused (400). Repeated parameters are ANDed, comma-separated values ORed.',
        security: { cors: false, description: 'Bearer token from /api/auth/sign-in; ward isolation; every read and write is audited.' },
        resource: [
          {
            type: 'Patient',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: [
              { name: 'identifier', type: 'token', documentation: `NHS number: ${SYSTEM.nhsNumber}|<10 digits> (or the digits alone).` },
              { name: '_id', type: 'token', documentation: 'The patient id.' },
            ],
            operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }],
          },
          { type: 'Device', interaction: [{ code: 'read' }] },
          {
            type: 'Observation',
            supportedProfile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns', 'http://hl7.org/fhir/StructureDefinition/bp'],
            interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }],
            conditionalCreate: true,
            searchParam: [
              { name: 'patient', type: 'reference', documentation: 'Required (a patient account may leave it out: it searches its own record).' },
              { name: 'subject', type: 'reference', documentation: `As patient.${modifiers(OBSERVATION_SEARCH_PARAMETERS.subject.modifiers)}` },
              { name: 'code', type: 'token', documentation: `LOINC, SNOMED CT or MDC, [system]|code. A blood pressure component code (8480-6, 8462-4, 8478-0) finds the whole panel.${modifiers(OBSERVATION_SEARCH_PARAMETERS.code.modifiers)}` },
              { name: 'component-code', type: 'token', documentation: `Blood pressure component codes; finds the panel.${modifiers(OBSERVATION_SEARCH_PARAMETERS['component-code'].modifiers)}` },
              { name: 'category', type: 'token', documentation: `vital-signs or laboratory (capillary glucose).${modifiers(OBSERVATION_SEARCH_PARAMETERS.category.modifiers)}` },
              { name: 'date', type: 'date', documentation: `Measurement time at any precision (2026, 2026-11, 2026-11-22, …T07:30[:00][Z]); prefixes eq, ne, gt, lt, ge, le, sa, eb, ap; dates without a zone are UTC.${modifiers(OBSERVATION_SEARCH_PARAMETERS.date.modifiers)}` },
              { name: '_count', type: 'number', documentation: `Page size 0–${OBSERVATION_MAX_COUNT} (default ${OBSERVATION_DEFAULT_COUNT}; more is capped; 0 gives the total only).` },
              { name: '_offset', type: 'number', documentation: `Skip this many results (at most ${OBSERVATION_MAX_OFFSET}); deeper, follow the next link.` },
            ],
          },
          {
            type: 'Flag',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: [
              { name: 'patient', type: 'reference', documentation: 'Required (a patient account may leave it out).' },
              { name: 'status', type: 'token', documentation: 'active or inactive (resolved alerts).' },
            ],
          },
          {
            type: 'Subscription',
            documentation:
              'R4 rest-hook only. criteria: Observation?patient=<id>, Observation?ward=<ward id>, Flag?patient=<id> or Flag?ward=<ward id> (new readings or new alerts from then on). ' +
              'channel.payload application/fhir+json: PUT <endpoint>/<type>/<id> with the resource; absent: POST <endpoint> with no body, the resource named in X-Subscription-Resource. ' +
              'channel.header sent with each notification. Retried with capped exponential backoff; status requested → active, error while failing (last error in Subscription.error), off after DELETE.',
            interaction: [{ code: 'create' }, { code: 'read' }, { code: 'search-type' }, { code: 'delete' }],
          },
        ],
        interaction: [
          { code: 'transaction', documentation: 'Observation creates only; atomic: all stored in one database transaction, or none.' },
          { code: 'batch', documentation: 'Observation creates only; each entry succeeds or fails on its own.' },
        ],
      },
    ],
  };
}
