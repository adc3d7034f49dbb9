import { HOUR_MS } from '../shared/reading-window';
import { NOW, PATIENT, SCALE_2_DECISION, airOrOxygen, carePlan, consciousness, normalSet, reading } from '../testing/rules-test.builders';
import { type HomeNews2, assembleHomeNews2 } from './home-news2.assembler';

function assemble(...args: Parameters<typeof assembleHomeNews2>): HomeNews2 {
  const result = assembleHomeNews2(...args);
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('assembleHomeNews2', () => {
  it('is complete with every parameter inside the window: readings, an ACVPU observation and the care plan oxygen', () => {
    const result = assemble(normalSet(2), carePlan(), NOW, [consciousness('A', 3)]);
    expect(result.partial).toBe(false);
    expect(!result.partial && [result.score, result.risk.band]).toEqual([0, 'low']);
    expect(result.window).toEqual({ from: new Date(NOW.getTime() - 12 * HOUR_MS), to: NOW });
    expect(result.sources.air_or_oxygen).toEqual({ from: 'care-plan', supplementalOxygen: 'none' });
    expect(result.sources.consciousness?.from).toBe('observation');
    expect(result.readings.map((r) => r.vital).sort()).toEqual(['body_temperature', 'heart_rate', 'respiration_rate', 'spo2', 'systolic_bp']);
    expect(result.patientId).toBe(PATIENT);
  });

  it('takes the latest reading by measurement time, not by arrival', () => {
    const measuredEarlierArrivedLater = reading('spo2', 91, 3, { receivedAt: NOW });
    const measuredLaterArrivedEarlier = reading('spo2', 96, 1, { receivedAt: new Date(NOW.getTime() - 50 * 60_000) });
    const result = assemble([measuredLaterArrivedEarlier, measuredEarlierArrivedLater], carePlan(), NOW);
    expect(result.parameters.spo2?.value).toBe(96);
    expect(result.sources.spo2).toEqual({ from: 'reading', reading: measuredLaterArrivedEarlier });
  });

  it('breaks a tie in measurement time by arrival, whatever the order given', () => {
    const first = reading('heart_rate', 80, 1, { receivedAt: new Date(NOW.getTime() - 30 * 60_000) });
    const second = reading('heart_rate', 120, 1, { receivedAt: new Date(NOW.getTime() - 20 * 60_000) });
    expect(assemble([second, first], carePlan(), NOW).parameters.heart_rate?.value).toBe(120);
    expect(assemble([first, second], carePlan(), NOW).parameters.heart_rate?.value).toBe(120);
  });

  it('counts readings from the window start to now inclusive, and nothing outside', () => {
    const plan = carePlan({}, { windowHours: 6 });
    const atStart = reading('respiration_rate', 22, 6);
    const beforeStart = reading('systolic_bp', 85, 6.001);
    const atNow = reading('heart_rate', 95, 0);
    const afterNow = reading('body_temperature', 39.5, -0.5);
    const result = assemble([atStart, beforeStart, atNow, afterNow], plan, NOW);
    expect(result.present).toEqual(['respiration_rate', 'air_or_oxygen', 'heart_rate']);
    expect(result.missing).toEqual(['spo2', 'systolic_bp', 'consciousness', 'body_temperature']);
  });

  it('is partial, lists what is missing, and scores what is present', () => {
    const readings = [reading('spo2', 92, 1), reading('heart_rate', 112, 2), reading('body_temperature', 38.3, 4)];
    const result = assemble(readings, carePlan(), NOW);
    expect(result.partial).toBe(true);
    if (!result.partial) return;
    expect(result.missing).toEqual(['respiration_rate', 'systolic_bp', 'consciousness']);
    expect(result.present).toEqual(['spo2', 'air_or_oxygen', 'heart_rate', 'body_temperature']);
    expect(result.partialScore).toBe(5); // 2 + 0 + 2 + 1
    expect(result.partialRisk.band).toBe('medium');
  });

  it('ignores vitals that are not NEWS2 parameters', () => {
    const result = assemble([reading('body_weight', 80, 1), reading('diastolic_bp', 70, 1)], carePlan(), NOW);
    expect(result.present).toEqual(['air_or_oxygen']);
    expect(result.readings).toEqual([]);
  });

  describe('consciousness', () => {
    it('is missing unless someone assessed it inside the window', () => {
      expect(assemble(normalSet(), carePlan(), NOW).missing).toEqual(['consciousness']);
      expect(assemble(normalSet(), carePlan(), NOW, [consciousness('A', 13)]).missing).toEqual(['consciousness']);
    });

    it('takes the latest assessment', () => {
      const result = assemble(normalSet(), carePlan(), NOW, [consciousness('C', 2), consciousness('A', 5)]);
      expect(result.parameters.consciousness).toEqual({ value: 'C', score: 3 });
      expect(!result.partial && result.risk.band).toBe('low-medium');
    });
  });

  describe('air or oxygen', () => {
    it.each([
      ['none', 'air', 0],
      ['continuous', 'oxygen', 2],
    ] as const)('from the care plan when no observation: %s → %s', (supplementalOxygen, value, score) => {
      const result = assemble(normalSet(), carePlan({}, { supplementalOxygen }), NOW);
      expect(result.parameters.air_or_oxygen).toEqual({ value, score });
      expect(result.sources.air_or_oxygen).toEqual({ from: 'care-plan', supplementalOxygen });
    });

    it('is missing for intermittent oxygen unless observed', () => {
      const plan = carePlan({}, { supplementalOxygen: 'intermittent' });
      expect(assemble(normalSet(), plan, NOW).missing).toContain('air_or_oxygen');
      const observed = assemble(normalSet(), plan, NOW, [airOrOxygen('oxygen', 1)]);
      expect(observed.parameters.air_or_oxygen).toEqual({ value: 'oxygen', score: 2 });
    });

    it('an observation inside the window beats the standing prescription', () => {
      const result = assemble(normalSet(), carePlan({}, { supplementalOxygen: 'continuous' }), NOW, [airOrOxygen('air', 1)]);
      expect(result.parameters.air_or_oxygen).toEqual({ value: 'air', score: 0 });
      expect(result.sources.air_or_oxygen?.from).toBe('observation');
      expect(result.observations).toHaveLength(1);
    });
  });

  describe('SpO2 scale', () => {
    const readings = [reading('spo2', 95, 1)];

    it('is scale 1 unless the care plan says otherwise', () => {
      const result = assemble(readings, carePlan({}, { supplementalOxygen: 'continuous' }), NOW);
      expect(result.parameters.spo2).toMatchObject({ scale: 1, score: 1 });
    });

    it('is scale 2 when a clinician decided it, and carries the decision', () => {
      const plan = carePlan({ pathway: 'copd' }, { spo2Scale: SCALE_2_DECISION, supplementalOxygen: 'continuous' });
      const result = assemble(readings, plan, NOW);
      expect(result.parameters.spo2).toMatchObject({ scale: 2, score: 2 }); // 95 % on oxygen
      expect(result.spo2ScaleDecision).toEqual(SCALE_2_DECISION);
    });

    it('refuses scale 2 without a recorded decision', () => {
      const plan = carePlan({}, { spo2Scale: { ...SCALE_2_DECISION, decidedBy: ' ' } });
      const result = assembleHomeNews2(readings, plan, NOW);
      expect(!result.ok && result.error.code).toBe('news2.scale-2-undocumented');
      const noReason = assembleHomeNews2(readings, carePlan({}, { spo2Scale: { ...SCALE_2_DECISION, reason: '' } }), NOW);
      expect(!noReason.ok && noReason.error.code).toBe('news2.scale-2-undocumented');
    });
  });

  describe('refuses', () => {
    it('a reading or observation of another patient', () => {
      const other = assembleHomeNews2([reading('spo2', 95, 1, { patientId: 'patient-2' })], carePlan(), NOW);
      expect(!other.ok && other.error.code).toBe('news2.patient-mismatch');
      const otherObservation = assembleHomeNews2([], carePlan(), NOW, [consciousness('A', 1, 'patient-2')]);
      expect(!otherObservation.ok && otherObservation.error.code).toBe('news2.patient-mismatch');
    });

    it.each([0, -1, Number.NaN])('a window of %p hours', (windowHours) => {
      const result = assembleHomeNews2([], carePlan({}, { windowHours }), NOW);
      expect(!result.ok && result.error.code).toBe('news2.invalid-window');
    });

    it('an invalid now', () => {
      const result = assembleHomeNews2([], carePlan(), new Date('not a date'));
      expect(!result.ok && result.error.code).toBe('news2.invalid-time');
    });

    it('an implausible value that got past ingest', () => {
      const result = assembleHomeNews2([reading('spo2', 140, 1)], carePlan(), NOW);
      expect(!result.ok && result.error.code).toBe('news2.implausible');
    });
  });
});
