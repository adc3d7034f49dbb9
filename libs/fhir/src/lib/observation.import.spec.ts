import type { Bundle, Observation } from '@medplum/fhirtypes';
import { buildReading, correctDeviceClock } from '@homeward/domain';
import { CUFF, OXIMETER, PATIENT, everyVital, stored } from '../../test/sample-readings';
import { observationToReadings } from './observation.import';
import { readingsToObservations } from './observation.mapper';
import { operationOutcome } from './operation-outcome';
import { SYSTEM } from './systems';
import { transactionToReadings } from './transaction.import';

/** What the ingest pipeline does with an imported Observation: clock correction, then buildReading. */
function ingestAsPipelineWould(observation: unknown, receivedAt = new Date('2026-11-22T08:00:00Z')) {
  const mapped = observationToReadings(observation);
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.problems));
  const { value } = mapped;
  return value.readings.map((r) => {
    const clock = correctDeviceClock({ deviceTime: r.deviceTime, receivedAt, deviceClockAt: value.deviceClockAt(receivedAt), maxSkewMs: 300_000 });
    const built = buildReading({ patientId: value.patientId, deviceId: value.deviceId, vital: r.vital, value: r.value, unit: r.unit, measuredAt: clock.measuredAt, deviceTime: r.deviceTime, receivedAt, source: 'fhir', status: [...r.status, ...clock.flags] });
    if (!built.ok) throw new Error(built.error.message);
    return built.value;
  });
}

const baseObservation = (): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: SYSTEM.observationCategory, code: 'vital-signs' }] }],
  code: { coding: [{ system: SYSTEM.loinc, code: '59408-5' }] },
  subject: { reference: `Patient/${PATIENT}` },
  device: { reference: `Device/${OXIMETER}` },
  effectiveDateTime: '2026-11-21T07:31:00Z',
  valueQuantity: { value: 95, unit: '%', system: SYSTEM.ucum, code: '%' },
});

