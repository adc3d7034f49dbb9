import { randomUUID } from 'node:crypto';
import { buildReading, unwrap } from '@homeward/domain';
import { OperationsRepository, type RaiseAlertInput, type RaiseAlertResult, type ReadingCursor, START_OF_STREAM, type Storage, migrate } from '@homeward/storage';
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

    /**
     * The cursor of the last reading written so far. Read directly rather than by paging with
     * afterCursor, which may legitimately stop short while an unrelated transaction elsewhere on
     * a shared server is open (transaction ids are cluster-wide).
     */
    async function endOfStream(): Promise<ReadingCursor> {
      const { rows } = await storage.db.query<{ txid: string; id: string }>('SELECT txid::text AS txid, id::text AS id FROM readings ORDER BY readings.txid DESC, readings.id DESC LIMIT 1');
      return rows[0] ?? START_OF_STREAM;
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
        const many = await storage.registry.getPatients([patient.id, patient.id, '00000000-0000-4000-8000-000000000000']);
        expect([...many.keys()]).toEqual([patient.id]);
        expect(many.get(patient.id)).toEqual(patient);
        expect((await storage.registry.getPatients([])).size).toBe(0);
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

      it("keeps a ward's advice to its patients and gives it with a patient's admission", async () => {
        const ward = await storage.registry.createWard(uniqueName('Ward'));
        const patient = await aPatient();
        expect(await storage.registry.wardPatientAdvice(ward.id)).toEqual({ configured: null });
        expect(await storage.registry.patientAdviceContext(patient.id)).toBeUndefined(); // on no ward
        await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'copd', carePlan: { news2: { supplementalOxygen: 'continuous' } } });
        expect(await storage.registry.setWardPatientAdvice(ward.id, 'Call the ward on 01632 960 123 now.')).toBe(true);
        expect(await storage.registry.patientAdviceContext(patient.id)).toMatchObject({
          admission: { patientId: patient.id, wardId: ward.id, pathway: 'copd', carePlan: { news2: { supplementalOxygen: 'continuous' } } },
          wardPatientAdvice: 'Call the ward on 01632 960 123 now.',
        });
        // The schema refuses what the API would (a line break, blank, too long), whoever writes.
        for (const bad of ['Call.\nNow.', '   ', 'a'.repeat(501)]) await expect(storage.registry.setWardPatientAdvice(ward.id, bad)).rejects.toThrow(/check constraint/);
        expect(await storage.registry.setWardPatientAdvice(ward.id, null)).toBe(true);
        expect(await storage.registry.wardPatientAdvice(ward.id)).toEqual({ configured: null });
        expect(await storage.registry.setWardPatientAdvice(randomUUID(), 'x')).toBe(false);
      });

      it('refuses a device registered twice (same type and serial, or same Bluetooth address) as the domain error device.exists', async () => {
        const serial = randomUUID();
        const bleAddress = `aa:bb:cc:${randomUUID().slice(0, 2)}:${randomUUID().slice(0, 2)}:02`;
        await storage.registry.registerDevice({ type: 'weight-scale', serial, bleAddress });
        for (const twin of [{ type: 'weight-scale' as const, serial }, { type: 'thermometer' as const, serial: randomUUID(), bleAddress }]) {
          await expect(storage.registry.registerDevice(twin)).rejects.toMatchObject({ name: 'CodedFailure', error: { code: 'device.exists' } });
        }
        // The same serial on another type of device is another device.
        expect((await storage.registry.registerDevice({ type: 'thermometer', serial })).serial).toBe(serial);
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

      it('breaks ties of measurement time by the id as a number, also where the ids gain a digit', async () => {
        const patient = await aPatient();
        // The next two ids straddle a power of ten (…9, then 10…0): as text they would sort the other way.
        await storage.db.query(`SELECT setval(pg_get_serial_sequence('readings', 'id'), (10 ^ ceil(log(10, nextval(pg_get_serial_sequence('readings', 'id')) + 2)))::bigint - 2)`);
        const measuredAt = at('2026-03-07T08:00:00Z');
        const first = aReading({ patientId: patient.id, deviceId: randomUUID(), vital: 'spo2', value: 93, measuredAt });
        const second = aReading({ patientId: patient.id, deviceId: randomUUID(), vital: 'spo2', value: 96, measuredAt });
        const [a] = (await storage.readings.insertBatch([first])).stored;
        const [b] = (await storage.readings.insertBatch([second])).stored;
        expect(String(BigInt(a!.id) + 1n)).toBe(b!.id);
        expect(b!.id.length).toBe(a!.id.length + 1);
        const range = await storage.readings.inRange(patient.id, { from: measuredAt, to: at('2026-03-07T09:00:00Z') });
        expect(range.map((r) => r.id)).toEqual([a!.id, b!.id]);
        expect((await storage.readings.byIds(patient.id, [b!.id, a!.id])).map((r) => r.id)).toEqual([a!.id, b!.id]);
        // Two readings of one vital at one instant: the one stored last is the latest.
        expect((await storage.readings.latestPerVital(patient.id, { vitals: ['spo2'] })).map((r) => r.value)).toEqual([96]);
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

      it('pages readings newest first by (measured time, id): each once, shared times and late arrivals included', async () => {
        const patient = await aPatient();
        // Move the id sequence to just below a power of ten, so ids of one page change length
        // and an ordering by text (…, 10, 11, 9) would show.
        const { rows } = await storage.db.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('readings', 'id'))::text AS id`);
        await storage.db.query(`SELECT setval(pg_get_serial_sequence('readings', 'id'), $1::bigint)`, [String(10n ** BigInt(rows[0]!.id.length + 1) - 4n)]);
        // Three readings share each of four times; one time gets a sub-millisecond neighbour below.
        const times = ['2026-03-07T08:00:00Z', '2026-03-07T09:00:00Z', '2026-03-07T10:00:00Z', '2026-03-07T11:00:00Z'];
        const { stored } = await storage.readings.insertBatch(times.flatMap((t, i) => [0, 1, 2].map((j) => aReading({ patientId: patient.id, measuredAt: at(t), value: 80 + i * 3 + j }))));
        const [micro] = (await storage.readings.insertBatch([aReading({ patientId: patient.id, measuredAt: at('2026-03-07T09:00:00Z'), value: 50 })])).stored;
        // Microseconds JavaScript cannot hold: a cursor that rounded them would skip or repeat.
        await storage.db.query(`UPDATE readings SET measured_at = measured_at - INTERVAL '1 microsecond' WHERE id = $1`, [micro!.id]);
        // Newest first by time, then by id as a number.
        const order = (entries: Array<{ id: string; t: number }>) =>
          [...entries].sort((a, b) => b.t - a.t || (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0)).map((e) => e.id);
        const entries = [...stored.map((r) => ({ id: r.id, t: r.measuredAt.getTime() })), { id: micro!.id, t: at('2026-03-07T09:00:00Z').getTime() - 0.001 }];
        const window = { from: at('2026-03-07T00:00:00Z'), to: at('2026-03-08T00:00:00Z') };

        const seen: string[] = [];
        let page = await storage.readings.page(patient.id, { ...window, limit: 2 });
        expect(page.readings.map((r) => r.measuredAt.toISOString())).toEqual(['2026-03-07T11:00:00.000Z', '2026-03-07T11:00:00.000Z']);
        seen.push(...page.readings.map((r) => r.id));
        // Arrives after the first page was read: the older one is found further on, the newer one
        // (above the cursor) belongs to a fresh first page, not to the older pages.
        const [late] = (await storage.readings.insertBatch([aReading({ patientId: patient.id, measuredAt: at('2026-03-07T08:30:00Z'), value: 70 })])).stored;
        await storage.readings.insertBatch([aReading({ patientId: patient.id, measuredAt: at('2026-03-07T12:00:00Z'), value: 71 })]);
        while (page.next) {
          page = await storage.readings.page(patient.id, { ...window, limit: 2, before: page.next });
          expect(page.readings.length).toBeGreaterThan(0);
          seen.push(...page.readings.map((r) => r.id));
        }
        expect(seen).toEqual(order([...entries, { id: late!.id, t: late!.measuredAt.getTime() }]));

        // A window [from, to) and a vital filter narrow it; an exact last page has no cursor.
        const narrow = await storage.readings.page(patient.id, { from: at('2026-03-07T09:00:00Z'), to: at('2026-03-07T11:00:00Z'), limit: 6 });
        expect(narrow.readings.map((r) => r.id)).toEqual(order(entries.filter((e) => e.t >= at('2026-03-07T09:00:00Z').getTime() && e.t < at('2026-03-07T11:00:00Z').getTime())));
        expect(narrow.next).toBeNull();
        expect(await storage.readings.page(patient.id, { ...window, vitals: ['heart_rate'], limit: 5 })).toEqual({ readings: [], next: null });

        // Not base64url, not "micros.id", id 0, a time outside years 1–9999, padded or trailing bits: not ours.
        const b64 = (text: string) => Buffer.from(text).toString('base64url');
        for (const bad of ['', 'not a cursor', b64('1.x'), b64('1.0'), b64('-99999999999999999.1'), `${b64('1.1')}=`, `${b64('1.1')}A`]) {
          await expect(storage.readings.page(patient.id, { ...window, limit: 2, before: bad })).rejects.toMatchObject({ error: { code: 'page.bad-cursor' } });
        }
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
        const cursor = await endOfStream();
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
          const cursor = await endOfStream();
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
          expect(whileOpen.heldBack).toBe(true); // and the consumer is told to look again
          releaseSlowWriter();
          const slowResult = await slow;
          const afterCommit = await afterCursorEventually(cursor, 10, 2);
          expect(afterCommit.readings.map((r) => r.id)).toEqual([slowResult.stored[0]!.id, fast.stored[0]!.id]);
        });
      }
      it('reads moments and windows for many patients at once as it reads them for each, a bounded number of rows at a time', async () => {
        const [a, b, c] = [await aPatient(), await aPatient(), await aPatient()];
        const hours = (patient: { id: string }, n: number, seen: number) =>
          Array.from({ length: n }, (_, i) => aReading({ patientId: patient.id, value: 90 + (i % 8), measuredAt: new Date(at('2026-05-01T00:00:00Z').getTime() + (i + seen) * 3_600_000) }));
        await storage.readings.insertBatch([...hours(a, 4, 0), ...hours(b, 9, 0), ...hours(c, 2, 0)]);
        const handled = await endOfStream();
        await storage.readings.insertBatch([...hours(a, 2, 10), ...hours(b, 1, 20)]);
        const range = { from: at('2026-05-01T01:00:00Z'), to: at('2026-05-03T00:00:00Z') };
        const ranges = [a, b, c].map((p) => ({ patientId: p.id, ...range }));
        const lanes = { fresh: handled, late: handled };
        const moments = await storage.readings.momentsThroughMany(ranges, lanes);
        for (const p of [a, b, c]) expect(moments.get(p.id) ?? []).toEqual(await storage.readings.momentsThrough(p.id, range, lanes));
        for (const [limit, rowsPerQuery] of [
          [100, 100],
          [100, 3], // b alone has more rows than a statement may return: read by itself
          [5, 4],
        ] as const) {
          const windows: [string, string[]][] = [];
          await storage.readings.eachWindow(ranges, limit, (patientId, window) => void windows.push([patientId, window.map((r) => r.id)]), rowsPerQuery);
          const expected: [string, string[]][] = [];
          for (const p of [a, b, c]) expected.push([p.id, (await storage.readings.inRange(p.id, { ...range, limit })).map((r) => r.id)]);
          expect(windows).toEqual(expected);
        }
      });
      it('reads, with earlier vitals, a window plus only those vitals\' readings from each range\'s earlierFrom, in measurement order', async () => {
        const [a, b] = [await aPatient(), await aPatient()];
        const t = (hours: number) => new Date(at('2026-06-01T00:00:00Z').getTime() + hours * 3_600_000);
        const spo2 = (p: { id: string }, h: number) => aReading({ patientId: p.id, value: 95, measuredAt: t(h) });
        const pulse = (p: { id: string }, h: number) => aReading({ patientId: p.id, vital: 'heart_rate', unit: '/min', value: 70, measuredAt: t(h) });
        const weight = (p: { id: string }, h: number) => aReading({ patientId: p.id, vital: 'body_weight', unit: 'kg', value: 80, measuredAt: t(h) });
        await storage.readings.insertBatch([spo2(a, 1), pulse(a, 2), weight(a, 3), pulse(a, 30), spo2(a, 31), pulse(b, 5), spo2(b, 6), weight(b, 40), pulse(b, 41), spo2(b, 60)]);
        const ranges = [a, b].map((p) => ({ patientId: p.id, from: t(24), to: t(50), earlierFrom: t(0) }));
        const vitals = ['spo2', 'body_weight'] as const;
        for (const [limit, rowsPerQuery] of [
          [100, 100],
          [100, 3],
          [3, 2],
        ] as const) {
          const windows: [string, string[]][] = [];
          await storage.readings.eachWindow(ranges, limit, (patientId, window) => void windows.push([patientId, window.map((r) => `${r.vital}@${r.measuredAt.toISOString()}`)]), rowsPerQuery, { vitals });
          const expected: [string, string[]][] = [];
          for (const p of [a, b]) {
            const all = await storage.readings.inRange(p.id, { from: t(0), to: t(50), limit: 1_000 });
            const kept = all.filter((r) => r.measuredAt >= t(24) || (vitals as readonly string[]).includes(r.vital)).slice(0, limit);
            expected.push([p.id, kept.map((r) => `${r.vital}@${r.measuredAt.toISOString()}`)]);
          }
          expect(windows).toEqual(expected);
        }
        // Without earlier vitals, earlierFrom changes nothing.
        const plain: string[][] = [];
        await storage.readings.eachWindow(ranges, 100, (_patientId, window) => void plain.push(window.map((r) => r.vital)));
        expect(plain).toEqual([['heart_rate', 'spo2'], ['body_weight', 'heart_rate']]);
      });
      it('names the measurement times a consumer at a cursor has already seen, not those after it', async () => {
        const patient = await aPatient();
        const early = aReading({ patientId: patient.id, value: 95, measuredAt: at('2026-03-08T08:00:00Z') });
        const twin = aReading({ patientId: patient.id, vital: 'heart_rate', unit: '/min', value: 72, measuredAt: at('2026-03-08T08:00:00Z') });
        await storage.readings.insertBatch([early, twin]);
        const seen = await endOfStream();
        await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 93, measuredAt: at('2026-03-08T20:00:00Z') })]);
        await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 94, measuredAt: at('2026-03-07T20:00:00Z') })]);
        const range = { from: at('2026-03-07T00:00:00Z'), to: at('2026-03-09T00:00:00Z') };
        const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
        expect(iso(await storage.readings.momentsThrough(patient.id, range, seen))).toEqual(['2026-03-08T08:00:00.000Z']);
        expect(iso(await storage.readings.momentsThrough(patient.id, range, await endOfStream()))).toEqual([
          '2026-03-07T20:00:00.000Z',
          '2026-03-08T08:00:00.000Z',
          '2026-03-08T20:00:00.000Z',
        ]);
        expect(await storage.readings.momentsThrough(patient.id, range, START_OF_STREAM)).toEqual([]);
        expect(iso(await storage.readings.momentsThrough(patient.id, { from: range.from, to: at('2026-03-08T08:00:00Z') }, await endOfStream()))).toEqual(['2026-03-07T20:00:00.000Z']);
      });
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

      it('orders audit entries by id as numbers, not as text (…, 10, 9, 8 — never 9, 8, 10)', async () => {
        // Move the id sequence to just below a power of ten so the next ids change length.
        const { rows } = await storage.db.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))::text AS id`);
        const boundary = 10n ** BigInt(rows[0]!.id.length + 1);
        await storage.db.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), $1::bigint)`, [String(boundary - 4n)]);
        const actor = uniqueName('auditor');
        for (let i = 0; i < 6; i++) await storage.audit.record({ actorType: 'user', actorId: actor, action: `step.${i}`, subjectType: 'test' });
        const listed = await storage.audit.search({ actorId: actor });
        expect(listed.map((e) => e.action)).toEqual(['step.5', 'step.4', 'step.3', 'step.2', 'step.1', 'step.0']);
        const ids = listed.map((e) => BigInt(e.id));
        expect(ids.some((id) => id >= boundary) && ids.some((id) => id < boundary)).toBe(true);
        // Paging below an id of the shorter length still finds only the older entries.
        expect((await storage.audit.search({ actorId: actor, before: listed[3]!.id })).map((e) => e.action)).toEqual(['step.1', 'step.0']);
        const patient = await aPatient();
        await storage.db.query(`UPDATE audit_log SET patient_id = $1, at = '2026-01-01T00:00:00Z' WHERE actor_id = $2`, [patient.id, actor]);
        expect((await storage.audit.forPatient(patient.id)).map((e) => e.action)).toEqual(['step.5', 'step.4', 'step.3', 'step.2', 'step.1', 'step.0']);
      });
    });

    describe('registry views', () => {
      it('lists patients with their active admission and care plan, by ward or all', async () => {
        const [wardA, wardB] = [await storage.registry.createWard(uniqueName('A')), await storage.registry.createWard(uniqueName('B'))];
        const [onA, notAdmitted] = [await aPatient(), await aPatient()];
        const admission = await storage.registry.admit({ patientId: onA.id, wardId: wardA.id, pathway: 'copd', carePlan: { news2: { windowHours: 24 } } });
        const listA = await storage.registry.patientsWithAdmissions([wardA.id]);
        expect(listA).toEqual([{ patient: onA, admission: expect.objectContaining({ id: admission.id, wardId: wardA.id, pathway: 'copd', carePlan: { news2: { windowHours: 24 } } }) }]);
        expect(await storage.registry.patientsWithAdmissions([wardB.id])).toEqual([]);
        const all = await storage.registry.patientsWithAdmissions();
        expect(all.find((row) => row.patient.id === notAdmitted.id)?.admission).toBeNull();
        const updated = await storage.registry.updateCarePlan(admission.id, { currentWithinHours: 6 });
        expect(updated?.carePlan).toEqual({ currentWithinHours: 6 });
        expect((await storage.registry.activeAdmissionWithCarePlan(onA.id))?.carePlan).toEqual({ currentWithinHours: 6 });
        await storage.registry.discharge(admission.id, new Date(), 'recovered');
        expect(await storage.registry.updateCarePlan(admission.id, {})).toBeUndefined();
        expect(await storage.registry.patientsWithAdmissions([wardA.id])).toEqual([]);
      });

      it('saves a care plan only on the version it was based on (optimistic concurrency)', async () => {
        const ward = await storage.registry.createWard(uniqueName('Versions'));
        const patient = await aPatient();
        const admission = await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'copd' });
        const loaded = await storage.registry.activeAdmissionWithCarePlan(patient.id);
        expect(loaded?.carePlanVersion).toBe(1);
        // Two clinicians load version 1; the first save wins and moves the version on ...
        const first = await storage.registry.updateCarePlanIfVersion(admission.id, 1, { currentWithinHours: 6 });
        expect(first).toMatchObject({ kind: 'updated', admission: { carePlanVersion: 2, carePlan: { currentWithinHours: 6 } } });
        // ... the second, still based on version 1, is refused and told what the plan now is.
        const second = await storage.registry.updateCarePlanIfVersion(admission.id, 1, { currentWithinHours: 12 });
        expect(second).toMatchObject({ kind: 'stale', current: { carePlanVersion: 2, carePlan: { currentWithinHours: 6 } } });
        // A raw replacement moves the version on too.
        expect((await storage.registry.updateCarePlan(admission.id, { currentWithinHours: 8 }))?.carePlanVersion).toBe(3);
        await storage.registry.discharge(admission.id, new Date(), 'recovered');
        expect(await storage.registry.updateCarePlanIfVersion(admission.id, 3, {})).toEqual({ kind: 'discharged' });
      });

      it('lists wards, their members and every account with its wards', async () => {
        const ward = await storage.registry.createWard(uniqueName('Ward'));
        const nurse = await storage.registry.createUser({ email: `${randomUUID()}@example.nhs.uk`, displayName: 'Nurse', role: 'nurse' });
        await storage.registry.addWardMember(ward.id, nurse.id);
        expect(await storage.registry.listWards([ward.id])).toEqual([ward]);
        expect((await storage.registry.listWards()).map((w) => w.id)).toContain(ward.id);
        expect(await storage.registry.wardMembers(ward.id)).toEqual([nurse]);
        expect(await storage.registry.getUser(nurse.id)).toEqual(nurse);
        expect((await storage.registry.listUsers()).find((u) => u.id === nurse.id)?.wardIds).toEqual([ward.id]);
      });

      it('gives a device to a patient and takes it back, keeping battery and last seen', async () => {
        const patient = await aPatient();
        const device = await storage.registry.registerDevice({ type: 'thermometer', serial: randomUUID() });
        expect((await storage.registry.assignDevice(device.id, patient.id))?.patientId).toBe(patient.id);
        await storage.registry.touchDevice(device.id, at('2026-04-01T08:00:00Z'), 64);
        expect(await storage.registry.devicesOfPatient(patient.id)).toEqual([expect.objectContaining({ id: device.id, batteryLevel: 64, batteryAt: at('2026-04-01T08:00:00Z'), lastSeenAt: at('2026-04-01T08:00:00Z') })]);
        expect((await storage.registry.assignDevice(device.id, null))?.patientId).toBeNull();
        expect(await storage.registry.devicesOfPatient(patient.id)).toEqual([]);
        expect(await storage.registry.assignDevice(randomUUID(), null)).toBeUndefined();
      });

      it('finds audit entries by patient, actor, action prefix and time, newest first, in pages', async () => {
        const patient = await aPatient();
        const actor = randomUUID();
        for (const action of ['alert.read', 'alert.resolve', 'patient.read']) {
          await storage.audit.record({ actorType: 'user', actorId: actor, action, subjectType: 'patient', patientId: patient.id });
        }
        expect((await storage.audit.search({ patientId: patient.id })).map((e) => e.action)).toEqual(['patient.read', 'alert.resolve', 'alert.read']);
        expect((await storage.audit.search({ actorId: actor, action: 'alert' })).map((e) => e.action)).toEqual(['alert.resolve', 'alert.read']);
        expect((await storage.audit.search({ actorId: actor, action: 'alert.read' })).map((e) => e.action)).toEqual(['alert.read']);
        const [newest] = await storage.audit.search({ actorId: actor, limit: 1 });
        expect((await storage.audit.search({ actorId: actor, before: newest?.id ?? '0' })).length).toBe(2);
        expect(await storage.audit.search({ actorId: actor, from: new Date(Date.now() + 60_000) })).toEqual([]);
      });

      it('reads the readings behind an alert by id, for that patient only', async () => {
        const [patient, other] = [await aPatient(), await aPatient()];
        const { stored } = await storage.readings.insertBatch([aReading({ patientId: patient.id, vital: 'spo2', value: 90 }), aReading({ patientId: other.id, vital: 'spo2', value: 91 })]);
        const ids = stored.map((r) => r.id);
        expect((await storage.readings.byIds(patient.id, ids)).map((r) => r.value)).toEqual([90]);
        expect(await storage.readings.byIds(patient.id, [])).toEqual([]);
      });
    });

    describe('alerts', () => {
      const engine = { type: 'system', id: 'rules-engine' } as const;
      const minutes = (base: Date, n: number) => new Date(base.getTime() + n * 60_000);

      async function aWardAndPatient() {
        const ward = await storage.registry.createWard(uniqueName('Ward'));
        const patient = await aPatient();
        return { ward, patient };
      }

      function aCandidate(ward: { id: string }, patient: { id: string }, overrides: Partial<RaiseAlertInput> = {}): RaiseAlertInput {
        const measuredAt = overrides.measuredAt ?? at('2026-04-01T08:00:00Z');
        return {
          patientId: patient.id,
          wardId: ward.id,
          rule: 'vital-threshold',
          subject: 'spo2:at-or-below',
          severity: 'medium',
          explanation: 'SpO2 93 % is at or below 94 %.',
          details: { value: 93 },
          latestValue: 93,
          measuredAt,
          readingIds: ['101'],
          evidenceReceivedAt: new Date(measuredAt.getTime() + 1_000),
          at: new Date(measuredAt.getTime() + 2_000),
          escalationDueAt: new Date(measuredAt.getTime() + 60 * 60_000),
          nextReminderAt: new Date(measuredAt.getTime() + 30 * 60_000),
          by: engine,
          ...overrides,
        };
      }


      it('announces every alert change on homeward_alerts at commit, and reads several alerts at once', async () => {
        const listen = storage.db.listen?.bind(storage.db);
        if (!listen) throw new Error('every driver must LISTEN: the live stream depends on it');
        const heard: string[] = [];
        const stop = await listen('homeward_alerts', (id) => heard.push(id));
        try {
          const { ward, patient } = await aWardAndPatient();
          const raised = await storage.alerts.raise(aCandidate(ward, patient));
          if (raised.kind !== 'raised') throw new Error(`expected raised, got ${raised.kind}`);
          const id = raised.alert.id;
          const nurse = await storage.registry.createUser({ email: `${randomUUID()}@example.nhs.uk`, displayName: 'Nurse', role: 'nurse' });
          await storage.alerts.transition(id, { action: 'acknowledge', by: { type: 'user', id: nurse.id }, at: at('2026-04-01T08:05:00Z') });
          for (let i = 0; i < 100 && heard.filter((h) => h === id).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
          expect(heard.filter((h) => h === id).length).toBeGreaterThanOrEqual(2);
          const other = await storage.alerts.raise(aCandidate(ward, patient, { subject: 'spo2:other' }));
          if (other.kind !== 'raised') throw new Error(`expected raised, got ${other.kind}`);
          expect((await storage.alerts.getMany([other.alert.id, randomUUID(), id])).map((a) => a.id)).toEqual([other.alert.id, id]);
        } finally {
          await stop();
        }
      });
      it("reads the unresolved alerts of several patients at once, newest first, each patient's own, with their evidence", async () => {
        const ward = await storage.registry.createWard(uniqueName('Ward'));
        const [one, two, other] = [await aPatient(), await aPatient(), await aPatient()];
        const nurse = await storage.registry.createUser({ email: `${randomUUID()}@example.nhs.uk`, displayName: 'Nurse', role: 'nurse' });
        const raised = async (patient: { id: string }, subject: string, at0: string, readingIds: string[]) => {
          const result = await storage.alerts.raise(aCandidate(ward, patient, { subject, at: at(at0), readingIds }));
          if (result.kind !== 'raised') throw new Error(result.kind);
          return result.alert;
        };
        const older = await raised(one, 'spo2:at-or-below', '2026-04-01T08:00:00Z', ['7', '12', '9007199254740993']);
        const newer = await raised(one, 'heart_rate:at-or-above', '2026-04-01T09:00:00Z', []);
        const closed = await raised(one, 'temperature:at-or-above', '2026-04-01T09:30:00Z', ['5']);
        await storage.alerts.transition(closed.id, { action: 'resolve', by: { type: 'user', id: nurse.id }, at: at('2026-04-01T10:00:00Z'), outcome: 'false-alarm' });
        const theirs = await raised(two, 'spo2:at-or-below', '2026-04-01T08:30:00Z', ['3']);
        await raised(other, 'spo2:at-or-below', '2026-04-01T08:30:00Z', ['4']);

        const unresolved = await storage.alerts.unresolvedForPatients([one.id, two.id, one.id, randomUUID()]);
        expect([...unresolved.keys()].sort()).toEqual([one.id, two.id].sort());
        expect(unresolved.get(one.id)?.map((a) => a.id)).toEqual([newer.id, older.id]);
        expect(unresolved.get(one.id)?.map((a) => a.readingIds)).toEqual([[], ['7', '12', '9007199254740993']]);
        expect(unresolved.get(two.id)).toEqual([theirs]);
        expect((await storage.alerts.unresolvedForPatients([])).size).toBe(0);
      });
      it('raises many findings in one go exactly as raising each in turn: same results, alerts and events', async () => {
        const ward = await storage.registry.createWard(uniqueName('Ward'));
        const [one, two] = [await aPatient(), await aPatient()];
        const nurse = await storage.registry.createUser({ email: `${randomUUID()}@example.nhs.uk`, displayName: 'Nurse', role: 'nurse' });
        // Each twin has an acknowledged alert, a resolved episode and a suppressed rule.
        for (const patient of [one, two]) {
          const acked = await storage.alerts.raise(aCandidate(ward, patient, { subject: 'heart_rate:at-or-above', severity: 'low-medium' }));
          if (acked.kind !== 'raised') throw new Error(acked.kind);
          await storage.alerts.transition(acked.alert.id, { action: 'acknowledge', by: { type: 'user', id: nurse.id }, at: at('2026-04-01T08:10:00Z') });
          const closed = await storage.alerts.raise(aCandidate(ward, patient, { subject: 'temperature:at-or-above' }));
          if (closed.kind !== 'raised') throw new Error(closed.kind);
          await storage.alerts.transition(closed.alert.id, { action: 'resolve', by: { type: 'user', id: nurse.id }, at: at('2026-04-01T09:00:00Z'), outcome: 'false-alarm' });
          await storage.alerts.suppress({ patientId: patient.id, rule: 'weight-gain', reason: 'Fluid plan agreed.', startsAt: at('2026-04-01T00:00:00Z'), expiresAt: at('2026-04-02T00:00:00Z'), createdBy: nurse.id });
        }
        const findings = (patient: { id: string }): RaiseAlertInput[] => {
          const later = { at: at('2026-04-01T10:00:00Z'), evidenceReceivedAt: at('2026-04-01T08:30:00Z') };
          return [
            aCandidate(ward, patient, later), // raised
            aCandidate(ward, patient, { ...later, readingIds: ['105'], latestValue: 92, measuredAt: at('2026-04-01T09:00:00Z') }), // repeated
            aCandidate(ward, patient, { ...later, readingIds: ['105'], latestValue: 92, measuredAt: at('2026-04-01T09:00:00Z') }), // unchanged
            aCandidate(ward, patient, { ...later, readingIds: ['106'], severity: 'high', measuredAt: at('2026-04-01T09:30:00Z') }), // worse: repeated, marked worsened
            aCandidate(ward, patient, { ...later, subject: 'heart_rate:at-or-above', severity: 'high', readingIds: ['107'] }), // acknowledged and worse: worsened
            aCandidate(ward, patient, { ...later, subject: 'temperature:at-or-above' }), // resolved after its evidence: already-resolved
            aCandidate(ward, patient, { ...later, rule: 'weight-gain', subject: 'weight' }), // suppressed
          ];
        };
        const inTurn: RaiseAlertResult[] = [];
        for (const finding of findings(one)) inTurn.push(await storage.alerts.raise(finding));
        const many = await storage.db.transaction((tx) => storage.alerts.raiseMany(findings(two), tx));
        expect(many.map((r) => r.kind)).toEqual(inTurn.map((r) => r.kind));
        expect(many.map((r) => r.kind)).toEqual(['raised', 'repeated', 'unchanged', 'repeated', 'worsened', 'already-resolved', 'suppressed']);
        const comparable = async (patientId: string) =>
          Promise.all(
            (await storage.alerts.forPatient(patientId, { includeResolved: true })).map(async (alert) => ({
              ...alert,
              id: undefined,
              patientId: undefined,
              openedAt: undefined,
              updatedAt: undefined,
              events: (await storage.alerts.events(alert.id)).map(({ kind, fromState, toState, note, details }) => ({ kind, fromState, toState, note, details })),
            })),
          );
        const sortBySubject = <T extends { subject: string }>(alerts: T[]) => alerts.sort((a, b) => a.subject.localeCompare(b.subject));
        expect(sortBySubject(await comparable(two.id))).toEqual(sortBySubject(await comparable(one.id)));
        expect(await storage.alerts.raiseMany([])).toEqual([]);
      });
      it('raises once per episode: a repeat updates the open alert, a redelivery changes nothing', async () => {
        const { ward, patient } = await aWardAndPatient();
        const first = await storage.alerts.raise(aCandidate(ward, patient));
        expect(first.kind).toBe('raised');
        const repeat = await storage.alerts.raise(
          aCandidate(ward, patient, { readingIds: ['105'], latestValue: 92, explanation: 'SpO2 92 %.', measuredAt: at('2026-04-01T12:00:00Z') }),
        );
        expect(repeat.kind).toBe('repeated');
        const again = await storage.alerts.raise(
          aCandidate(ward, patient, { readingIds: ['105'], latestValue: 92, explanation: 'SpO2 92 %.', measuredAt: at('2026-04-01T12:00:00Z') }),
        );
        expect(again.kind).toBe('unchanged');
        // A late reading measured earlier counts, but does not replace the latest value.
        const late = await storage.alerts.raise(aCandidate(ward, patient, { readingIds: ['103'], latestValue: 94, explanation: 'late', measuredAt: at('2026-04-01T10:00:00Z') }));
        expect(late.kind).toBe('repeated');
        const alerts = await storage.alerts.forPatient(patient.id, { includeResolved: true });
        expect(alerts).toHaveLength(1);
        expect(alerts[0]).toMatchObject({
          state: 'open',
          occurrences: 3,
          latestValue: 92,
          explanation: 'SpO2 92 %.',
          readingIds: ['101', '103', '105'],
          wardId: ward.id,
        });
        expect(alerts[0]!.firstMeasuredAt.toISOString()).toBe('2026-04-01T08:00:00.000Z');
        expect(alerts[0]!.latestMeasuredAt.toISOString()).toBe('2026-04-01T12:00:00.000Z');
        expect((await storage.alerts.events(alerts[0]!.id)).map((e) => e.kind)).toEqual(['raised', 'repeated', 'repeated']);
      });

      it('takes more of a device problem into its alert at most every five minutes, counted from its last evidence, not from a note', async () => {
        const { ward, patient } = await aWardAndPatient();
        const nurse = await storage.registry.createUser({ email: `${randomUUID()}@example.nhs.uk`, displayName: 'Nurse', role: 'nurse' });
        const start = at('2026-04-01T08:00:00Z');
        const late = (n: number, when: Date): RaiseAlertInput =>
          aCandidate(ward, patient, {
            rule: 'late-delivery',
            subject: 'late-delivery:d-1',
            severity: 'low',
            explanation: 'Technical: readings arrive late.',
            details: { technical: true, deviceId: 'd-1', readings: n },
            latestValue: null,
            readingIds: [String(200 + n)],
            measuredAt: minutes(at('2026-03-01T00:00:00Z'), n),
            evidenceReceivedAt: when,
            at: when,
            escalationDueAt: null,
            nextReminderAt: null,
          });
        const raised = await storage.alerts.raise(late(1, start));
        if (raised.kind !== 'raised') throw new Error(raised.kind);
        expect(raised.alert.evidenceTakenAt.toISOString()).toBe(start.toISOString());
        // Within five minutes: unchanged, in raise and in a page's raiseMany alike; a note moves updatedAt only.
        expect((await storage.alerts.raise(late(2, minutes(start, 1)))).kind).toBe('unchanged');
        await storage.alerts.addNote(raised.alert.id, { by: { type: 'user', id: nurse.id }, at: minutes(start, 4), note: 'Hub replaced.' });
        const inPage = await storage.db.transaction((tx) => storage.alerts.raiseMany([late(3, new Date(minutes(start, 5).getTime() - 1))], tx));
        expect(inPage.map((r) => r.kind)).toEqual(['unchanged']);
        // Five minutes after the last evidence (not after the note): taken in, and the clock starts again.
        const taken = await storage.db.transaction((tx) => storage.alerts.raiseMany([late(4, minutes(start, 5))], tx));
        expect(taken.map((r) => r.kind)).toEqual(['repeated']);
        expect((await storage.alerts.raise(late(5, minutes(start, 9)))).kind).toBe('unchanged');
        const later = await storage.alerts.raise(late(6, minutes(start, 10)));
        expect(later.kind).toBe('repeated');
        const alert = await storage.alerts.get(raised.alert.id);
        expect(alert).toMatchObject({ occurrences: 3, readingIds: ['201', '204', '206'], details: { technical: true, deviceId: 'd-1', readings: 6 } });
        expect(alert?.evidenceTakenAt.toISOString()).toBe(minutes(start, 10).toISOString());
        expect(alert?.updatedAt.toISOString()).toBe(minutes(start, 10).toISOString());
        expect((await storage.alerts.events(raised.alert.id)).map((e) => e.kind)).toEqual(['raised', 'noted', 'repeated', 'repeated']);
      });

      it('keeps the highest severity of the episode and shortens its escalation timer', async () => {
        const { ward, patient } = await aWardAndPatient();
        const raised = await storage.alerts.raise(aCandidate(ward, patient));
        const dueBefore = raised.kind === 'raised' ? raised.alert.escalationDueAt : null;
        const high = at('2026-04-01T08:15:00Z');
        const up = await storage.alerts.raise(aCandidate(ward, patient, { severity: 'high', readingIds: ['102'], measuredAt: at('2026-04-01T08:01:00Z'), escalationDueAt: high }));
        expect(up.kind).toBe('repeated');
        const down = await storage.alerts.raise(aCandidate(ward, patient, { severity: 'medium', readingIds: ['104'], measuredAt: at('2026-04-01T10:00:00Z') }));
        expect(down.kind === 'repeated' && down.alert.severity).toBe('high');
        expect(dueBefore?.toISOString()).toBe('2026-04-01T09:00:00.000Z');
        expect(down.kind === 'repeated' && down.alert.escalationDueAt?.toISOString()).toBe('2026-04-01T08:15:00.000Z');
      });

      it('re-opens an acknowledged alert as worsened when a worse finding arrives: open again, new severity, new timer', async () => {
        const { ward, patient } = await aWardAndPatient();
        const nurse = await storage.registry.createUser({ email: `${randomUUID()}@example.nhs.uk`, displayName: 'Nurse', role: 'nurse' });
        const raised = await storage.alerts.raise(aCandidate(ward, patient));
        if (raised.kind !== 'raised') throw new Error(raised.kind);
        await storage.alerts.transition(raised.alert.id, { action: 'acknowledge', by: { type: 'user', id: nurse.id }, at: at('2026-04-01T08:05:00Z') });
        const worse = aCandidate(ward, patient, {
          severity: 'high',
          readingIds: ['102'],
          latestValue: 89,
          explanation: 'SpO2 89 % is at or below 91 %.',
          details: { value: 89 },
          measuredAt: at('2026-04-01T08:20:00Z'),
          at: at('2026-04-01T08:21:00Z'),
          escalationDueAt: at('2026-04-01T08:36:00Z'),
          nextReminderAt: at('2026-04-01T08:36:00Z'),
        });
        const worsened = await storage.alerts.raise(worse);
        expect(worsened.kind).toBe('worsened');
        expect(worsened.kind === 'worsened' && worsened.alert).toMatchObject({
          id: raised.alert.id,
          state: 'open',
          severity: 'high',
          worsenedFrom: 'medium',
          worsenedAt: at('2026-04-01T08:21:00Z'),
          escalationDueAt: at('2026-04-01T08:36:00Z'),
          ownerId: nurse.id, // still hers: she took it on, and now it needs her again
          occurrences: 2,
          latestValue: 89,
          readingIds: ['101', '102'],
        });
        const mine = (alerts: { id: string }[]) => alerts.filter((a) => a.id === raised.alert.id);
        expect(mine(await storage.alerts.openForWards([ward.id]))).toMatchObject([{ state: 'open', severity: 'high', worsenedFrom: 'medium' }]);
        expect(mine(await storage.alerts.dueForEscalation(at('2026-04-01T08:36:00Z')))).toHaveLength(1);
        const events = await storage.alerts.events(raised.alert.id);
        expect(events.map((e) => [e.kind, e.fromState, e.toState])).toEqual([
          ['raised', null, 'open'],
          ['acknowledged', 'open', 'acknowledged'],
          ['worsened', 'acknowledged', 'open'],
        ]);
        expect(events[2]).toMatchObject({ actor: engine, note: 'SpO2 89 % is at or below 91 %.', details: { severity: 'high', severityRaisedFrom: 'medium', newReadingIds: ['102'] } });

        // The same worse reading redelivered: nothing written, no event, no second re-open.
        const redelivered = await storage.alerts.raise({ ...worse, at: at('2026-04-01T08:25:00Z') });
        expect(redelivered.kind).toBe('unchanged');
        expect(redelivered.kind === 'unchanged' && redelivered.alert.updatedAt).toEqual(at('2026-04-01T08:21:00Z'));
        expect(await storage.alerts.events(raised.alert.id)).toHaveLength(3);
      });

      it('marks an open alert worsened when its severity rises, and re-opens an escalated one; a resolved episode stays closed', async () => {
        const { ward, patient } = await aWardAndPatient();
        const raised = await storage.alerts.raise(aCandidate(ward, patient, { severity: 'low-medium' }));
        if (raised.kind !== 'raised') throw new Error(raised.kind);
        const up = await storage.alerts.raise(aCandidate(ward, patient, { severity: 'medium', readingIds: ['102'], measuredAt: at('2026-04-01T08:10:00Z') }));
        expect(up.kind === 'repeated' && up.alert).toMatchObject({ state: 'open', severity: 'medium', worsenedFrom: 'low-medium', worsenedAt: at('2026-04-01T08:10:02Z') });
        const escalated = await storage.alerts.transition(raised.alert.id, { action: 'escalate', by: engine, at: at('2026-04-01T09:00:00Z'), reason: 'not acknowledged in time' });
        expect(escalated.ok).toBe(true);
        const worse = await storage.alerts.raise(
          aCandidate(ward, patient, { severity: 'high', readingIds: ['103'], measuredAt: at('2026-04-01T09:10:00Z'), escalationDueAt: at('2026-04-01T09:25:00Z') }),
        );
        expect(worse.kind === 'worsened' && worse.alert).toMatchObject({ state: 'open', severity: 'high', worsenedFrom: 'medium', escalationDueAt: at('2026-04-01T09:25:00Z') });
        const events = await storage.alerts.events(raised.alert.id);
        expect(events.map((e) => [e.kind, e.fromState, e.toState, e.details['severityRaisedFrom'] ?? null])).toEqual([
          ['raised', null, 'open', null],
          ['repeated', 'open', 'open', 'low-medium'],
          ['escalated', 'open', 'escalated', null],
          ['worsened', 'escalated', 'open', 'medium'],
        ]);
        await storage.alerts.transition(raised.alert.id, { action: 'resolve', by: { type: 'user', id: 'nurse-1' }, at: at('2026-04-01T10:00:00Z'), outcome: 'visit-arranged' });
        // Evidence the nurse had when she closed it, even at a higher severity: not re-opened (resolved is terminal).
        const replayed = await storage.alerts.raise(aCandidate(ward, patient, { severity: 'high', readingIds: ['103'], measuredAt: at('2026-04-01T09:10:00Z'), at: at('2026-04-01T10:05:00Z') }));
        expect(replayed).toEqual({ kind: 'already-resolved', alertId: raised.alert.id });
      });

      it('allows at most one unresolved alert per patient, rule and subject, in the schema itself', async () => {
        const { ward, patient } = await aWardAndPatient();
        await storage.alerts.raise(aCandidate(ward, patient));
        const insert = () =>
          storage.db.query(
            `INSERT INTO alerts (patient_id, ward_id, rule, subject, severity, explanation, first_measured_at, latest_measured_at, opened_at, updated_at)
             VALUES ($1, $2, 'vital-threshold', 'spo2:at-or-below', 'low', 'x', now(), now(), now(), now())`,
            [patient.id, ward.id],
          );
        await expect(insert()).rejects.toThrow(/duplicate key|unique/);
        const [open] = await storage.alerts.forPatient(patient.id);
        const resolved = await storage.alerts.transition(open!.id, { action: 'resolve', by: { type: 'user', id: 'nurse-1' }, at: at('2026-04-01T09:00:00Z'), outcome: 'false-alarm' });
        expect(resolved.ok).toBe(true);
        await insert(); // a new episode once the old one is resolved
      });

      it('records every transition with who, when, from, to and why; refuses what the state machine refuses', async () => {
        const { ward, patient } = await aWardAndPatient();
        const nurse = await storage.registry.createUser({ email: `${randomUUID()}@nhs.example`, displayName: 'Nurse A', role: 'nurse' });
        const raised = await storage.alerts.raise(aCandidate(ward, patient));
        if (raised.kind !== 'raised') throw new Error(raised.kind);
        const id = raised.alert.id;
        const byNurse = { type: 'user', id: nurse.id } as const;
        const ack = await storage.alerts.transition(id, { action: 'acknowledge', by: byNurse, at: at('2026-04-01T08:10:00Z'), reason: 'calling the patient' });
        expect(ack.ok && ack.value).toMatchObject({ state: 'acknowledged', ownerId: nurse.id, escalationDueAt: null });
        const note = await storage.alerts.addNote(id, { by: byNurse, at: at('2026-04-01T08:20:00Z'), note: 'No answer; trying the carer.' });
        expect(note.ok).toBe(true);
        const refused = await storage.alerts.transition(id, { action: 'acknowledge', by: byNurse, at: at('2026-04-01T08:21:00Z') });
        expect(refused).toMatchObject({ ok: false, error: { code: 'alert.transition-not-allowed' } });
        const bySystem = await storage.alerts.transition(id, { action: 'resolve', by: engine, at: at('2026-04-01T08:22:00Z'), outcome: 'reading-received' });
        expect(bySystem).toMatchObject({ ok: false, error: { code: 'alert.self-resolution-not-allowed' } });
        const noOutcome = await storage.alerts.transition(id, { action: 'resolve', by: byNurse, at: at('2026-04-01T08:22:00Z') });
        expect(noOutcome).toMatchObject({ ok: false, error: { code: 'alert.outcome-required' } });
        const resolved = await storage.alerts.transition(id, { action: 'resolve', by: byNurse, at: at('2026-04-01T08:30:00Z'), outcome: 'visit-arranged', reason: 'community nurse visiting at 10' });
        expect(resolved.ok && resolved.value).toMatchObject({ state: 'resolved', outcome: 'visit-arranged', nextReminderAt: null });
        expect(resolved.ok && resolved.value.resolvedAt?.toISOString()).toBe('2026-04-01T08:30:00.000Z');
        const events = await storage.alerts.events(id);
        expect(events.map((e) => [e.kind, e.actor.type, e.actor.id === nurse.id ? 'nurse' : e.actor.id, e.fromState, e.toState, e.at.toISOString(), e.note])).toEqual([
          ['raised', 'system', 'rules-engine', null, 'open', '2026-04-01T08:00:02.000Z', 'SpO2 93 % is at or below 94 %.'],
          ['acknowledged', 'user', 'nurse', 'open', 'acknowledged', '2026-04-01T08:10:00.000Z', 'calling the patient'],
          ['noted', 'user', 'nurse', 'acknowledged', 'acknowledged', '2026-04-01T08:20:00.000Z', 'No answer; trying the carer.'],
          ['resolved', 'user', 'nurse', 'acknowledged', 'resolved', '2026-04-01T08:30:00.000Z', 'community nurse visiting at 10'],
        ]);
        expect(events[3]!.details).toEqual({ outcome: 'visit-arranged' });
        expect(await storage.alerts.transition(randomUUID(), { action: 'acknowledge', by: byNurse, at: new Date() })).toMatchObject({ ok: false, error: { code: 'alert.not-found' } });
      });

      it('does not reopen an episode a person resolved after its evidence arrived; newer evidence is a new episode', async () => {
        const { ward, patient } = await aWardAndPatient();
        const raised = await storage.alerts.raise(aCandidate(ward, patient));
        if (raised.kind !== 'raised') throw new Error(raised.kind);
        await storage.alerts.transition(raised.alert.id, { action: 'resolve', by: { type: 'user', id: 'nurse-1' }, at: at('2026-04-01T09:00:00Z'), outcome: 'contacted-patient' });
        const replayed = await storage.alerts.raise(aCandidate(ward, patient, { at: at('2026-04-01T09:30:00Z') }));
        expect(replayed).toEqual({ kind: 'already-resolved', alertId: raised.alert.id });
        const newer = await storage.alerts.raise(
          aCandidate(ward, patient, { readingIds: ['110'], measuredAt: at('2026-04-01T10:00:00Z'), at: at('2026-04-01T10:00:05Z') }),
        );
        expect(newer.kind).toBe('raised');
        expect(await storage.alerts.forPatient(patient.id, { includeResolved: true })).toHaveLength(2);
      });

      it('honours a suppression for the patient and rule until it expires or is lifted', async () => {
        const { ward, patient } = await aWardAndPatient();
        const suppression = await storage.alerts.suppress({
          patientId: patient.id,
          rule: 'vital-threshold',
          reason: 'Known chronic hypoxia; consultant review on Friday',
          startsAt: at('2026-04-01T00:00:00Z'),
          expiresAt: at('2026-04-02T00:00:00Z'),
          createdBy: 'clinician-7',
        });
        const during = await storage.alerts.raise(aCandidate(ward, patient));
        expect(during).toEqual({ kind: 'suppressed', suppression });
        const otherRule = await storage.alerts.raise(aCandidate(ward, patient, { rule: 'news2-band', subject: 'news2' }));
        expect(otherRule.kind).toBe('raised');
        expect(await storage.alerts.activeSuppressions(patient.id, at('2026-04-01T12:00:00Z'))).toEqual([suppression]);
        const after = await storage.alerts.raise(aCandidate(ward, patient, { at: at('2026-04-02T00:00:00Z') }));
        expect(after.kind).toBe('raised');

        const { ward: ward2, patient: patient2 } = await aWardAndPatient();
        const lifted = await storage.alerts.suppress({
          patientId: patient2.id,
          rule: 'vital-threshold',
          subject: 'spo2:at-or-below',
          reason: 'Repeat of a device fault',
          startsAt: at('2026-04-01T00:00:00Z'),
          expiresAt: at('2026-04-09T00:00:00Z'),
          createdBy: 'clinician-7',
        });
        expect((await storage.alerts.liftSuppression(lifted.id, { by: 'clinician-7', at: at('2026-04-01T07:00:00Z') }))?.liftedAt).toBeInstanceOf(Date);
        expect((await storage.alerts.raise(aCandidate(ward2, patient2))).kind).toBe('raised');
      });

      it('lists unresolved alerts of the given wards, most severe first, then longest waiting', async () => {
        const { ward, patient } = await aWardAndPatient();
        const other = await aPatient();
        const { ward: elsewhere, patient: stranger } = await aWardAndPatient();
        const t0 = at('2026-04-01T08:00:00Z');
        await storage.alerts.raise(aCandidate(ward, patient, { rule: 'news2-band', subject: 'news2', severity: 'medium', at: minutes(t0, 5) }));
        await storage.alerts.raise(aCandidate(ward, patient, { subject: 'heart_rate:at-or-above', severity: 'high', at: minutes(t0, 20) }));
        await storage.alerts.raise(aCandidate(ward, other, { severity: 'medium', at: minutes(t0, 1) }));
        await storage.alerts.raise(aCandidate(ward, other, { rule: 'overdue-reading', subject: 'overdue:body_weight', severity: 'low', at: minutes(t0, 0) }));
        const resolvedOne = await storage.alerts.raise(aCandidate(ward, other, { subject: 'x', severity: 'high', at: minutes(t0, 0) }));
        if (resolvedOne.kind !== 'raised') throw new Error(resolvedOne.kind);
        await storage.alerts.transition(resolvedOne.alert.id, { action: 'resolve', by: { type: 'user', id: 'nurse-1' }, at: minutes(t0, 30), outcome: 'false-alarm' });
        await storage.alerts.raise(aCandidate(elsewhere, stranger, { severity: 'high' }));
        const list = await storage.alerts.openForWards([ward.id]);
        expect(list.map((a) => [a.severity, a.patientId === patient.id ? 'patient' : 'other', a.subject])).toEqual([
          ['high', 'patient', 'heart_rate:at-or-above'],
          ['medium', 'other', 'spo2:at-or-below'],
          ['medium', 'patient', 'news2'],
          ['low', 'other', 'overdue:body_weight'],
        ]);
        expect(await storage.alerts.openForWards([ward.id, elsewhere.id])).toHaveLength(5);
      });

      it('finds alerts due for escalation and reminders, and records reminders', async () => {
        const { ward, patient } = await aWardAndPatient();
        const t0 = at('2031-01-01T08:00:00Z'); // far from other tests' times: these queries span every patient
        const raised = await storage.alerts.raise(aCandidate(ward, patient, { measuredAt: t0, at: t0, escalationDueAt: minutes(t0, 15), nextReminderAt: minutes(t0, 30) }));
        if (raised.kind !== 'raised') throw new Error(raised.kind);
        const mine = (alerts: { id: string }[]) => alerts.filter((a) => a.id === raised.alert.id).length;
        expect(mine(await storage.alerts.dueForEscalation(minutes(t0, 14)))).toBe(0);
        expect(mine(await storage.alerts.dueForEscalation(minutes(t0, 15)))).toBe(1);
        expect(mine(await storage.alerts.dueForReminder(minutes(t0, 30)))).toBe(1);
        const reminded = await storage.alerts.recordReminder(raised.alert.id, { by: engine, at: minutes(t0, 30), nextReminderAt: minutes(t0, 60), note: 'still open' });
        expect(reminded).toMatchObject({ reminders: 1 });
        expect(mine(await storage.alerts.dueForReminder(minutes(t0, 31)))).toBe(0);
        expect((await storage.alerts.events(raised.alert.id)).map((e) => e.kind)).toEqual(['raised', 'reminded']);
      });

      it('reports rules lag as the time the oldest waiting reading has been in Homeward, not its measurement age', async () => {
        const operations = new OperationsRepository(storage.db);
        const patient = await aPatient();
        // A partition of a million holds, in practice, this patient alone, so readings other tests
        // write meanwhile cannot come first in its stream.
        const partitions = 1_000_000;
        const { rows } = await storage.db.query<{ k: number }>('SELECT homeward_patient_partition($1, $2) AS k', [patient.id, partitions]);
        const family = uniqueName('lag').replace(/ /g, '-');
        // Each lane has its cursor (ReadingStreamConsumer): the fresh lane's is the consumer's name, the late lane's adds ".late".
        const consumer = `${family}:${rows[0]!.k}/${partitions}`;
        const lateConsumer = `${family}.late:${rows[0]!.k}/${partitions}`;
        const start = await endOfStream();
        await storage.alerts.advanceCursor(consumer, START_OF_STREAM, start);
        await storage.alerts.advanceCursor(lateConsumer, START_OF_STREAM, start);
        const lagOf = async (at: Date, cursor = consumer) => (await operations.readingCursorLag(at)).find((lag) => lag.cursor === cursor)?.seconds;
        expect(await lagOf(at('2026-03-01T10:00:00Z'))).toBe(0); // nothing waits
        expect(await lagOf(at('2026-03-01T10:00:00Z'), lateConsumer)).toBe(0);

        // A backfilled reading measured months ago, received at 10:00, waiting for 30 s in the late
        // lane; a live one received at 10:00:06 waiting for 24 s in the fresh lane.
        const backfilled = await storage.readings.insertBatch([
          aReading({ patientId: patient.id, measuredAt: at('2025-11-01T08:00:00Z'), receivedAt: at('2026-03-01T10:00:00Z') }),
        ]);
        await storage.readings.insertBatch([aReading({ patientId: patient.id, value: 90, measuredAt: at('2026-03-01T10:00:05Z'), receivedAt: at('2026-03-01T10:00:06Z') })]);
        expect(await lagOf(at('2026-03-01T10:00:30Z'), lateConsumer)).toBe(30);
        expect(await lagOf(at('2026-03-01T10:00:30Z'))).toBe(24);

        // Once the backfilled reading is evaluated, its lane waits for nothing; the fresh lane still does.
        const afterFirst = { txid: (await storage.db.query<{ txid: string }>('SELECT txid::text AS txid FROM readings WHERE id = $1', [backfilled.stored[0]!.id])).rows[0]!.txid, id: backfilled.stored[0]!.id };
        await storage.alerts.advanceCursor(lateConsumer, start, afterFirst);
        expect(await lagOf(at('2026-03-01T10:00:30Z'), lateConsumer)).toBe(0);
        expect(await lagOf(at('2026-03-01T10:00:30Z'))).toBe(24);
        await storage.alerts.advanceCursor(consumer, start, await endOfStream());
        expect(await lagOf(at('2026-03-01T10:00:30Z'))).toBe(0);
      });

      it("keeps each readings consumer's cursor, moved only from where it was (compare and set)", async () => {
        const consumer = uniqueName('consumer');
        expect(await storage.alerts.readCursor(consumer)).toEqual(START_OF_STREAM);
        expect(await storage.alerts.advanceCursor(consumer, START_OF_STREAM, { txid: '10', id: '5' })).toBe(true);
        expect(await storage.alerts.readCursor(consumer)).toEqual({ txid: '10', id: '5' });
        expect(await storage.alerts.advanceCursor(consumer, START_OF_STREAM, { txid: '11', id: '6' })).toBe(false);
        expect(await storage.alerts.advanceCursor(consumer, { txid: '10', id: '5' }, { txid: '12', id: '9' })).toBe(true);
        expect(await storage.alerts.readCursor(consumer)).toEqual({ txid: '12', id: '9' });
        // Rolled back with the transaction it was moved in.
        await storage.db
          .transaction(async (tx) => {
            await storage.alerts.advanceCursor(consumer, { txid: '12', id: '9' }, { txid: '13', id: '1' }, tx);
            throw new Error('crash before commit');
          })
          .catch(() => undefined);
        expect(await storage.alerts.readCursor(consumer)).toEqual({ txid: '12', id: '9' });
      });

      describe('rules partitions (leases between workers, per-partition cursors)', () => {
        const partitionOf = async (patientId: string, partitions: number) =>
          (await storage.db.query<{ p: number }>('SELECT homeward_patient_partition($1::uuid, $2::int) AS p', [patientId, partitions])).rows[0]?.p;

        it('shares partitions fairly between live workers, rebalances when one joins or leaves, and takes over expired leases', async () => {
          const partitioning = { consumer: uniqueName('rules'), partitions: 6 };
          const a = await storage.partitions.claim(partitioning, 'worker-a', 60_000);
          expect(a).toMatchObject({ owned: [0, 1, 2, 3, 4, 5], liveWorkers: 1, taken: [0, 1, 2, 3, 4, 5], released: [] });
          // b joins: its share is 3 but a still holds everything until a's next heartbeat.
          expect((await storage.partitions.claim(partitioning, 'worker-b', 60_000)).owned).toEqual([]);
          expect(await storage.partitions.claim(partitioning, 'worker-a', 60_000)).toMatchObject({ owned: [0, 1, 2], liveWorkers: 2, released: [3, 4, 5] });
          expect(await storage.partitions.claim(partitioning, 'worker-b', 60_000)).toMatchObject({ owned: [3, 4, 5], taken: [3, 4, 5] });
          // A stopping worker hands its partitions back; the other takes them on its next heartbeat.
          await storage.partitions.release(partitioning, 'worker-b');
          expect((await storage.partitions.claim(partitioning, 'worker-a', 60_000)).owned).toEqual([0, 1, 2, 3, 4, 5]);
          // A worker that dies stops renewing: once its leases expire another takes them over.
          const dying = { consumer: uniqueName('rules'), partitions: 2 };
          expect((await storage.partitions.claim(dying, 'worker-c', 200)).owned).toEqual([0, 1]);
          expect((await storage.partitions.claim(dying, 'worker-d', 60_000)).owned).toEqual([]);
          await new Promise((resolve) => setTimeout(resolve, 400));
          expect(await storage.partitions.claim(dying, 'worker-d', 60_000)).toMatchObject({ owned: [0, 1], liveWorkers: 1, taken: [0, 1] });
          expect((await storage.partitions.leases(dying)).map((l) => l.owner)).toEqual(['worker-d', 'worker-d']);
        });

        it('lets a batch commit only under a lease it still holds, and no other worker takes that lease meanwhile', async () => {
          const partitioning = { consumer: uniqueName('rules'), partitions: 1 };
          await storage.partitions.claim(partitioning, 'worker-a', 60_000);
          expect(await storage.db.transaction((tx) => storage.partitions.holds(partitioning, 'worker-a', 0, tx))).toBe(true);
          expect(await storage.db.transaction((tx) => storage.partitions.holds(partitioning, 'worker-b', 0, tx))).toBe(false);
        });

        if (backend.concurrentSessions) {
          it('keeps a lease that a batch is committing under from being taken over, even once it has expired', async () => {
            const partitioning = { consumer: uniqueName('rules'), partitions: 1 };
            await storage.partitions.claim(partitioning, 'worker-a', 300);
            let commit!: () => void;
            const mayCommit = new Promise<void>((resolve) => (commit = resolve));
            let checked!: () => void;
            const leaseChecked = new Promise<void>((resolve) => (checked = resolve));
            const batch = storage.db.transaction(async (tx) => {
              const held = await storage.partitions.holds(partitioning, 'worker-a', 0, tx);
              checked();
              await mayCommit;
              return held;
            });
            await leaseChecked;
            await new Promise((resolve) => setTimeout(resolve, 400)); // the lease expires mid-batch
            expect((await storage.partitions.claim(partitioning, 'worker-b', 60_000)).owned).toEqual([]);
            commit();
            expect(await batch).toBe(true);
            expect((await storage.partitions.claim(partitioning, 'worker-b', 60_000)).owned).toEqual([0]);
          });
        }

        it("gives each partition only its own patients' readings, in commit order, and moves an idle partition's cursor past the others'", async () => {
          const partitions = 2;
          const byPartition = new Map<number, string>();
          while (byPartition.size < partitions) {
            const patient = await aPatient();
            const p = await partitionOf(patient.id, partitions);
            if (p !== undefined && !byPartition.has(p)) byPartition.set(p, patient.id);
          }
          const start = await endOfStream();
          const zero = byPartition.get(0) as string;
          const one = byPartition.get(1) as string;
          await storage.readings.insertBatch([0, 1].map((i) => aReading({ patientId: zero, value: 90 + i, measuredAt: new Date(Date.UTC(2026, 4, 1, i)) })));
          await storage.readings.insertBatch([aReading({ patientId: one, value: 95, measuredAt: new Date(Date.UTC(2026, 4, 1, 3)) })]);
          const end = await endOfStream();
          const pageOf = async (index: number) => {
            for (let attempt = 0; ; attempt++) {
              const page = await storage.readings.afterCursor(start, 100, { index, count: partitions });
              const passed = BigInt(page.cursor.txid) > BigInt(end.txid) || (page.cursor.txid === end.txid && BigInt(page.cursor.id) >= BigInt(end.id));
              if (passed || attempt === 100) return page;
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          };
          const p0 = await pageOf(0);
          const p1 = await pageOf(1);
          const ours = (page: { readings: { id: string; patientId: string; value: number }[] }) => page.readings.filter((r) => r.patientId === zero || r.patientId === one);
          expect(ours(p0).map((r) => [r.patientId, r.value]).sort()).toEqual([[zero, 90], [zero, 91]]);
          expect(ours(p1).map((r) => [r.patientId, r.value])).toEqual([[one, 95]]);
          const ids = ours(p0).map((r) => BigInt(r.id));
          expect(ids[0]! < ids[1]!).toBe(true); // commit order: one batch's rows in id order
          // Both cursors reach the end of the stream, whichever partition the last reading was in.
          for (const page of [p0, p1]) expect(BigInt(page.cursor.txid) >= BigInt(end.txid)).toBe(true);
        });

        it('reports readings committed but not yet evaluated, per patient, for a single cursor and for partition cursors', async () => {
          const patient = await aPatient();
          const consumer = uniqueName('stall');
          await storage.alerts.advanceCursor(consumer, START_OF_STREAM, await endOfStream());
          const partitioning = { consumer: uniqueName('stall'), partitions: 3 };
          await storage.partitions.claim(partitioning, 'worker-a', 60_000);
          for (const [p, cursor] of (await storage.partitions.cursors(partitioning)).entries()) {
            await storage.alerts.advanceCursor(`${partitioning.consumer}:${p}/3`, cursor, await endOfStream());
          }
          const received = new Date(Date.now() - 60_000);
          await storage.readings.insertBatch([0, 1].map((i) => aReading({ patientId: patient.id, value: 90 + i, measuredAt: new Date(Date.UTC(2026, 4, 2, i)), receivedAt: received })));
          const mine = (rows: { patientId: string }[]) => rows.filter((r) => r.patientId === patient.id);
          expect(mine(await storage.partitions.unevaluated(consumer, undefined, new Date()))).toEqual([{ patientId: patient.id, count: 2, oldestReceivedAt: received }]);
          expect(mine(await storage.partitions.unevaluated(partitioning.consumer, 3, new Date()))).toEqual([{ patientId: patient.id, count: 2, oldestReceivedAt: received }]);
          // Received after the cut-off: not (yet) late.
          expect(mine(await storage.partitions.unevaluated(consumer, undefined, new Date(received.getTime() - 1)))).toEqual([]);
        });
      });

      it("gives the engine active admissions with their care plans and the patient's devices", async () => {
        const { ward, patient } = await aWardAndPatient();
        const carePlan = { expectedReadings: [{ vital: 'body_weight', everyHours: 24 }] };
        await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'heart-failure', carePlan });
        const hub = await storage.registry.registerDevice({ type: 'hub', serial: randomUUID(), patientId: patient.id });
        await storage.registry.touchDevice(hub.id, at('2026-04-01T07:00:00Z'), 55);
        const admission = await storage.monitoring.activeAdmission(patient.id);
        expect(admission).toMatchObject({ patientId: patient.id, wardId: ward.id, pathway: 'heart-failure', carePlan });
        expect((await storage.monitoring.activeAdmissions({ withExpectedReadings: true })).some((a) => a.patientId === patient.id)).toBe(true);
        expect(await storage.monitoring.devicesOf(patient.id)).toEqual([
          { id: hub.id, type: 'hub', patientId: patient.id, lastSeenAt: at('2026-04-01T07:00:00Z'), batteryLevel: 55, batteryAt: at('2026-04-01T07:00:00Z') },
        ]);
      });

      if (backend.concurrentSessions) {
        it('raises one alert when several writers raise the same episode at once', async () => {
          const { ward, patient } = await aWardAndPatient();
          const results = await Promise.all([0, 1, 2, 3].map((i) => storage.alerts.raise(aCandidate(ward, patient, { readingIds: [String(200 + i)] }))));
          expect(results.filter((r) => r.kind === 'raised')).toHaveLength(1);
          const [alert] = await storage.alerts.forPatient(patient.id);
          expect(alert?.occurrences).toBe(4);
        });
      }

      it("delivers pg_notify to a listener (the engine's wake-up)", async () => {
        const payloads: string[] = [];
        if (!storage.db.listen) throw new Error('this driver cannot listen');
        const stop = await storage.db.listen('homeward_readings', (payload) => payloads.push(payload));
        try {
          await storage.readings.notifyNewReadings();
          for (let i = 0; i < 100 && payloads.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
          expect(payloads.length).toBeGreaterThanOrEqual(1);
        } finally {
          await stop();
        }
      });
    });
  });
}
