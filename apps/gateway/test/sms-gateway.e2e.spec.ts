// Readings by SMS end to end: `startGateway` binds over SMPP 3.4 to an SMSC played by the smpp
// package's own server (a real socket on a free port), against a real PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmsConfig } from '@homeward/config';
import { DEFAULT_SMS_TEMPLATES } from '@homeward/config';
import { type Gateway, startGateway } from '../src/gateway';
import { SmsReminderScheduler } from '../src/sms';
import { type RealDatabase, SmscSimulator, aValidNhsNumber, eventually, realDatabase, uniqueName } from '@homeward/testing';

const CREDENTIALS = { systemId: 'homeward', password: 'pa55' };

let db: RealDatabase;
let smsc: SmscSimulator;
let gateway: Gateway;
let dataDir: string;
let wardId: string;
let numbers = 0;

const smsConfig = (port: number, overrides: Partial<SmsConfig['smpp']> = {}): SmsConfig => ({
  smpp: { host: '127.0.0.1', port, systemId: CREDENTIALS.systemId, password: CREDENTIALS.password, systemType: '', tls: false, enquireLinkMs: 30_000, reconnect: { initialMs: 20, maxMs: 200, factor: 2 }, ...overrides },
  sender: '+447700900999',
  ratePerSecond: 50,
  reminderHours: { from: 9, to: 20 },
  timeZone: 'Europe/London',
  templates: DEFAULT_SMS_TEMPLATES,
});

const start = (sms: SmsConfig) =>
  startGateway({
    storage: db.storage,
    config: { mqtt: { mode: 'off', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 65536 }, ingest: { maxClockSkewMs: 300_000 }, ble: { enabled: false }, database: { dataDir }, sms },
    log: () => undefined,
  });

beforeAll(async () => {
  db = await realDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'homeward-gateway-sms-'));
  smsc = await SmscSimulator.start(CREDENTIALS);
  wardId = (await db.storage.registry.createWard(uniqueName('sms-ward'))).id;
  gateway = await start(smsConfig(smsc.port));
  await eventually(() => smsc.linksBound === 1, 'the gateway to bind');
});
afterAll(async () => {
  await gateway?.close();
  await smsc?.close();
  await db?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

/** A patient on the ward with a verified mobile number (SMPP international form, no "+"). */
async function textingPatient(pathway: 'heart-failure' | 'general' = 'general', admission: { carePlan?: Record<string, unknown>; admittedAt?: Date } = {}): Promise<{ patientId: string; number: string; address: string }> {
  const patient = await db.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: 'Text', dateOfBirth: '1941-05-06' });
  await db.storage.registry.admit({ patientId: patient.id, wardId, pathway, ...admission });
  const address = `4477009${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(3, '0')}`;
  await db.storage.sms.addNumber({ number: `+${address}`, patientId: patient.id, verifiedAt: new Date() });
  return { patientId: patient.id, number: `+${address}`, address };
}

const replyTo = (address: string, after = 0) => eventually(() => smsc.submitted.filter((s) => s.to === address)[after], `a reply to ${address}`);

it('stores a texted reading with source "sms", replies with what it understood, and records the delivery receipt', async () => {
  const { patientId, number, address } = await textingPatient();
  expect(await smsc.deliver(address, 'BP 142/88 pulse 72')).toBe(0);
  const readings = await db.storage.readings.latestPerVital(patientId);
  expect(readings.map((r) => [r.vital, r.value, r.source])).toEqual([
    ['diastolic_bp', 88, 'sms'],
    ['heart_rate', 72, 'sms'],
    ['systolic_bp', 142, 'sms'],
  ]);
  const reply = await replyTo(address);
  expect(reply).toMatchObject({ from: '447700900999', text: 'Thank you. Recorded: BP 142/88, pulse 72.', registeredDelivery: 1 });

  expect(await smsc.receipt(reply.messageId, 'DELIVRD')).toBe(0);
  const [out, inbound] = await db.storage.sms.list({ number });
  expect(inbound).toMatchObject({ direction: 'in', body: 'BP 142/88 pulse 72', patientId });
  expect(out).toMatchObject({ direction: 'out', kind: 'reply', status: 'delivered', smscMessageId: reply.messageId, statusDetail: 'stat:DELIVRD err:000' });
});

it('stores a text the SMSC delivers twice (a lost deliver_sm_resp) once', async () => {
  const { patientId, address } = await textingPatient();
  expect(await smsc.deliver(address, 'weight 81.2 sats 96')).toBe(0);
  expect(await smsc.deliver(address, 'weight 81.2 sats 96')).toBe(0);
  const { rows } = await db.storage.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings WHERE patient_id = $1', [patientId]);
  expect(rows[0]?.n).toBe(2);
  expect((await replyTo(address, 1)).text).toBe('Thank you. Recorded: weight 81.2 kg, oxygen 96%.');
});

