import { PgDatabase, type Storage, createScratchDatabase, prepare, startScratchEmbeddedPostgres } from '@homeward/storage';
import { PgliteDatabase } from '@homeward/storage/pglite';
import { alertBurdenCsv, wardAnalytics, wardOutcomesCsv } from '../src';
import { HAND_WARD_FROM, HAND_WARD_NOW, HAND_WARD_TO, type HandComputedWard, seedHandComputedWard } from '@homeward/testing';

// The alert-burden and outcomes reports of a small ward worked out by hand (hand-computed-ward.fixture.ts in @homeward/testing),
// on plain PostgreSQL (reading counts from the readings table) and on TimescaleDB (from the
// readings_hourly continuous aggregate): the same figures on both.
describe.each([
  [
    'PostgreSQL',
    'readings-table',
    async () => {
      const server = process.env['DATABASE_URL'];
      if (server) {
        const scratch = await createScratchDatabase(server);
        const storage = await prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server', engine: 'plain' });
        return { storage, dispose: async () => (await storage.close(), await scratch.drop()) };
      }
      const embedded = await startScratchEmbeddedPostgres();
      const storage = await prepare(new PgDatabase({ connectionString: embedded.connectionString }), { mode: 'embedded', engine: 'plain' });
      return { storage, dispose: async () => (await storage.close(), await embedded.cleanup()) };
    },
  ],
  [
    'TimescaleDB (PGlite)',
    'continuous-aggregate',
    async () => {
      const storage = await prepare(await PgliteDatabase.create({ timescale: true }), { mode: 'embedded', engine: 'timescale' });
      return { storage, dispose: () => storage.close() };
    },
  ],
] as const)('ward analytics on %s', (_label, readingSource, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let ward: HandComputedWard;
  const period = () => ({ wardId: ward.wardId, from: HAND_WARD_FROM, to: HAND_WARD_TO, now: HAND_WARD_NOW });

  beforeAll(async () => {
    ({ storage, dispose } = await open());
    ward = await seedHandComputedWard(storage);
  }, 120_000);
  afterAll(async () => {
    await dispose?.();
  });

  it('counts alerts per patient-day by kind, rule, severity and pathway', async () => {
    const report = await wardAnalytics(storage, 'alert-burden', period());
    expect(report.readingSource).toBe(readingSource);
    // 10 (P1) + 15 (P2) + 21 (P3, still on the ward at the period's end) + 5 (P1 again) + 1 + 1 days.
    expect(report.patientDays).toBe(53);
    expect(report.patients).toBe(5);
    // Seven alerts opened in the period (not the September one, not the other ward's): 7 / 53.
    expect(report.alerts.total).toBe(7);
    expect(report.alerts.perPatientDay).toBe(0.132);
    expect(report.alerts.byKind).toEqual([
      { key: 'clinical', count: 4, perPatientDay: 0.075 },
      { key: 'silence', count: 2, perPatientDay: 0.038 },
      { key: 'technical', count: 1, perPatientDay: 0.019 },
    ]);
    expect(report.alerts.bySeverity).toEqual([
      { key: 'low', count: 3, perPatientDay: 0.057 },
      { key: 'low-medium', count: 0, perPatientDay: 0 },
      { key: 'medium', count: 3, perPatientDay: 0.057 },
      { key: 'high', count: 1, perPatientDay: 0.019 },
    ]);
    expect(report.alerts.byRule).toEqual([
      { key: 'news2-band', count: 2, perPatientDay: 0.038 },
      { key: 'vital-threshold', count: 2, perPatientDay: 0.038 },
      { key: 'device-clock-off', count: 1, perPatientDay: 0.019 },
      { key: 'overdue-reading', count: 1, perPatientDay: 0.019 },
      { key: 'patient-silent', count: 1, perPatientDay: 0.019 },
    ]);
    // Per patient-day of the pathway: heart failure 2 / 15, COPD 3 / 15, frailty 0 / 2, general 2 / 21.
    expect(report.alerts.byPathway).toEqual([
      { key: 'heart-failure', count: 2, perPatientDay: 0.133 },
      { key: 'copd', count: 3, perPatientDay: 0.2 },
      { key: 'frailty', count: 0, perPatientDay: 0 },
      { key: 'general', count: 2, perPatientDay: 0.095 },
    ]);
  });

  it('times acknowledgement and resolution, counts escalations and "no action needed"', async () => {
    const report = await wardAnalytics(storage, 'alert-burden', period());
    // First person's acknowledgement or resolution: 10, 40, 240, 30, 60 min → sorted 10 30 40 60 240:
    // p50 = 40; p90 at rank 3.6 = 60 + 0.6 × 180 = 168.
    expect(report.response.acknowledge).toEqual({ count: 5, p50Minutes: 40, p90Minutes: 168 });
    // Resolved: 60, 120, 240, 30, 90 (by the system), 60 → 30 60 60 90 120 240: p50 = 75, p90 = 120 + 0.5 × 120 = 180.
    expect(report.response.resolve).toEqual({ count: 6, p50Minutes: 75, p90Minutes: 180 });
    expect(report.escalations).toEqual({ alertsEscalated: 2, byTimer: 1, byPerson: 1 });
    // Five resolved by a person, two of them false alarms.
    expect(report.resolutions).toMatchObject({ resolvedByPerson: 5, noActionNeeded: 2, noActionNeededShare: 0.4 });
    expect(report.silence.episodes).toBe(2);
  });

  it('measures reading adherence against the care plans (pathway schedules)', async () => {
    const { adherence } = await wardAnalytics(storage, 'alert-burden', period());
    // Expected: P1 3 vitals × 10 days; P2 SpO2 and pulse 30 each, temperature 15; P3 4 × 21; P1 again 3 × 5; P4 and P5 4 × 1.
    // Counted: P1 weight 10, systolic 8, pulse 10 (12 received); P2 SpO2 20, temperature 15 (the reading before admission is not theirs).
    expect(adherence.overall).toEqual({ key: 'all', expected: 212, received: 65, counted: 63, adherence: 0.297 });
    expect(adherence.byVital).toEqual([
      { key: 'body_temperature', expected: 15 + 21 + 2, received: 15, counted: 15, adherence: 0.395 },
      { key: 'body_weight', expected: 15, received: 10, counted: 10, adherence: 0.667 },
      { key: 'heart_rate', expected: 15 + 30 + 21 + 2, received: 12, counted: 10, adherence: 0.147 },
      { key: 'spo2', expected: 30 + 21 + 2, received: 20, counted: 20, adherence: 0.377 },
      { key: 'systolic_bp', expected: 15 + 21 + 2, received: 8, counted: 8, adherence: 0.211 },
    ]);
    expect(adherence.byPathway.find((p) => p.key === 'copd')).toEqual({ key: 'copd', expected: 75, received: 35, counted: 35, adherence: 0.467 });
  });

  it('counts technical problems per device model, with the messages refused from them in the period', async () => {
    const report = await wardAnalytics(storage, 'alert-burden', period());
    expect(report.technicalByDeviceModel).toEqual([
      { model: 'Acme OX-1', deviceType: 'pulse-oximeter', devices: 1, technicalAlerts: 1, byRule: [{ rule: 'device-clock-off', count: 1 }], rejectedMessages: 2 },
    ]);
  });

  it('reports the month by month outcomes', async () => {
    const report = await wardAnalytics(storage, 'outcomes', period());
    expect(report.months).toEqual([
      {
        month: '2026-10',
        // P1 10 + P5 1 + P4 1 + P2 11.5 (20 Oct noon to 1 Nov).
        patientDays: 23.5,
        admissions: 4,
        discharges: 3,
        dischargeOutcomes: { home: 1, 'hospital-admission': 0, death: 0, transferred: 0, other: 1, 'not-recorded': 1 },
        escalationsToHospitalOrUrgentCare: 1,
        escalationsToGp: 0,
        // Stays of 10, 1 and 1 days.
        lengthOfStay: { discharges: 3, meanDays: 4, medianDays: 1 },
        // P4 back 20 days after going home; P5's earlier stay ended in a transfer.
        readmissionsWithin30Days: 1,
      },
      {
        month: '2026-11',
        // P2 3.5 + P1 5 + P3 21.
        patientDays: 29.5,
        admissions: 2,
        discharges: 2,
        dischargeOutcomes: { home: 0, 'hospital-admission': 1, death: 1, transferred: 0, other: 0, 'not-recorded': 0 },
        escalationsToHospitalOrUrgentCare: 0,
        escalationsToGp: 1,
        lengthOfStay: { discharges: 2, meanDays: 10, medianDays: 10 },
        // P1 back 21 days after going home.
        readmissionsWithin30Days: 1,
      },
    ]);
  });

  it('writes both reports as CSV', async () => {
    const outcomes = wardOutcomesCsv(await wardAnalytics(storage, 'outcomes', period())).split('\r\n');
    expect(outcomes[0]).toBe(
      'month,patient_days,admissions,discharges,discharged_home,discharged_hospital_admission,discharged_death,discharged_transferred,discharged_other,discharged_not_recorded,escalations_hospital_or_urgent_care,escalations_gp,length_of_stay_discharges,length_of_stay_mean_days,length_of_stay_median_days,readmissions_within_30_days',
    );
    expect(outcomes[1]).toBe('2026-10,23.5,4,3,1,0,0,0,1,1,1,0,3,4,1,1');
    expect(outcomes[2]).toBe('2026-11,29.5,2,2,0,1,1,0,0,0,0,1,2,10,10,1');
    const burden = alertBurdenCsv(await wardAnalytics(storage, 'alert-burden', period()));
    expect(burden).toContain('\r\nalerts,all,per_patient_day,0.132\r\n');
    expect(burden).toContain('\r\nresponse,acknowledge,p90_minutes,168\r\n');
    expect(burden).toContain('\r\ntechnical_by_device_model,pulse-oximeter:Acme OX-1,rejected_messages,2\r\n');
  });

  it('refuses a period that is empty, too long, in the future or of a ward that does not exist', async () => {
    const ask = (from: string, to: string, wardId = ward.wardId) => wardAnalytics(storage, 'outcomes', { wardId, from: new Date(from), to: new Date(to), now: HAND_WARD_NOW });
    await expect(ask('2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')).rejects.toMatchObject({ error: { code: 'analytics.range-invalid' } });
    await expect(ask('2025-01-01T00:00:00Z', '2026-11-01T00:00:00Z')).rejects.toMatchObject({ error: { code: 'analytics.range-too-long' } });
    await expect(ask('2026-12-05T00:00:00Z', '2026-12-06T00:00:00Z')).rejects.toMatchObject({ error: { code: 'analytics.range-invalid' } });
    await expect(ask('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ error: { code: 'ward.not-found' } });
  });
});
