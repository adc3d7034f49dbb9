import type { Observation } from '@medplum/fhirtypes';
import { CUFF, HUB, OXIMETER, PATIENT, everyVital, stored } from '../../test/sample-readings';
import { readingsToObservations } from './observation.mapper';
import { EXTENSION, SYSTEM } from './systems';

// The codes table of ../shared/CLINICAL.md, as the Observations must carry it.
const CLINICAL: Record<string, { loinc: string[]; snomed?: string; unit: string; mdc?: string }> = {
  systolic_bp: { loinc: ['8480-6'], snomed: '271649006', unit: 'mm[Hg]', mdc: '150021' },
  diastolic_bp: { loinc: ['8462-4'], snomed: '271650006', unit: 'mm[Hg]', mdc: '150022' },
  mean_arterial_pressure: { loinc: ['8478-0'], unit: 'mm[Hg]', mdc: '150023' },
  heart_rate: { loinc: ['8867-4'], snomed: '364075005', unit: '/min', mdc: '149546' },
  spo2: { loinc: ['59408-5', '2708-6'], snomed: '431314004', unit: '%', mdc: '150456' },
  respiration_rate: { loinc: ['9279-1'], snomed: '86290005', unit: '/min', mdc: '151562' },
  body_temperature: { loinc: ['8310-5'], snomed: '386725007', unit: 'Cel', mdc: '150364' },
  body_weight: { loinc: ['29463-7'], snomed: '27113001', unit: 'kg', mdc: '188736' },
  blood_glucose: { loinc: ['14743-9'], unit: 'mmol/L', mdc: '160184' },
  news2_score: { loinc: [], snomed: '1104051000000101', unit: '{score}' },
};

const codes = (concept: Observation['code'] | undefined, system: string) => (concept?.coding ?? []).filter((c) => c.system === system).map((c) => c.code);

