import type { ManualReadingsAnswer } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { account, raiseThresholdAlert, request, startApi } from './api-app.fixture';
import { HOUR, MINUTE, ManualClock } from './rules-engine.fixture';

// "Time is injected": the api's decisions follow the clock it was given (createApiApp({ clock })),
// so this test moves time instead of waiting for it. The clock starts years after the real date
// (later set back months before it), so an answer computed from the machine's clock instead would
// differ from the ones expected here.
// Real PostgreSQL, real HTTP.
const START = new Date('2031-03-01T09:00:00.000Z');
/** Months before the machine's date (this file was written in December 2026). */
const PAST = new Date('2026-06-01T09:00:00.000Z');

describe('the api follows its injected clock', () => {
  const clock = new ManualClock(START);
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;

  beforeAll(async () => {
    api = await startApi({ clock, rulesEngine: { enabled: false } });
    ({ url, storage } = api);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  async function wardWithPatient(): Promise<{ wardId: string; patientId: string }> {
    const wardId = (await storage.registry.createWard(uniqueName('Clock ward'))).id;
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1945-12-10' });
    await storage.registry.admit({ patientId: patient.id, wardId, pathway: 'copd' });
    return { wardId, patientId: patient.id };
  }

  it('counts an alert\'s waiting minutes on the clock, in the worklist and the alert detail', async () => {
    const { wardId, patientId } = await wardWithPatient();
    const nurse = await account(url, storage, 'nurse', { wardIds: [wardId] });
    const alert = await raiseThresholdAlert(storage, { patientId, wardId, at: clock.now(), subject: 'spo2:at-or-below', explanation: 'SpO2 88 % is at or below the limit of 91 %.', latestValue: 88 });
    const waiting = async () => {
      const list = await request<{ alert: { id: string }; waitingMinutes: number }[]>(url, nurse.token, 'GET', '/api/worklist');
      const detail = await request<{ waitingMinutes: number }>(url, nurse.token, 'GET', `/api/alerts/${alert.id}`);
      expect([list.status, detail.status]).toEqual([200, 200]);
      return [list.body.find((item) => item.alert.id === alert.id)?.waitingMinutes, detail.body.waitingMinutes];
    };
    expect(await waiting()).toEqual([0, 0]);
    clock.advance(45 * MINUTE + 30_000);
    expect(await waiting()).toEqual([45, 45]);
    clock.advance(2 * HOUR);
    expect(await waiting()).toEqual([165, 165]);
  });

  it('refuses a care-plan review date that is not after the clock\'s today, and takes the next day', async () => {
    const { wardId, patientId } = await wardWithPatient();
    const clinician = await account(url, storage, 'clinician', { wardIds: [wardId] });
    const today = clock.now().toISOString().slice(0, 10);
    const tomorrow = new Date(clock.now().getTime() + 24 * HOUR).toISOString().slice(0, 10);
    const save = (reviewBy: string, basedOnVersion: number) =>
      request<Record<string, unknown>>(url, clinician.token, 'PUT', `/api/patients/${patientId}/care-plan/edit`, {
        reason: 'Usual SpO2 93-94 % at home',
        reviewBy,
        spo2Scale: 1,
        limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: 92, severity: 'medium' }] }],
        basedOnVersion,
      });
    // Both dates lie years ahead of the machine's clock: only the injected one makes "today" refused.
    const refused = await save(today, 1);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'care-plan.invalid', fields: { reviewBy: 'The review date must be after today.' } });
    const saved = await save(tomorrow, 1);
    expect(saved.status).toBe(200);
    // The decision is stamped with the clock's time.
    const plan = await storage.registry.activeAdmissionWithCarePlan(patientId);
    expect(plan?.carePlan).toMatchObject({ news2: { spo2Scale: { scale: 1 } }, thresholdOverrides: [{ vital: 'spo2', decidedAt: clock.now().toISOString(), reviewBy: `${tomorrow}T00:00:00.000Z` }] });
  });

  it('places a typed reading measured after the clock\'s now at its receipt, flagged future-dated, and keeps one just before as typed', async () => {
    // Back before the machine's date: the body's own bound (IsZonedTimestamp: at most 7 days ahead
    // of the machine's clock, in libs/contracts) lets the times through, and the api's clock judges them.
    clock.set(PAST);
    const { wardId, patientId } = await wardWithPatient();
    const nurse = await account(url, storage, 'nurse', { wardIds: [wardId] });
    const now = clock.now();
    const justBefore = new Date(now.getTime() - 5 * MINUTE);
    const anHourAhead = new Date(now.getTime() + HOUR);
    const answer = await request<ManualReadingsAnswer>(url, nurse.token, 'POST', `/api/patients/${patientId}/readings`, {
      readings: [
        { vital: 'spo2', value: 95, unit: '%', measuredAt: justBefore.toISOString() },
        { vital: 'heart_rate', value: 80, unit: '/min', measuredAt: anHourAhead.toISOString() },
      ],
    });
    expect(answer.status).toBe(201);
    const [before, ahead] = answer.body.readings;
    expect(before).toMatchObject({ vital: 'spo2', measuredAt: justBefore.toISOString() });
    expect(before?.status).not.toContain('future-dated');
    // Long past by the machine's clock, an hour ahead by the api's: placed at receipt, flagged.
    expect(ahead).toMatchObject({ vital: 'heart_rate', measuredAt: now.toISOString() });
    expect(ahead?.status).toContain('future-dated');
  });

  it('ends a session when the clock passes its expiry (12 hours after sign-in)', async () => {
    // At PAST (set above) the session's whole 12 hours lie before the machine's date.
    expect(clock.now().getTime()).toBeLessThan(Date.parse('2026-12-01T00:00:00Z'));
    const { wardId } = await wardWithPatient();
    const nurse = await account(url, storage, 'nurse', { wardIds: [wardId] });
    expect((await request(url, nurse.token, 'GET', '/api/worklist')).status).toBe(200);
    clock.advance(12 * HOUR - MINUTE);
    expect((await request(url, nurse.token, 'GET', '/api/worklist')).status).toBe(200);
    clock.advance(2 * MINUTE);
    const expired = await request(url, nurse.token, 'GET', '/api/worklist');
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ code: 'auth.session-expired' });
  });
});
