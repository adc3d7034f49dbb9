import type { Observation, Resource } from '@medplum/fhirtypes';
import { ALERT_SEVERITY_BANDS, type Alert, DEVICE_TYPES, type NhsNumber, READING_STATUS_FLAGS, type ReadingInput, type ReadingStatusFlag, buildReading, unwrap } from '@homeward/domain';
import { news2History } from '@homeward/rules';
import {
  alertToFlag,
  capabilityStatement,
  deviceToFhir,
  everythingBundle,
  news2ToObservation,
  observationToReadings,
  operationOutcome,
  patientToFhir,
  problem,
  readingsToObservations,
  searchsetBundle,
  type StoredReadingLike,
  transactionToReadings,
} from '@homeward/fhir';
import { type FhirValidator, PROFILES_THE_VALIDATOR_CANNOT_CHECK, describeIssues, fhirValidator } from '../src';

const PATIENT = '6f1c2a54-3b0e-4f8e-9d55-0a1b2c3d4e5f';
const CUFF = '0b6c4d1e-8a2f-4c3b-9e7d-112233445566';
const OXIMETER = '1c7d5e2f-9b30-4d4c-8f8e-223344556677';
const HUB = '2d8e6f30-ac41-4e5d-908f-334455667788';
let nextId = 1;

function stored(input: Partial<ReadingInput> & { vital: string; value: number; unit: string }): StoredReadingLike {
  const measuredAt = input.measuredAt ?? new Date('2026-11-21T07:30:00Z');
  const reading = unwrap(buildReading({ patientId: PATIENT, deviceId: null, measuredAt, deviceTime: measuredAt, receivedAt: new Date(measuredAt.getTime() + 5_000), source: 'mqtt', ...input }));
  return { ...reading, id: String(nextId++) };
}

/** One reading of every vital; a cuff's systolic, diastolic, mean and pulse at one instant. */
function everyVital(): StoredReadingLike[] {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 7, 30 + minute));
  return [
    stored({ vital: 'systolic_bp', value: 132, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at(0) }),
    stored({ vital: 'diastolic_bp', value: 84, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at(0) }),
    stored({ vital: 'mean_arterial_pressure', value: 100, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at(0) }),
    stored({ vital: 'heart_rate', value: 72, unit: '/min', deviceId: CUFF, measuredAt: at(0) }),
    stored({ vital: 'spo2', value: 95, unit: '%', deviceId: OXIMETER, measuredAt: at(1) }),
    stored({ vital: 'respiration_rate', value: 18, unit: '/min', source: 'manual', measuredAt: at(2) }),
    stored({ vital: 'body_temperature', value: 37.2, unit: 'Cel', source: 'manual', measuredAt: at(3) }),
    stored({ vital: 'body_weight', value: 71.25, unit: 'kg', source: 'manual', measuredAt: at(4) }),
    stored({ vital: 'blood_glucose', value: 6.4, unit: 'mmol/L', source: 'manual', measuredAt: at(5) }),
    stored({ vital: 'news2_score', value: 3, unit: '{score}', source: 'manual', measuredAt: at(6) }),
  ];
}

// Every kind of resource Homeward emits, validated with a maintained FHIR R4 validator
// (Medplum's, against HL7's R4 StructureDefinitions and the R4 core vital-signs profiles).
let validated = 0;
let validator: FhirValidator;
const validationErrors = (resource: Resource) => validator.errors(resource);
const profileErrors = (resource: Resource, url: string) => validator.profileErrors(resource, url);

function expectValid(resource: Resource): void {
  const errors = validationErrors(resource);
  if (errors.length > 0) throw new Error(`${resource.resourceType}/${resource.id ?? ''} is not valid FHIR R4:\n${describeIssues(errors)}\n${JSON.stringify(resource, null, 1)}`);
  validated += 1;
}

const BASE = 'https://homeward.example.nhs.uk/fhir';