describe('readings → FHIR Observations', () => {
  const observations = readingsToObservations(everyVital(), { gatewayDeviceFor: (r) => (r.deviceId === CUFF ? HUB : null) });

  it('makes one BP panel of systolic, diastolic and mean from one cuff measurement, and one Observation per other reading', () => {
    expect(observations).toHaveLength(8);
    const panel = observations[0] as Observation;
    expect(codes(panel.code, SYSTEM.loinc)).toEqual(['85354-9']);
    expect(codes(panel.code, SYSTEM.snomed)).toEqual(['75367002']);
    expect(codes(panel.code, SYSTEM.mdc)).toEqual(['150020']);
    expect(panel.valueQuantity).toBeUndefined();
    expect(panel.component?.map((c) => [codes(c.code, SYSTEM.loinc)[0], c.valueQuantity?.value, c.valueQuantity?.code])).toEqual([
      ['8480-6', 132, 'mm[Hg]'],
      ['8462-4', 84, 'mm[Hg]'],
      ['8478-0', 100, 'mm[Hg]'],
    ]);
    expect(panel.identifier?.map((i) => i.value)).toEqual([
      `device:${CUFF}|systolic_bp|2026-11-21T07:30:00.000Z|132`,
      `device:${CUFF}|diastolic_bp|2026-11-21T07:30:00.000Z|84`,
      `device:${CUFF}|mean_arterial_pressure|2026-11-21T07:30:00.000Z|100`,
    ]);
    expect(panel.meta?.profile).toContain('http://hl7.org/fhir/StructureDefinition/bp');
  });

  it.each(Object.entries(CLINICAL).filter(([vital]) => !['systolic_bp', 'diastolic_bp', 'mean_arterial_pressure'].includes(vital)))(
    '%s carries the LOINC, SNOMED CT and MDC codes and the UCUM unit of CLINICAL.md',
    (vital, expected) => {
      const observation = observations.find((o) => o.identifier?.[0]?.value?.includes(`|${vital}|`));
      if (!observation) throw new Error(`no Observation for ${vital}`);
      expect(codes(observation.code, SYSTEM.loinc)).toEqual(expected.loinc);
      expect(codes(observation.code, SYSTEM.snomed)).toEqual(expected.snomed ? [expected.snomed] : []);
      expect(codes(observation.code, SYSTEM.mdc)).toEqual(expected.mdc ? [expected.mdc] : []);
      expect(observation.valueQuantity).toMatchObject({ system: 'http://unitsofmeasure.org', code: expected.unit, unit: expected.unit });
      expect(observation.category?.[0]?.coding?.[0]).toMatchObject({ system: SYSTEM.observationCategory, code: vital === 'blood_glucose' ? 'laboratory' : 'vital-signs' });
      expect(observation.subject).toEqual({ reference: `Patient/${PATIENT}` });
      expect(observation.status).toBe('final');
    },
  );

  it('sets effectiveDateTime to the measurement time, issued to receipt, and references device and gateway (PHD IG)', () => {
    const heartRate = observations.find((o) => codes(o.code, SYSTEM.loinc).includes('8867-4')) as Observation;
    expect(heartRate.effectiveDateTime).toBe('2026-11-21T07:30:00.000Z');
    expect(heartRate.issued).toBe('2026-11-21T07:30:05.000Z');
    expect(heartRate.device).toEqual({ reference: `Device/${CUFF}` });
    expect(heartRate.extension).toEqual([{ url: EXTENSION.gatewayDevice, valueReference: { reference: `Device/${HUB}` } }]);
    const spo2 = observations.find((o) => codes(o.code, SYSTEM.loinc).includes('59408-5')) as Observation;
    expect(spo2.device).toEqual({ reference: `Device/${OXIMETER}` });
    expect(spo2.extension).toBeUndefined();
    const manual = observations.find((o) => codes(o.code, SYSTEM.loinc).includes('9279-1')) as Observation;
    expect(manual.device).toBeUndefined();
    expect(manual.identifier?.[0]).toEqual({ use: 'secondary', system: SYSTEM.readingKey, value: `patient:${PATIENT}|respiration_rate|2026-11-21T07:32:00.000Z|18` });
  });

  it('names the gateway recorded on the reading (the hub that relayed it) before any the context would infer', () => {
    const other = '99999999-9999-4999-8999-999999999999';
    const relayed = everyVital().map((r) => (r.deviceId === CUFF ? { ...r, gatewayId: other } : r));
    const mapped = readingsToObservations(relayed, { gatewayDeviceFor: (r) => (r.deviceId === CUFF ? HUB : null) });
    const hubs = mapped.filter((o) => o.device?.reference === `Device/${CUFF}`).map((o) => o.extension);
    expect(hubs.length).toBeGreaterThan(1); // the panel and the pulse
    for (const extension of hubs) expect(extension).toEqual([{ url: EXTENSION.gatewayDevice, valueReference: { reference: `Device/${other}` } }]);
    // A reading typed in has no device, so no gateway, whatever is recorded.
    const typed = readingsToObservations(everyVital().filter((r) => r.deviceId === null).map((r) => ({ ...r, gatewayId: other })));
    expect(typed.every((o) => o.extension === undefined)).toBe(true);
  });

  it('maps measurement-status flags to interpretation, and clock flags to meta.tag', () => {
    const at = new Date('2026-11-21T09:00:00Z');
    const [observation] = readingsToObservations([
      stored({ vital: 'spo2', value: 91, unit: '%', deviceId: OXIMETER, measuredAt: at, status: ['low-perfusion', 'early-estimate', 'irregular-pulse', 'clock-corrected'] }),
    ]);
    expect(observation?.interpretation?.map((i) => i.coding?.map((c) => `${c.system === SYSTEM.measurementStatus ? 'mds' : 'hw'}:${c.code}`))).toEqual([
      ['mds:questionable', 'hw:low-perfusion'],
      ['mds:early-indication', 'hw:early-estimate'],
      ['hw:irregular-pulse'],
    ]);
    expect(observation?.meta?.tag).toEqual([expect.objectContaining({ system: SYSTEM.readingStatus, code: 'clock-corrected' })]);
  });

  it('pairs BP sides by device and measurement time: two cuffs at one instant are two panels; a lone side gets dataAbsentReason', () => {
    const at = new Date('2026-11-21T10:00:00Z');
    const other = '3e9f7041-bd52-4f6e-a1a0-445566778899';
    const result = readingsToObservations([
      stored({ vital: 'systolic_bp', value: 120, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at }),
      stored({ vital: 'systolic_bp', value: 150, unit: 'mm[Hg]', deviceId: other, measuredAt: at }),
      stored({ vital: 'diastolic_bp', value: 80, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at }),
    ]);
    expect(result).toHaveLength(2);
    expect(result[0]?.component?.map((c) => c.valueQuantity?.value)).toEqual([120, 80]);
    expect(result[1]?.component?.[0]?.valueQuantity?.value).toBe(150);
    expect(result[1]?.component?.[1]).toMatchObject({ dataAbsentReason: { coding: [{ system: SYSTEM.dataAbsentReason, code: 'unknown' }] } });
  });

  it('keeps a mean arterial pressure without systolic or diastolic as its own Observation', () => {
    const [map] = readingsToObservations([stored({ vital: 'mean_arterial_pressure', value: 95, unit: 'mm[Hg]', deviceId: CUFF })]);
    expect(codes(map?.code, SYSTEM.loinc)).toEqual(['8478-0']);
    expect(map?.valueQuantity?.value).toBe(95);
  });
});
