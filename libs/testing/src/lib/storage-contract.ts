import { randomUUID } from 'node:crypto';
import { buildReading, unwrap } from '@homeward/domain';
import { type ReadingCursor, START_OF_STREAM, type Storage, migrate } from '@homeward/storage';
import { aReading, aValidNhsNumber, uniqueName } from './builders';

export interface ContractBackend {
  /** Opens a migrated storage; called once per suite. */
  open(): Promise<Storage>;
  /** True when another session can hold a transaction open concurrently (not PGlite). */
  readonly concurrentSessions: boolean;
}

const at = (iso: string) => new Date(iso);

/**
 * The one contract every storage back end must pass: embedded PostgreSQL, a PostgreSQL server,
 * and TimescaleDB (through PGlite's TimescaleDB build). Each test makes its own ward and
 * patient instead of truncating, so suites can share a database.
 */
export function describeStorageContract(label: string, backend: ContractBackend): void {
  describe(`storage contract: ${label}`, () => {
    let storage: Storage;

    beforeAll(async () => {
      storage = await backend.open();
    });
    afterAll(async () => {
      await storage?.close();
    });

    /**
     * Transaction ids are cluster-wide, so an unrelated transaction open elsewhere on a shared
     * server (another test file) may briefly hold the cursor back: wait for the expected rows.
     */
    async function afterCursorEventually(cursor: ReadingCursor, limit: number, expected: number) {
      for (let attempt = 0; ; attempt++) {
        const page = await storage.readings.afterCursor(cursor, limit);
        if (page.readings.length >= expected || attempt === 100) return page;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    async function aPatient() {
      return storage.registry.createPatient({
        nhsNumber: aValidNhsNumber({ testRange: true }),
        givenName: 'Ada',
        familyName: uniqueName('Test'),
        dateOfBirth: '1948-02-29',
      });
    }

    describe('migrations', () => {
      it('records the engine and a version, and a second run applies nothing', async () => {
        expect(storage.info.migration.version).toBeGreaterThanOrEqual(3);
        const again = await migrate(storage.db);
        expect(again.applied).toEqual([]);
        expect(again.engine).toBe(storage.info.engine);
      });
    });

    describe('registry', () => {
      it('stores a patient with a valid NHS number and the birth date unchanged', async () => {
        const patient = await aPatient();
        const found = await storage.registry.getPatient(patient.id);
        expect(found).toEqual(patient);
        expect(found?.dateOfBirth).toBe('1948-02-29');
        expect(await storage.registry.findPatientByNhsNumber(patient.nhsNumber)).toEqual(patient);
      });

      it('refuses an invalid NHS number even when the caller skipped validation', async () => {
        await expect(
          storage.db.query(
            "INSERT INTO patients (nhs_number, given_name, family_name, date_of_birth) VALUES ('9434765918', 'A', 'B', '1950-01-01')",
          ),
        ).rejects.toThrow(/homeward_nhs_number_valid|check constraint/);
      });

      it('refuses a second patient with the same NHS number', async () => {
        const patient = await aPatient();
        await expect(
          storage.registry.createPatient({ nhsNumber: patient.nhsNumber, givenName: 'B', familyName: 'C', dateOfBirth: '1950-01-01' }),
        ).rejects.toThrow(/duplicate key|unique/);
      });

      it('admits a patient to one virtual ward at a time and discharges', async () => {
        const ward = await storage.registry.createWard(uniqueName('Ward'));
        const patient = await aPatient();
        const admission = await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'heart-failure' });
        expect(await storage.registry.activeAdmission(patient.id)).toEqual(admission);
        await expect(storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'copd' })).rejects.toThrow(/duplicate key|unique/);
        const discharged = await storage.registry.discharge(admission.id, new Date(admission.admittedAt.getTime() + 60_000), 'recovered');
        expect(discharged?.dischargedAt).toBeInstanceOf(Date);
        expect(await storage.registry.activeAdmission(patient.id)).toBeUndefined();
      });

      it('keeps ward membership for users', async () => {
        const ward = await storage.registry.createWard(uniqueName('Ward'));
        const nurse = await storage.registry.createUser({ email: `${randomUUID()}@Example.NHS.uk`, displayName: 'Nurse N', role: 'nurse' });
        expect(nurse.email).toBe(nurse.email.toLowerCase());
        await storage.registry.addWardMember(ward.id, nurse.id);
        await storage.registry.addWardMember(ward.id, nurse.id);
        expect(await storage.registry.wardsOfUser(nurse.id)).toEqual([ward.id]);
      });

      it('tracks device last-seen and battery without moving them back in time', async () => {
        const patient = await aPatient();
        const device = await storage.registry.registerDevice({
          type: 'pulse-oximeter',
          serial: randomUUID(),
          bleAddress: `AA:BB:CC:${randomUUID().slice(0, 2)}:${randomUUID().slice(0, 2)}:01`,
          patientId: patient.id,
        });
        expect(device.bleAddress).toMatch(/^[0-9a-f:]{17}$/);
        await storage.registry.touchDevice(device.id, at('2026-03-01T10:00:00Z'), 80);
        await storage.registry.touchDevice(device.id, at('2026-03-01T09:00:00Z'), 90); // late, older news
        const seen = await storage.registry.getDevice(device.id);
        expect(seen?.lastSeenAt?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
        expect(seen?.batteryLevel).toBe(80);
      });
    });

    describe('readings: idempotent batch writes', () => {
      it('stores a batch once and reports redelivered readings as duplicates', async () => {
        const patient = await aPatient();
        const batch = [0, 1, 2].map((i) =>
          aReading({ patientId: patient.id, measuredAt: at(`2026-03-01T0${i}:00:00Z`), value: 95 + i }),
        );
        const first = await storage.readings.insertBatch(batch);
        expect(first.stored.map((r) => r.idempotencyKey)).toEqual(batch.map((r) => r.idempotencyKey));
        expect(first.duplicates).toEqual([]);
        expect(new Set(first.stored.map((r) => r.id)).size).toBe(3);

        // Redelivery, with a different receipt time and clock correction: same device time and value.
        const redelivered = batch.map((r) => ({ ...r, receivedAt: new Date(), measuredAt: new Date(r.measuredAt.getTime() + 1_500) }));
        const second = await storage.readings.insertBatch([...redelivered, redelivered[0]!]);
        expect(second.stored).toEqual([]);
        expect(second.duplicates).toHaveLength(4);
        const all = await storage.readings.inRange(patient.id, { from: at('2026-01-01T00:00:00Z'), to: at('2027-01-01T00:00:00Z') });
        expect(all).toHaveLength(3);
      });

      it('treats a repeat inside one batch as a duplicate', async () => {
        const patient = await aPatient();
        const reading = aReading({ patientId: patient.id });
        const result = await storage.readings.insertBatch([reading, reading]);
        expect(result.stored).toHaveLength(1);
        expect(result.duplicates).toEqual([reading]);
      });

      it('keeps every field of a reading as written', async () => {
        const patient = await aPatient();
        const reading = unwrap(
          buildReading({
            patientId: patient.id,
            deviceId: randomUUID(),
            vital: 'body_weight',
            value: 154.5,
            unit: '[lb_av]',
            measuredAt: at('2026-03-02T07:30:00.123Z'),
            deviceTime: at('2026-03-02T07:25:00.000Z'),
            receivedAt: at('2026-03-02T07:30:01.000Z'),
            source: 'ble',
            status: ['clock-corrected', 'body-movement'],
          }),
        );
        const { stored } = await storage.readings.insertBatch([reading]);
        const [back] = await storage.readings.inRange(patient.id, { from: at('2026-03-02T00:00:00Z'), to: at('2026-03-03T00:00:00Z') });
        expect(back).toEqual(stored[0]);
        expect(back).toMatchObject({ value: 70.08, unit: 'kg', source: 'ble', status: ['clock-corrected', 'body-movement'] });
        expect(back?.deviceTime?.toISOString()).toBe('2026-03-02T07:25:00.000Z');
      });

      if (backend.concurrentSessions) {
        it('stores a reading once when two writers race with it', async () => {
          const patient = await aPatient();
          const batch = Array.from({ length: 50 }, (_, i) =>
            aReading({ patientId: patient.id, measuredAt: new Date(Date.UTC(2026, 2, 3, 0, i)), value: 90 + (i % 10) }),
          );
          const results = await Promise.all([
            storage.readings.insertBatch(batch),
            storage.readings.insertBatch([...batch].reverse()),
            storage.readings.insertBatch(batch.slice(10, 30)),
          ]);
          const storedKeys = results.flatMap((r) => r.stored.map((s) => s.idempotencyKey));
          expect(storedKeys.sort()).toEqual(batch.map((r) => r.idempotencyKey).sort());
          const count = await storage.readings.inRange(patient.id, { from: at('2026-03-03T00:00:00Z'), to: at('2026-03-04T00:00:00Z') });
          expect(count).toHaveLength(50);
        });
      }
    });

    describe('readings: queries', () => {
      it('gives the latest reading per vital by measurement time, not arrival', async () => {
        const patient = await aPatient();
        const device = randomUUID();
        const newest = aReading({ patientId: patient.id, deviceId: device, vital: 'spo2', value: 91, measuredAt: at('2026-03-05T10:00:00Z') });
        const backlog = aReading({ patientId: patient.id, deviceId: device, vital: 'spo2', value: 97, measuredAt: at('2026-03-05T08:00:00Z') });
        const pulse = aReading({ patientId: patient.id, deviceId: device, vital: 'heart_rate', value: 88, unit: '/min', measuredAt: at('2026-03-05T09:00:00Z') });
        await storage.readings.insertBatch([newest]);
        await storage.readings.insertBatch([backlog, pulse]); // arrives later, measured earlier
        const latest = await storage.readings.latestPerVital(patient.id);
        expect(latest.map((r) => [r.vital, r.value])).toEqual([
          ['heart_rate', 88],
          ['spo2', 91],
        ]);
        const asOf = await storage.readings.latestPerVital(patient.id, { asOf: at('2026-03-05T09:30:00Z'), vitals: ['spo2'] });
        expect(asOf.map((r) => r.value)).toEqual([97]);
      });

      it('returns readings in [from, to), oldest first, filtered by vital', async () => {
        const patient = await aPatient();
        const times = ['2026-03-06T00:00:00Z', '2026-03-06T11:59:59.999Z', '2026-03-06T12:00:00Z'];
        await storage.readings.insertBatch(times.map((t, i) => aReading({ patientId: patient.id, measuredAt: at(t), value: 94 + i })));
        await storage.readings.insertBatch([aReading({ patientId: patient.id, vital: 'heart_rate', unit: '/min', value: 70, measuredAt: at('2026-03-06T06:00:00Z') })]);
        const range = await storage.readings.inRange(patient.id, { from: at(times[0]!), to: at(times[2]!), vitals: ['spo2'] });
        expect(range.map((r) => r.value)).toEqual([94, 95]);
        const limited = await storage.readings.inRange(patient.id, { from: at(times[0]!), to: at('2026-03-07T00:00:00Z'), limit: 2 });
        expect(limited.map((r) => r.measuredAt.toISOString())).toEqual(['2026-03-06T00:00:00.000Z', '2026-03-06T06:00:00.000Z']);
      });

      it('buckets trends by hour, day and week (Monday-aligned UTC), whole buckets', async () => {
        const patient = await aPatient();
        const samples: Array<[string, number]> = [
          ['2026-03-09T08:05:00Z', 70], // Monday
          ['2026-03-09T08:55:00Z', 72],
          ['2026-03-09T09:10:00Z', 74],
          ['2026-03-10T23:59:59Z', 76], // Tuesday
          ['2026-03-15T12:00:00Z', 78], // Sunday, same week
          ['2026-03-16T00:00:00Z', 80], // next Monday
        ];
        await storage.readings.insertBatch(
          samples.map(([t, v]) => aReading({ patientId: patient.id, vital: 'body_weight', unit: 'kg', value: v, measuredAt: at(t) })),
        );
        const hourly = await storage.readings.trend(patient.id, 'body_weight', {
          bucket: 'hour',
          from: at('2026-03-09T08:30:00Z'), // floored to 08:00
          to: at('2026-03-09T09:00:01Z'), // the 09:00 bucket starts before `to`: included whole
        });
        expect(hourly.map((b) => [b.start.toISOString(), b.min, b.max, b.count])).toEqual([
          ['2026-03-09T08:00:00.000Z', 70, 72, 2],
          ['2026-03-09T09:00:00.000Z', 74, 74, 1],
        ]);
        expect(hourly[0]!.mean).toBeCloseTo(71, 9);

        const daily = await storage.readings.trend(patient.id, 'body_weight', { bucket: 'day', from: at('2026-03-09T00:00:00Z'), to: at('2026-03-17T00:00:00Z') });
        expect(daily.map((b) => [b.start.toISOString().slice(0, 10), b.count])).toEqual([
          ['2026-03-09', 3],
          ['2026-03-10', 1],
          ['2026-03-15', 1],
          ['2026-03-16', 1],
        ]);

        const weekly = await storage.readings.trend(patient.id, 'body_weight', { bucket: 'week', from: at('2026-03-11T00:00:00Z'), to: at('2026-03-23T00:00:00Z') });
        expect(weekly.map((b) => [b.start.toISOString(), b.min, b.max, b.count])).toEqual([
          ['2026-03-09T00:00:00.000Z', 70, 78, 5],
          ['2026-03-16T00:00:00.000Z', 80, 80, 1],
        ]);
        expect(weekly[0]!.mean).toBeCloseTo(74, 9);
        expect(await storage.readings.trend(patient.id, 'spo2', { bucket: 'day', from: at('2026-03-09T00:00:00Z'), to: at('2026-03-17T00:00:00Z') })).toEqual([]);
      });

      it('includes a late reading in the trend of the window it was measured in', async () => {
        const patient = await aPatient();
        await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 96, measuredAt: at('2026-03-20T10:00:00Z') })]);
        const before = await storage.readings.trend(patient.id, 'spo2', { bucket: 'day', from: at('2026-03-19T00:00:00Z'), to: at('2026-03-21T00:00:00Z') });
        await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 90, measuredAt: at('2026-03-19T22:00:00Z') })]);
        const after = await storage.readings.trend(patient.id, 'spo2', { bucket: 'day', from: at('2026-03-19T00:00:00Z'), to: at('2026-03-21T00:00:00Z') });
        expect(before).toHaveLength(1);
        expect(after.map((b) => [b.start.toISOString().slice(0, 10), b.min])).toEqual([
          ['2026-03-19', 90],
          ['2026-03-20', 96],
        ]);
      });
    });

    describe('readings: consumer cursor', () => {
      it('pages through committed readings in order and then waits at the end', async () => {
        // Start from the current end of the stream so other tests' readings do not interfere.
        let cursor = START_OF_STREAM;
        for (;;) {
          const page = await storage.readings.afterCursor(cursor, 10_000);
          if (page.readings.length === 0) break;
          cursor = page.cursor;
        }
        const patient = await aPatient();
        const first = await storage.readings.insertBatch([0, 1, 2].map((i) => aReading({ patientId: patient.id, value: 90 + i, measuredAt: new Date(Date.UTC(2026, 3, 1, i)) })));
        const second = await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 99, measuredAt: new Date(Date.UTC(2026, 2, 1)) })]);
        const page1 = await afterCursorEventually(cursor, 2, 2);
        const page2 = await afterCursorEventually(page1.cursor, 10, 2);
        const seen = [...page1.readings, ...page2.readings].map((r) => r.id);
        expect(page1.readings).toHaveLength(2);
        const byId = (ids: string[]) => ids.sort((a, b) => Number(a) - Number(b));
        // One batch is one transaction: its rows come together, in id order, before the next batch.
        expect(seen).toEqual([...byId(first.stored.map((r) => r.id)), ...byId(second.stored.map((r) => r.id))]);
        const end = await storage.readings.afterCursor(page2.cursor, 10);
        expect(end.readings).toEqual([]);
        expect(end.cursor).toEqual(page2.cursor);
      });

      if (backend.concurrentSessions) {
        it('holds back rows behind a transaction still in flight, so none is skipped', async () => {
          let cursor = START_OF_STREAM;
          for (;;) {
            const page = await storage.readings.afterCursor(cursor, 10_000);
            if (page.readings.length === 0) break;
            cursor = page.cursor;
          }
          const patient = await aPatient();
          let releaseSlowWriter!: () => void;
          const slowWriterMayCommit = new Promise<void>((resolve) => (releaseSlowWriter = resolve));
          let slowWriterWrote!: () => void;
          const slowWriterHasWritten = new Promise<void>((resolve) => (slowWriterWrote = resolve));
          const slow = storage.db.transaction(async (tx) => {
            const result = await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 91 })], tx);
            slowWriterWrote();
            await slowWriterMayCommit;
            return result;
          });
          await slowWriterHasWritten;
          const fast = await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 92, measuredAt: at('2026-03-01T09:05:00Z') })]);
          const whileOpen = await storage.readings.afterCursor(cursor);
          expect(whileOpen.readings).toEqual([]); // the fast row waits behind the open transaction
          releaseSlowWriter();
          const slowResult = await slow;
          const afterCommit = await afterCursorEventually(cursor, 10, 2);
          expect(afterCommit.readings.map((r) => r.id)).toEqual([slowResult.stored[0]!.id, fast.stored[0]!.id]);
        });
      }
    });

    describe('rejected messages and audit', () => {
      it('keeps a rejected payload byte for byte with its coded reason', async () => {
        const deviceId = randomUUID();
        const payload = new Uint8Array([0x00, 0xff, 0x7b, 0x22, 0x0a, 0x80]);
        const saved = await storage.rejected.record({
          source: 'mqtt',
          deviceId,
          topic: `homeward/v1/devices/${deviceId}/readings`,
          error: { code: 'payload.bad-json', message: 'Not JSON', details: { offset: 0 } },
          payload,
        });
        const [listed] = await storage.rejected.list({ deviceId });
        expect(listed).toEqual(saved);
        expect(Array.from(listed!.payload)).toEqual(Array.from(payload));
        expect(listed).toMatchObject({ reasonCode: 'payload.bad-json', reason: 'Not JSON', details: { offset: 0 } });
      });

      it('records who did what to which patient', async () => {
        const patient = await aPatient();
        await storage.audit.record({ actorType: 'user', actorId: 'u1', action: 'patient.read', subjectType: 'patient', subjectId: patient.id, patientId: patient.id, ip: '127.0.0.1' });
        await storage.audit.record({ actorType: 'system', actorId: 'cli', action: 'patient.update', subjectType: 'patient', subjectId: patient.id, patientId: patient.id, details: { field: 'name' } });
        const entries = await storage.audit.forPatient(patient.id);
        expect(entries.map((e) => e.action)).toEqual(['patient.update', 'patient.read']);
        expect(entries[1]).toMatchObject({ actorType: 'user', actorId: 'u1', ip: '127.0.0.1' });
      });
    });
  });
}