it('answers a bad or ambiguous text with a question and keeps it with the rejected messages', async () => {
  const { patientId, address } = await textingPatient();
  await smsc.deliver(address, '72');
  expect((await replyTo(address)).text).toBe('What was 72? Please text your readings like: BP 142/88 PULSE 72, SATS 94, WEIGHT 81.2, TEMP 37.9');
  await smsc.deliver(address, 'sats 96 weight 12.5');
  expect((await replyTo(address, 1)).text).toBe('Thank you. Recorded: oxygen 96%. Was your weight 12.5 stone or kilos? Please reply WEIGHT 12.5 ST or WEIGHT 12.5 KG.');
  expect((await db.storage.readings.latestPerVital(patientId)).map((r) => [r.vital, r.value])).toEqual([['spo2', 96]]);
  const rejected = await db.storage.rejected.list({ code: 'sms' });
  const mine = rejected.filter((r) => r.topic === `+${address}`);
  expect(mine.map((r) => [r.source, r.reasonCode, new TextDecoder().decode(r.payload)])).toEqual([
    ['sms', 'sms.unit-ambiguous', 'sats 96 weight 12.5'],
    ['sms', 'sms.unlabelled-number', '72'],
  ]);
});

it('gives an unknown number a neutral reply, once an hour, and keeps its text', async () => {
  const stranger = '447700911111';
  await smsc.deliver(stranger, 'bp 120/80');
  await smsc.deliver(stranger, 'bp 121/80');
  expect((await replyTo(stranger)).text).toBe(DEFAULT_SMS_TEMPLATES.unknownSender);
  const rejected = (await db.storage.rejected.list({ code: 'sms.unknown-sender' })).filter((r) => r.topic === `+${stranger}`);
  expect(rejected.map((r) => new TextDecoder().decode(r.payload))).toEqual(['bp 121/80', 'bp 120/80']);
  await smsc.deliver(stranger, 'hello?');
  expect(smsc.submitted.filter((s) => s.to === stranger)).toHaveLength(1);
  const { rows } = await db.storage.db.query<{ n: number }>("SELECT count(*)::int AS n FROM readings WHERE source = 'sms' AND value = 121");
  expect(rows[0]?.n).toBe(0);
});

it('puts the ward\'s advice first when a texted value is in the red band', async () => {
  await db.storage.registry.setWardPatientAdvice(wardId, 'Please ring the ward now on 0113 496 0000.');
  try {
    const { address } = await textingPatient();
    await smsc.deliver(address, 'sats 88');
    expect((await replyTo(address)).text).toBe('Please ring the ward now on 0113 496 0000. Thank you. Recorded: oxygen 88%.');
  } finally {
    await db.storage.registry.setWardPatientAdvice(wardId, null);
  }
});

it('takes a linked carer\'s readings for the patient, flagged and audited as "carer X for patient Y"', async () => {
  const { patientId } = await textingPatient();
  const carer = await db.storage.carers.create({ displayName: 'Brenda Carer' });
  await db.storage.carers.link({ carerId: carer.id, patientId, basis: 'consent', decidedOn: '2026-12-01', reason: 'Ada asked her daughter to send her readings', at: new Date() });
  const carerAddress = `4477008${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(3, '0')}`;
  await db.storage.sms.addNumber({ number: `+${carerAddress}`, carerId: carer.id, verifiedAt: new Date() });

  await smsc.deliver(carerAddress, 'weight 12st 4lb');
  expect((await replyTo(carerAddress)).text).toBe('Thank you. Recorded for Ada: weight 12 st 4 lb.');
  const [weight] = await db.storage.readings.latestPerVital(patientId);
  expect(weight).toMatchObject({ vital: 'body_weight', source: 'sms', unit: 'kg' });
  expect(weight?.value).toBeCloseTo(78.02, 2);
  expect(weight?.status).toContain('entered-by-carer');
  const [audit] = await db.storage.audit.forPatient(patientId);
  expect(audit).toMatchObject({ actorType: 'carer', actorId: carer.id, action: 'reading.create', details: { proxy: `carer Brenda Carer for patient ${patientId}`, via: 'sms' } });
});

it('reconnects on its own after the link drops, and sends what was queued meanwhile', async () => {
  const { address } = await textingPatient();
  const bindsBefore = smsc.binds;
  const refusedBefore = smsc.refusedBinds;
  smsc.refuseBinds = true; // the SMSC is down for a while: the gateway keeps trying
  smsc.dropAll();
  await eventually(() => !gateway.sms?.link.isBound() && smsc.refusedBinds > refusedBefore, 'the gateway to notice the drop and try again');
  // A reply queued while the link is down waits for the next bind.
  await gateway.sms?.outbox.send({ number: `+${address}`, body: 'queued while down', kind: 'reply' });
  expect(smsc.submitted.filter((s) => s.to === address)).toEqual([]);
  smsc.refuseBinds = false;
  await eventually(() => smsc.binds > bindsBefore && smsc.linksBound === 1, 'the gateway to bind again');
  expect((await replyTo(address)).text).toBe('queued while down');
  expect(await smsc.deliver(address, 'temp 38.2')).toBe(0);
  expect((await replyTo(address, 1)).text).toBe('Thank you. Recorded: temperature 38.2°C.');
});

