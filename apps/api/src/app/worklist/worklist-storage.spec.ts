import { randomUUID } from 'node:crypto';
import { parseNhsNumber } from '@homeward/domain';
import { type RealDatabase, aReading, aValidNhsNumber, realDatabase } from '@homeward/testing';

// The two reads behind the worklist and the ward overview, on real PostgreSQL (DATABASE_URL, or
// an embedded server): who each alert is about, nothing resolved or of another ward, and the
// latest measured reading of each admission.
describe('worklist storage reads', () => {
  let db: RealDatabase;
  beforeAll(async () => {
    db = await realDatabase();
  }, 120_000);
  afterAll(async () => db?.dispose());

  async function aPatient(wardId: string, familyName: string) {
    const nhs = parseNhsNumber(aValidNhsNumber({ testRange: true }));
    if (!nhs.ok) throw new Error('bad NHS number');
    const patient = await db.storage.registry.createPatient({ nhsNumber: nhs.value, givenName: 'Ada', familyName, dateOfBirth: '1950-01-01' });
    await db.storage.registry.admit({ patientId: patient.id, wardId, pathway: 'copd' });
    return { ...patient, nhsNumber: nhs.value };
  }

  const raise = (patientId: string, wardId: string, subject: string, at: Date) =>
    db.storage.alerts.raise({ patientId, wardId, rule: 'vital-threshold', subject, severity: 'medium', explanation: 'SpO2 90 %.', details: { vital: 'spo2', value: 90 }, latestValue: 90, measuredAt: at, readingIds: [], evidenceReceivedAt: at, at, escalationDueAt: null, nextReminderAt: null, by: { type: 'system', id: 'test' } });

  it('unresolvedWithPeople: every unresolved alert of my wards with the patient, pathway and assignee; none resolved, none of another ward', async () => {
    const ward = await db.storage.registry.createWard(`w ${randomUUID()}`);
    const other = await db.storage.registry.createWard(`o ${randomUUID()}`);
    const ann = await aPatient(ward.id, 'Archer');
    const stranger = await aPatient(other.id, 'Elsewhere');
    const at = new Date(Date.now() - 60_000);
    const open = await raise(ann.id, ward.id, 'spo2:at-or-below', at);
    const closed = await raise(ann.id, ward.id, 'heart_rate:at-or-above', at);
    await raise(stranger.id, other.id, 'spo2:at-or-below', at);
    if (open.kind !== 'raised' || closed.kind !== 'raised') throw new Error('not raised');
    const resolved = await db.storage.alerts.transition(closed.alert.id, { action: 'resolve', by: { type: 'user', id: randomUUID() }, at: new Date(), outcome: 'false-alarm' });
    expect(resolved).toMatchObject({ ok: true });

    const entries = await db.storage.alerts.unresolvedWithPeople([ward.id]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      alert: { id: open.alert.id, patientId: ann.id, severity: 'medium', state: 'open', latestValue: 90, latestMeasuredAt: at, details: { vital: 'spo2' }, escalatedAt: null },
      patient: { name: 'Ada Archer', nhsNumber: ann.nhsNumber, pathway: 'copd' },
      ownerName: null,
    });
  });

  it("wardHandover: current admissions and recent discharges with each patient's latest measured reading", async () => {
    const ward = await db.storage.registry.createWard(`h ${randomUUID()}`);
    const quiet = await aPatient(ward.id, 'Quiet');
    const busy = await aPatient(ward.id, 'Busy');
    const latest = new Date(Date.now() - 3_600_000);
    await db.storage.readings.insertBatch([aReading({ patientId: busy.id, vital: 'spo2', value: 95, measuredAt: new Date(latest.getTime() - 3_600_000) }), aReading({ patientId: busy.id, vital: 'spo2', value: 94, measuredAt: latest })]);
    const rows = await db.storage.registry.wardHandover([ward.id], new Date(Date.now() - 7 * 86_400_000));
    expect(rows.map((r) => [r.name, r.lastMeasuredAt?.toISOString() ?? null, r.dischargedAt])).toEqual([
      ['Ada Busy', latest.toISOString(), null],
      ['Ada Quiet', null, null],
    ]);
    expect(rows[1]).toMatchObject({ patientId: quiet.id, pathway: 'copd' });
  });
});