describe('FHIR Observation → readings', () => {
  it('round-trips every vital: the same vital, value, unit, time, flags and idempotency key', () => {
    const readings = everyVital(['questionable']);
    const back = readingsToObservations(readings).flatMap((o) => ingestAsPipelineWould(o));
    const key = (r: { vital: string }) => r.vital;
    expect(back.map((r) => [r.vital, r.value, r.unit, r.measuredAt.toISOString(), r.idempotencyKey]).sort()).toEqual(
      readings.map((r) => [r.vital, r.value, r.unit, r.measuredAt.toISOString(), r.idempotencyKey]).sort(),
    );
    expect(back.find((r) => key(r) === 'systolic_bp')?.status).toEqual(['questionable']);
  });

  it('keeps the key of a clock-corrected reading, and its corrected measurement time', () => {
    const measuredAt = new Date('2026-11-21T07:40:00Z');
    const deviceTime = new Date('2026-11-21T06:55:00Z'); // the device clock was 45 minutes slow
    const reading = stored({ vital: 'heart_rate', value: 64, unit: '/min', deviceId: CUFF, measuredAt, deviceTime, status: ['clock-corrected', 'clock-skewed'] });
    const [observation] = readingsToObservations([reading]);
    const [again] = ingestAsPipelineWould(observation);
    expect(again?.idempotencyKey).toBe(reading.idempotencyKey);
    expect(again?.measuredAt.toISOString()).toBe(measuredAt.toISOString());
    expect(again?.deviceTime?.toISOString()).toBe(deviceTime.toISOString());
    expect(again?.status).toEqual(expect.arrayContaining(['clock-corrected', 'clock-skewed']));
  });

  it('gives an Observation from another platform (no Homeward key) a stable key: posting it twice is one reading', () => {
    const [first] = ingestAsPipelineWould(baseObservation(), new Date('2026-11-22T08:00:00Z'));
    const [second] = ingestAsPipelineWould(baseObservation(), new Date('2026-11-22T09:00:00Z'));
    expect(first?.idempotencyKey).toBe(second?.idempotencyKey);
    expect(first?.measuredAt.toISOString()).toBe('2026-11-21T07:31:00.000Z');
  });

  it('converts units (mg/dL glucose under its own LOINC code, °F, lb) and reads interpretation back into flags', () => {
    const glucose = { ...baseObservation(), device: undefined, code: { coding: [{ system: SYSTEM.loinc, code: '41653-7' }] }, valueQuantity: { value: 108, unit: 'mg/dL', system: SYSTEM.ucum, code: 'mg/dL' } };
    expect(ingestAsPipelineWould(glucose)[0]).toMatchObject({ vital: 'blood_glucose', value: 5.99, unit: 'mmol/L', deviceId: null });
    const temperature = { ...baseObservation(), code: { coding: [{ system: SYSTEM.snomed, code: '386725007' }] }, valueQuantity: { value: 99.5, system: SYSTEM.ucum, code: '[degF]' }, interpretation: [{ coding: [{ system: SYSTEM.measurementStatus, code: 'questionable' }] }] };
    expect(ingestAsPipelineWould(temperature)[0]).toMatchObject({ vital: 'body_temperature', value: 37.5, status: ['questionable'] });
    const weight = { ...baseObservation(), code: { coding: [{ system: SYSTEM.mdc, code: '188736' }] }, valueQuantity: { value: 154, system: SYSTEM.ucum, code: '[lb_av]' } };
    expect(ingestAsPipelineWould(weight)[0]).toMatchObject({ vital: 'body_weight', value: 69.853 });
  });

  it('reads a BP panel with one side absent as the side that was measured', () => {
    const panel = readingsToObservations([stored({ vital: 'systolic_bp', value: 141, unit: 'mm[Hg]', deviceId: CUFF })])[0];
    expect(ingestAsPipelineWould(panel).map((r) => [r.vital, r.value])).toEqual([['systolic_bp', 141]]);
  });

  it('names the path of every problem in an OperationOutcome', () => {
    const bad = {
      resourceType: 'Observation',
      status: 'preliminary',
      code: { coding: [{ system: SYSTEM.loinc, code: '85354-9' }] },
      subject: { reference: 'Patient/not-a-uuid' },
      effectiveDateTime: '2026-11-21',
      component: [
        { code: { coding: [{ system: SYSTEM.loinc, code: '8480-6' }] }, valueQuantity: { value: 420, system: SYSTEM.ucum, code: 'mm[Hg]' } },
        { code: { coding: [{ system: SYSTEM.loinc, code: '8462-4' }] }, valueQuantity: { value: 80, system: SYSTEM.ucum, code: 'cm[H2O]' } },
        { code: { coding: [{ system: SYSTEM.loinc, code: '8867-4' }] }, valueQuantity: { value: 70, system: SYSTEM.ucum, code: '/min' } },
      ],
    };
    const result = observationToReadings(bad);
    if (result.ok) throw new Error('expected problems');
    const outcome = operationOutcome(result.problems);
    expect(outcome.issue.map((i) => [i.expression?.[0], i.details?.coding?.[0]?.code])).toEqual([
      ['Observation.status', 'fhir.status-not-accepted'],
      ['Observation.subject.reference', 'fhir.subject-required'],
      ['Observation.effectiveDateTime', 'fhir.effective-required'],
      ['Observation.component[0].valueQuantity.value', 'reading.implausible'],
      ['Observation.component[1].valueQuantity.code', 'unit.unsupported'],
      ['Observation.component[2].code', 'fhir.unknown-code'],
    ]);
    expect(outcome.issue.every((i) => i.severity === 'error' && typeof i.diagnostics === 'string' && i.diagnostics.length > 10)).toBe(true);
  });

  it.each([
    ['not an Observation', { resourceType: 'Patient' }, 'Observation.resourceType'],
    ['an unknown code', { ...baseObservation(), code: { coding: [{ system: SYSTEM.loinc, code: '1234-5' }] } }, 'Observation.code.coding'],
    ['a missing value', { ...baseObservation(), valueQuantity: undefined, dataAbsentReason: { coding: [{ code: 'error' }] } }, 'Observation.value[x]'],
    ['a string value', { ...baseObservation(), valueQuantity: { value: '95', system: SYSTEM.ucum, code: '%' } }, 'Observation.valueQuantity.value'],
    ['a bound instead of a value', { ...baseObservation(), valueQuantity: { value: 95, comparator: '>=', system: SYSTEM.ucum, code: '%' } }, 'Observation.valueQuantity.comparator'],
    ['a device that is not a reference to a Device', { ...baseObservation(), device: { reference: 'Practitioner/1' } }, 'Observation.device.reference'],
    ['a time without zone', { ...baseObservation(), effectiveDateTime: '2026-11-21T07:31:00' }, 'Observation.effectiveDateTime'],
    ['a key of another device', { ...baseObservation(), identifier: [{ system: SYSTEM.readingKey, value: `device:${CUFF}|spo2|2026-11-21T07:31:00.000Z|95` }] }, 'Observation.identifier[0].value'],
    ['a NEWS2 with parameters', { ...baseObservation(), device: undefined, code: { coding: [{ system: SYSTEM.snomed, code: '1104051000000101' }] }, valueQuantity: { value: 3, system: SYSTEM.ucum, code: '{score}' }, component: [] }, 'Observation.component'],
  ])('refuses %s at its path', (_name, input, path) => {
    const result = observationToReadings(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toEqual([path]);
  });

  it('checks every entry of a transaction before anything is stored, with Bundle paths', () => {
    const good = baseObservation();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: good, request: { method: 'POST', url: 'Observation' } },
        { resource: { ...good, valueQuantity: { value: 101, system: SYSTEM.ucum, code: '%' } }, request: { method: 'POST', url: 'Observation' } },
        { resource: { resourceType: 'Patient' }, request: { method: 'PUT', url: 'Patient/1' } },
      ],
    };
    const result = transactionToReadings(bundle);
    if (result.ok) throw new Error('expected problems');
    expect(result.problems.map((p) => p.path)).toEqual(['Bundle.entry[1].resource.valueQuantity.value', 'Bundle.entry[2].request']);
    const fine = transactionToReadings({ ...bundle, entry: bundle.entry?.slice(0, 1) });
    expect(fine.ok && fine.value.map((i) => i.observation.readings[0]?.vital)).toEqual(['spo2']);
    expect(transactionToReadings({ resourceType: 'Bundle', type: 'collection', entry: [] })).toMatchObject({ ok: false, problems: [{ path: 'Bundle.type' }] });
  });

  describe('strict import', () => {
    const panel = (systolic: number, diastolic: number, unit = 'mm[Hg]') => ({
      ...baseObservation(),
      code: { coding: [{ system: SYSTEM.loinc, code: '85354-9' }] },
      valueQuantity: undefined,
      device: { reference: `Device/${CUFF}` },
      component: [
        { code: { coding: [{ system: SYSTEM.loinc, code: '8480-6' }] }, valueQuantity: { value: systolic, system: SYSTEM.ucum, code: unit } },
        { code: { coding: [{ system: SYSTEM.loinc, code: '8462-4' }] }, valueQuantity: { value: diastolic, system: SYSTEM.ucum, code: unit } },
      ],
    });
    const codesOf = (input: unknown, options = {}) => {
      const result = observationToReadings(input, options);
      return result.ok ? [] : result.problems.map((p) => [p.code, p.path]);
    };

    it.each([
      [121, 120, []],
      [120, 120, [['reading.bp-inconsistent', 'Observation.component']]],
      [60, 120, [['reading.bp-inconsistent', 'Observation.component']]],
    ])('systolic %d over diastolic %d: %j', (systolic, diastolic, expected) => {
      expect(codesOf(panel(systolic, diastolic))).toEqual(expected);
    });

    it('compares pressures in mm[Hg] whatever unit came (16 kPa = 120 mm[Hg])', () => {
      expect(codesOf(panel(16, 15.9, 'kPa'))).toEqual([]);
      expect(codesOf(panel(15.9, 16, 'kPa'))).toEqual([['reading.bp-inconsistent', 'Observation.component']]);
    });

    it('refuses elements R4 does not define, and any modifierExtension, at their paths', () => {
      expect(codesOf({ ...baseObservation(), effectiveDatetime: '2026-11-21T07:31:00Z', colour: 'red' })).toEqual([
        ['fhir.unknown-element', 'Observation.effectiveDatetime'],
        ['fhir.unknown-element', 'Observation.colour'],
      ]);
      expect(codesOf({ ...baseObservation(), valueQuantity: { value: 95, system: SYSTEM.ucum, code: '%', precision: 1 } })).toEqual([['fhir.unknown-element', 'Observation.valueQuantity.precision']]);
      expect(codesOf({ ...baseObservation(), modifierExtension: [{ url: 'http://example.org/x', valueBoolean: true }] })).toEqual([['fhir.modifier-extension', 'Observation.modifierExtension']]);
      expect(codesOf({ ...baseObservation(), _status: { id: 's' }, note: [{ text: 'after a walk' }], performer: [{ reference: `Patient/${PATIENT}` }] })).toEqual([]);
    });

    it('refuses an effective time later than now plus the allowed drift, and takes one at the edge', () => {
      const latestEffective = new Date('2026-11-21T07:31:00Z');
      expect(codesOf(baseObservation(), { latestEffective })).toEqual([]);
      expect(codesOf({ ...baseObservation(), effectiveDateTime: '2026-11-21T07:31:01Z' }, { latestEffective })).toEqual([['fhir.effective-in-future', 'Observation.effectiveDateTime']]);
    });
  });
});
