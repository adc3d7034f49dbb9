import { randomUUID } from 'node:crypto';
import { type NhsNumber, nhsCheckDigit } from '@homeward/domain';
import { type Storage } from '../src';
import { STORAGE_ENGINES } from './storage-engines';

// Migration 0020: texted readings are a source of their own (also on the Timescale hypertable),
// phone numbers identify senders only once verified, a reminder is queued once per key, delivery
// receipts find their text, and carer links end when revoked or at discharge.
let serial = 0;
/** Each engine's database is fresh, so a counter in the 999 test range never collides. */
function testNhsNumber(): NhsNumber {
  for (;;) {
    const nine = `999${String(++serial).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}` as NhsNumber;
  }
}

describe.each(STORAGE_ENGINES)('SMS and carers storage on %s', (_name, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let wardId: string;
  let seq = 0;

  beforeAll(async () => {
    ({ storage, dispose } = await open());
    wardId = (await storage.registry.createWard(`sms-ward-${randomUUID()}`)).id;
  });
  afterAll(async () => dispose?.());

  const nextNumber = () => `+4477009${String(Date.now() % 100000).padStart(5, '0')}${String(++seq).padStart(2, '0')}`.slice(0, 16);
  const admitted = async () => {
    const patient = await storage.registry.createPatient({ nhsNumber: testNhsNumber(), givenName: 'Ada', familyName: 'Text', dateOfBirth: '1940-02-03' });
    const admission = await storage.registry.admit({ patientId: patient.id, wardId, pathway: 'heart-failure' });
    return { patientId: patient.id, admissionId: admission.id };
  };

  it('stores a reading with source "sms" and keeps a rejected text with source "sms"', async () => {
    const { patientId } = await admitted();
    const at = new Date('2026-12-01T08:00:00Z');
    const written = await storage.readings.insertBatch([
      { patientId, deviceId: null, vital: 'spo2', value: 94, unit: '%', measuredAt: at, deviceTime: null, receivedAt: at, source: 'sms', status: [], idempotencyKey: `sms-test-${patientId}` },
    ]);
    expect(written.stored.map((r) => r.source)).toEqual(['sms']);
    const rejected = await storage.rejected.record({ source: 'sms', topic: '+447700900000', payload: new TextEncoder().encode('hello?'), error: { code: 'sms.unknown-sender', message: 'unknown' } });
    expect(rejected.source).toBe('sms');
  });

  it('identifies only verified numbers: a patient, or a carer with the patients linked now', async () => {
    const { patientId } = await admitted();
    const unverified = nextNumber();
    await storage.sms.addNumber({ number: unverified, patientId, verifiedAt: null });
    expect(await storage.sms.findSender(unverified)).toBeUndefined();
    const own = nextNumber();
    await storage.sms.addNumber({ number: own, patientId, verifiedAt: new Date() });
    expect(await storage.sms.findSender(own)).toEqual({ kind: 'patient', number: own, patientId });
    expect(await storage.sms.patientNumber(patientId)).toBe(own);

    const carer = await storage.carers.create({ displayName: 'Brenda Carer' });
    const carerNumber = nextNumber();
    await storage.sms.addNumber({ number: carerNumber, carerId: carer.id, verifiedAt: new Date() });
    expect(await storage.sms.findSender(carerNumber)).toMatchObject({ kind: 'carer', carerId: carer.id, patientIds: [] });
    const link = await storage.carers.link({ carerId: carer.id, patientId, basis: 'consent', decidedOn: '2026-11-30', reason: 'Patient asked her daughter to send readings', at: new Date() });
    expect(await storage.sms.findSender(carerNumber)).toMatchObject({ kind: 'carer', carerName: 'Brenda Carer', patientIds: [patientId] });
    expect((await storage.carers.revoke(link.id, new Date()))?.endReason).toBe('revoked');
    expect(await storage.sms.findSender(carerNumber)).toMatchObject({ patientIds: [] });
    await expect(storage.sms.addNumber({ number: '07700900123', patientId, verifiedAt: new Date() })).rejects.toThrow();
  });

  it('ends carer links at discharge, and a best-interest link needs the deciding clinician', async () => {
    const { patientId, admissionId } = await admitted();
    const carer = await storage.carers.create({ displayName: 'Sam Proxy' });
    const clinician = await storage.registry.createUser({ email: `dr-${randomUUID()}@example.nhs.uk`, displayName: 'Dr Who', role: 'clinician' });
    await expect(storage.carers.link({ carerId: carer.id, patientId, basis: 'best-interest', decidedOn: '2026-11-30', reason: 'Lacks capacity to manage readings', at: new Date() })).rejects.toThrow();
    const link = await storage.carers.link({ carerId: carer.id, patientId, basis: 'best-interest', decidedOn: '2026-11-30', reason: 'Lacks capacity to manage readings', decidedBy: clinician.id, at: new Date() });
    expect(link).toMatchObject({ basis: 'best-interest', decidedOn: '2026-11-30', decidedBy: clinician.id, endedAt: null });
    await expect(storage.carers.link({ carerId: carer.id, patientId, basis: 'consent', decidedOn: '2026-11-30', reason: 'twice', at: new Date() })).rejects.toThrow();
    await storage.registry.discharge(admissionId, new Date(), 'recovered');
    expect(await storage.carers.activeLink(carer.id, patientId)).toBeUndefined();
    expect((await storage.carers.links(carer.id, { includeEnded: true }))[0]).toMatchObject({ endReason: 'discharged' });
  });

  it('queues a reminder once per key, and a delivery receipt finds its text by the operator id', async () => {
    const { patientId } = await admitted();
    const number = nextNumber();
    const at = new Date('2026-12-01T09:00:00Z');
    const first = await storage.sms.queueOutbound({ number, body: 'Time for your readings', kind: 'reminder', patientId, reminderKey: `${patientId}:body_weight:2026-12-01T08:00Z`, at });
    expect(first?.status).toBe('queued');
    expect(await storage.sms.queueOutbound({ number, body: 'again', kind: 'reminder', patientId, reminderKey: `${patientId}:body_weight:2026-12-01T08:00Z`, at })).toBeUndefined();
    await storage.sms.markSubmitted(first!.id, `smsc-${patientId}`, at);
    expect(await storage.sms.recordReceipt({ smscMessageId: `smsc-${patientId}`, status: 'delivered', detail: 'DELIVRD', at })).toBe(true);
    expect(await storage.sms.recordReceipt({ smscMessageId: 'no-such-id', status: 'delivered', detail: null, at })).toBe(false);
    const [message] = await storage.sms.list({ patientId });
    expect(message).toMatchObject({ direction: 'out', kind: 'reminder', status: 'delivered', statusDetail: 'DELIVRD', smscMessageId: `smsc-${patientId}` });
    const inbound = await storage.sms.recordInbound({ number, body: 'bp 140/90\u0000', patientId, receivedAt: at });
    expect(inbound.body).toBe('bp 140/90\uFFFD');
  });

  it('sends queued texts in the order they were queued, also where their ids gain a digit', async () => {
    const { patientId } = await admitted();
    // The next ids straddle a power of ten (…8, …9, 10…0, 10…1): as text 10…0 would go first.
    await storage.db.query(`SELECT setval(pg_get_serial_sequence('sms_messages', 'id'), (10 ^ ceil(log(10, nextval(pg_get_serial_sequence('sms_messages', 'id')) + 3)))::bigint - 3)`);
    const at = new Date('2026-12-02T09:00:00Z');
    const queued: string[] = [];
    for (let i = 0; i < 4; i++) {
      const message = await storage.sms.queueOutbound({ number: nextNumber(), body: `reply ${i}`, kind: 'reply', patientId, at });
      queued.push(message!.id);
    }
    expect(queued[3]!.length).toBe(queued[0]!.length + 1);
    const outbox = (await storage.sms.queued(1_000)).map((m) => m.id).filter((id) => queued.includes(id));
    expect(outbox).toEqual(queued);
    // Newest first in a patient's list, by id where the times are equal.
    expect((await storage.sms.list({ patientId })).map((m) => m.id)).toEqual([...queued].reverse());
  });
});
