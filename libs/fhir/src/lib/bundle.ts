import type { Bundle, BundleEntry, BundleLink, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { FHIR_JSON, FHIR_VERSION } from './systems';

export interface SearchPage {
  /** The search URL without paging parameters, e.g. `https://host/fhir/Observation?patient=…`. */
  readonly url: string;
  readonly total: number;
  readonly offset: number;
  readonly count: number;
}

/** A searchset Bundle with total and self / first / previous / next / last links (offset paging). */
export function searchsetBundle(resources: readonly Resource[], page: SearchPage, baseUrl: string): Bundle {
  const at = (offset: number) => `${page.url}${page.url.includes('?') ? '&' : '?'}_count=${page.count}&_offset=${offset}`;
  const link: BundleLink[] = [{ relation: 'self', url: at(page.offset) }, { relation: 'first', url: at(0) }];
  if (page.offset > 0) link.push({ relation: 'previous', url: at(Math.max(0, page.offset - page.count)) });
  if (page.offset + page.count < page.total) link.push({ relation: 'next', url: at(page.offset + page.count) });
  const lastOffset = page.total === 0 ? 0 : Math.floor((page.total - 1) / page.count) * page.count;
  link.push({ relation: 'last', url: at(lastOffset) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: page.total,
    link,
    entry: resources.map((resource) => entry(resource, baseUrl)),
  };
}

/** A searchset of everything about one patient ($everything): no paging, total = entries. */
export function everythingBundle(resources: readonly Resource[], selfUrl: string, baseUrl: string): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', total: resources.length, link: [{ relation: 'self', url: selfUrl }], entry: resources.map((r) => entry(r, baseUrl)) };
}

function entry(resource: Resource, baseUrl: string): BundleEntry {
  return { ...(resource.id ? { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}` } : {}), resource, search: { mode: 'match' } };
}

/** What this FHIR endpoint can do: read patients and devices, read, search and create observations, transactions. */
export function capabilityStatement(baseUrl: string, software: { name: string; version: string }, date: Date): CapabilityStatement {
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
        documentation: 'Sign in at /api/auth/sign-in and send the token as "Authorization: Bearer". Patients see their own record; nurses and clinicians the patients of their wards.',
        security: { cors: false, description: 'Bearer token from /api/auth/sign-in; ward isolation; every read and write is audited.' },
        resource: [
          {
            type: 'Patient',
            interaction: [{ code: 'read' }],
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
              { name: 'code', type: 'token', documentation: 'LOINC, SNOMED CT or MDC code, optionally system|code; several separated by commas.' },
              { name: 'date', type: 'date', documentation: 'Measurement time; ge, gt, le, lt, eq prefixes; may repeat.' },
              { name: '_count', type: 'number', documentation: 'Page size, 1–500 (default 50).' },
              { name: '_offset', type: 'number', documentation: 'Start of the page; follow the next/previous links.' },
            ],
          },
        ],
        interaction: [{ code: 'transaction', documentation: 'Observations only (POST entries); conditional create on the duplicate-detection identifier.' }],
      },
    ],
  };
}