it('keeps retrying a refused bind with backoff and stays unbound', async () => {
  const wrong = await start(smsConfig(smsc.port, { password: 'wrong' }));
  try {
    await eventually(() => smsc.refusedBinds >= 2, 'two refused binds');
    expect(wrong.sms?.link.isBound()).toBe(false);
  } finally {
    await wrong.close();
  }
});

it('marks a text the SMSC refuses as failed, with the reason', async () => {
  const { number } = await textingPatient();
  smsc.refuseSubmitsWith = 0x58; // ESME_RTHROTTLED
  try {
    const queued = await gateway.sms?.outbox.send({ number, body: 'refused', kind: 'reply' });
    await gateway.sms?.outbox.idle();
    const [message] = await db.storage.sms.list({ number });
    expect(message).toMatchObject({ id: queued?.id, status: 'failed', statusDetail: 'the SMSC refused the message (command_status 0x00000058)' });
  } finally {
    smsc.refuseSubmitsWith = undefined;
  }
});

describe('reminders', () => {
  // Admitted at 08:00 London (BST) on a heart-failure plan that expects a weight every 24 h (grace 2 h).
  const ADMITTED = new Date('2026-06-01T07:00:00Z');
  const PLAN = { expectedReadings: [{ vital: 'body_weight', everyHours: 24, graceHours: 2 }] };
  const scheduler = (now: () => Date) => new SmsReminderScheduler({ repositories: db.storage, send: (text) => gateway.sms!.outbox.send(text), config: smsConfig(smsc.port), now, log: () => undefined });
  const remindersTo = (address: string) => smsc.submitted.filter((s) => s.to === address && s.text.startsWith('Reminder'));

  it('texts one reminder when a reading is overdue, inside the allowed hours only, and the reply counts as the reading', async () => {
    const { patientId, address } = await textingPatient('heart-failure', { carePlan: PLAN, admittedAt: ADMITTED });
    let now = new Date(ADMITTED.getTime() + 25 * 3_600_000); // not yet overdue
    const reminders = scheduler(() => now);
    await reminders.runOnce();
    now = new Date('2026-06-02T20:30:00Z'); // overdue, but 21:30 in London: too late
    await reminders.runOnce();
    await gateway.sms!.outbox.idle();
    expect(remindersTo(address)).toEqual([]);

    now = new Date('2026-06-03T08:00:00Z'); // 09:00 next morning
    await reminders.runOnce();
    await reminders.runOnce(); // a second pass (or a second gateway) sends nothing more
    now = new Date('2026-06-03T12:00:00Z');
    await reminders.runOnce();
    await eventually(() => remindersTo(address).length === 1, 'the reminder');
    await gateway.sms!.outbox.idle();
    expect(remindersTo(address).map((s) => s.text)).toEqual(['Reminder from your virtual ward: your weight is due. Please text it to this number, for example WEIGHT 81.2.']);

    expect(await smsc.deliver(address, 'weight 80.4')).toBe(0);
    const [weight] = await db.storage.readings.latestPerVital(patientId, { vitals: ['body_weight'] });
    expect(weight).toMatchObject({ vital: 'body_weight', value: 80.4, source: 'sms' });
  });

  it('keeps to the care plan\'s own hours, and reminds a linked carer when the patient has no number', async () => {
    const patient = await db.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Bill', familyName: 'Proxy', dateOfBirth: '1930-01-01' });
    await db.storage.registry.admit({ patientId: patient.id, wardId, pathway: 'heart-failure', carePlan: { ...PLAN, smsReminderHours: { from: 14, to: 16 } }, admittedAt: ADMITTED });
    const carer = await db.storage.carers.create({ displayName: 'Cath Carer' });
    await db.storage.carers.link({ carerId: carer.id, patientId: patient.id, basis: 'consent', decidedOn: '2026-06-01', reason: 'Bill has no phone', at: ADMITTED });
    const carerAddress = `4477007${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(3, '0')}`;
    await db.storage.sms.addNumber({ number: `+${carerAddress}`, carerId: carer.id, verifiedAt: ADMITTED });
    let now = new Date('2026-06-03T08:00:00Z'); // 09:00: outside the plan's 14–16
    const reminders = scheduler(() => now);
    await reminders.runOnce();
    await gateway.sms!.outbox.idle();
    expect(remindersTo(carerAddress)).toEqual([]);
    now = new Date('2026-06-03T13:30:00Z'); // 14:30
    await reminders.runOnce();
    await eventually(() => remindersTo(carerAddress).length === 1, 'the carer\'s reminder');
  });
});