function anAlert(severity: Alert['severity'], state: Alert['state']): Alert {
  const at = new Date('2026-11-21T08:00:00Z');
  return {
    id: `0a1b2c3d-0000-4000-8000-00000000000${ALERT_SEVERITY_BANDS.indexOf(severity)}`,
    patientId: PATIENT,
    wardId: '9a8b7c6d-0000-4000-8000-000000000001',
    rule: 'news2-band',
    subject: 'news2',
    severity,
    state,
    ownerId: null,
    explanation: 'NEWS2 5 (medium): urgent review by a clinician.',
    details: {},
    latestValue: 5,
    firstMeasuredAt: at,
    latestMeasuredAt: at,
    occurrences: 1,
    readingIds: ['1'],
    openedAt: at,
    updatedAt: at,
    evidenceTakenAt: at,
    acknowledgedAt: null,
    escalatedAt: null,
    resolvedAt: state === 'resolved' ? new Date('2026-11-21T09:00:00Z') : null,
    outcome: state === 'resolved' ? 'contacted-patient' : null,
    escalationDueAt: null,
    nextReminderAt: null,
    reminders: 0,
    worsenedAt: null,
    worsenedFrom: null,
  };
}

describe('FHIR R4 validation of everything Homeward emits', () => {
  beforeAll(async () => {
    validator = await fhirValidator();
  }, 30_000);
  afterAll(() => {
    // A figure for the report: how many resources went through the validator.
    process.stdout.write(`fhir validation: ${validated} resources valid\n`);
  });

  it('knows the R4 vital-signs profiles it validates against', () => {
    expect([...validator.profiles].sort()).toEqual(
      ['bodytemp', 'bodyweight', 'bp', 'heartrate', 'oxygensat', 'resprate', 'vitalsigns'].map((p) => `http://hl7.org/fhir/StructureDefinition/${p}`),
    );
  });

  it('catches what is wrong (so a pass means something)', () => {
    const [observation] = readingsToObservations([stored({ vital: 'heart_rate', value: 70, unit: '/min' })]);
    const broken = { ...observation, status: undefined, valueQuantity: { value: 'seventy' } } as unknown as Observation;
    expect(validationErrors(broken).map((i) => i.expression?.[0])).toEqual(expect.arrayContaining(['Observation.status', 'Observation.value[x].value']));
    const [spo2] = readingsToObservations([stored({ vital: 'spo2', value: 95, unit: '%' })]);
    const withoutCategory = { ...spo2, category: undefined } as Observation;
    expect(validationErrors(withoutCategory).map((i) => i.expression?.[0])).toContain('Observation.category'); // the oxygensat profile requires it
  });

  it('pins the one profile Medplum cannot check: R4 bp slices are reported empty even for a minimal conformant panel', () => {
    const quantity = (value: number) => ({ value, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
    const minimal = {
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      subject: { reference: `Patient/${PATIENT}` },
      effectiveDateTime: '2026-11-21T07:30:00Z',
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: quantity(120) },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: quantity(80) },
      ],
    } as Observation;
    // If this starts passing, take bp out of PROFILES_THE_VALIDATOR_CANNOT_CHECK.
    expect(profileErrors(minimal, PROFILES_THE_VALIDATOR_CANNOT_CHECK[0] as string).map((i) => i.details?.text)).toEqual([
      "Incorrect number of values provided for slice 'SystolicBP': expected 1..1, but found 0",
      "Incorrect number of values provided for slice 'DiastolicBP': expected 1..1, but found 0",
    ]);
  });

  it('BP panels meet the bp profile as the profile states it: both sides, their LOINC codes, mm[Hg]', () => {
    const panels = [readingsToObservations(everyVital())[0], readingsToObservations([stored({ vital: 'diastolic_bp', value: 70, unit: 'mm[Hg]', deviceId: CUFF })])[0]] as Observation[];
    for (const panel of panels) {
      expect(panel.code.coding).toEqual(expect.arrayContaining([expect.objectContaining({ system: 'http://loinc.org', code: '85354-9' })]));
      for (const code of ['8480-6', '8462-4']) {
        const side = panel.component?.filter((c) => c.code.coding?.some((k) => k.system === 'http://loinc.org' && k.code === code)) ?? [];
        expect(side).toHaveLength(1);
        const [component] = side;
        if (component?.valueQuantity) expect(component.valueQuantity).toMatchObject({ system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
        else expect(component?.dataAbsentReason?.coding?.[0]?.code).toBe('unknown');
      }
      expectValid(panel);
    }
  });

  it('single-reading Observations of every vital, with every status flag, a gateway and a BP panel', () => {
    const observations = readingsToObservations(everyVital(), { gatewayDeviceFor: (r) => (r.deviceId === CUFF ? HUB : null) });
    expect(observations.length).toBe(8);
    observations.forEach(expectValid);
    for (const flag of READING_STATUS_FLAGS) {
      readingsToObservations([stored({ vital: 'spo2', value: 93, unit: '%', status: [flag as ReadingStatusFlag] })]).forEach(expectValid);
    }
    readingsToObservations([stored({ vital: 'systolic_bp', value: 150, unit: 'mm[Hg]', deviceId: CUFF, status: ['irregular-pulse', 'cuff-fit-loose'] })]).forEach(expectValid);
  });

  it('NEWS2 Observations with their parameter components, partial ones marked as a lower bound', () => {
    const readings = everyVital();
    const history = news2History(
      readings,
      { patientId: PATIENT, pathway: 'general', news2: { windowHours: 12, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } },
      new Date('2026-11-21T07:00:00Z'),
      new Date('2026-11-21T08:00:00Z'),
    );
    if (!history.ok) throw new Error(history.error.message);
    expect(history.value.length).toBeGreaterThan(0);
    for (const point of history.value) {
      const observation = news2ToObservation(PATIENT, point);
      expectValid(observation);
      expect(observation.component).toHaveLength(7);
      if (!point.complete) expect(observation.valueQuantity?.comparator).toBe('>=');
    }
  });

  it('Patient, Device of every type, Flag of every severity and state', () => {
    expectValid(patientToFhir({ id: PATIENT, nhsNumber: '9434765919' as NhsNumber, givenName: 'Ada', familyName: 'Lovelace', dateOfBirth: '1948-02-29', createdAt: new Date() }));
    DEVICE_TYPES.forEach((type, i) =>
      expectValid(
        deviceToFhir({ id: `7e0a1b2c-0000-4000-8000-00000000000${i}`, type, serial: `SN-${i}`, model: i % 2 === 0 ? `Model ${i}` : null, bleAddress: null, patientId: i === 0 ? null : PATIENT, lastSeenAt: null, batteryLevel: null, createdAt: new Date() }),
      ),
    );
    for (const severity of ALERT_SEVERITY_BANDS) for (const state of ['open', 'resolved'] as const) expectValid(alertToFlag(anAlert(severity, state)));
  });

  it('searchset and $everything Bundles, the CapabilityStatement and OperationOutcomes', () => {
    const observations = readingsToObservations(everyVital());
    expectValid(searchsetBundle(observations.slice(0, 3), { url: `${BASE}/Observation?patient=${PATIENT}`, total: 8, count: 3, at: '_cursor=1.2.3', next: '_cursor=9.8.7', notes: [{ ...problem('fhir.search-parameter-unsupported', 'colour is not supported; ignored.', 'colour', 'not-supported'), severity: 'warning' }] }, BASE));
    expectValid(searchsetBundle([], { url: `${BASE}/Observation?patient=${PATIENT}`, total: 0, count: 50, next: null }, BASE));
    expectValid(everythingBundle([patientToFhir({ id: PATIENT, nhsNumber: '9434765919' as NhsNumber, givenName: 'Ada', familyName: 'Lovelace', dateOfBirth: '1948-02-29', createdAt: new Date() }), ...observations, alertToFlag(anAlert('high', 'open'))], `${BASE}/Patient/${PATIENT}/$everything`, BASE));
    expectValid(capabilityStatement(BASE, { name: 'Homeward', version: '0.1.0' }, new Date()));
    const bad = observationToReadings({ resourceType: 'Observation', status: 'final', code: {}, subject: {} });
    if (bad.ok) throw new Error('expected problems');
    expectValid(operationOutcome(bad.problems));
    const badBundle = transactionToReadings({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Observation' }, resource: { resourceType: 'Observation' } }] });
    if (badBundle.ok) throw new Error('expected problems');
    expectValid(operationOutcome(badBundle.problems));
  });
});
