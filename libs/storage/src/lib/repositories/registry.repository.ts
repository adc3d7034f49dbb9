import { type Admission, CodedFailure, type Device, type DeviceType, type DischargeOutcome, type NhsNumber, type Pathway, type Patient, type Role, type User, type Ward } from '@homeward/domain';
import { type Database, onlyRow } from '../database';

/**
 * Wards, people, patients, admissions and devices: the registry every reading and alert hangs
 * off. SQL is written out here so it can be reviewed next to the schema (0001_registry.sql).
 */
export class RegistryRepository {
  constructor(private readonly db: Database) {}

  async createWard(name: string): Promise<Ward> {
    const row = onlyRow(
      await this.db.query<{ id: string; name: string; created_at: Date }>('INSERT INTO wards (name) VALUES ($1) RETURNING id, name, created_at', [name]),
      'createWard',
    );
    return toWard(row);
  }

  async getWard(id: string): Promise<Ward | undefined> {
    const { rows } = await this.db.query<{ id: string; name: string; created_at: Date }>(
      'SELECT id, name, created_at FROM wards WHERE id = $1',
      [id],
    );
    return rows[0] && toWard(rows[0]);
  }

  async findWardByName(name: string): Promise<Ward | undefined> {
    const { rows } = await this.db.query<{ id: string; name: string; created_at: Date }>('SELECT id, name, created_at FROM wards WHERE name = $1', [name]);
    return rows[0] && toWard(rows[0]);
  }

  /** The ward's own red-band advice for its patients: null when it uses the default; undefined when there is no such ward. */
  async wardPatientAdvice(wardId: string): Promise<{ configured: string | null } | undefined> {
    const { rows } = await this.db.query<{ patient_advice: string | null }>('SELECT patient_advice FROM wards WHERE id = $1', [wardId]);
    return rows[0] && { configured: rows[0].patient_advice };
  }

  /** Sets (or with null clears) the ward's red-band advice; false when there is no such ward. */
  async setWardPatientAdvice(wardId: string, advice: string | null): Promise<boolean> {
    const { rows } = await this.db.query<{ id: string }>('UPDATE wards SET patient_advice = $2 WHERE id = $1 RETURNING id', [wardId, advice]);
    return rows.length > 0;
  }

  /**
   * What deciding a patient's red-band advice needs, in one round trip: their current admission
   * with its care plan, and their ward's advice text. undefined when they are not on a ward.
   */
  async patientAdviceContext(patientId: string): Promise<{ admission: AdmissionWithCarePlan; wardPatientAdvice: string | null } | undefined> {
    const { rows } = await this.db.query<AdmissionRow & { care_plan: Record<string, unknown>; patient_advice: string | null }>(
      `SELECT a.id, a.patient_id, a.ward_id, a.pathway, a.admitted_at, a.discharged_at, a.care_plan, w.patient_advice
       FROM admissions a JOIN wards w ON w.id = a.ward_id WHERE a.patient_id = $1 AND a.discharged_at IS NULL`,
      [patientId],
    );
    const row = rows[0];
    return row && { admission: { ...toAdmission(row), carePlan: row.care_plan }, wardPatientAdvice: row.patient_advice };
  }

  async createUser(input: { email: string; displayName: string; role: Role; passwordHash?: string | null }): Promise<User> {
    const row = onlyRow(await this.db.query<UserRow>(
      `INSERT INTO users (email, display_name, role, password_hash) VALUES (lower($1), $2, $3, $4)
       RETURNING id, email, display_name, role, created_at`,
      [input.email, input.displayName, input.role, input.passwordHash ?? null],
    ), 'registry');
    return toUser(row);
  }

  /** The user and password hash for signing in; undefined when unknown or disabled. */
  async userForSignIn(email: string): Promise<(User & { passwordHash: string | null }) | undefined> {
    const { rows } = await this.db.query<UserRow & { password_hash: string | null }>(
      'SELECT id, email, display_name, role, created_at, password_hash FROM users WHERE email = lower($1) AND disabled_at IS NULL',
      [email],
    );
    const row = rows[0];
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  /** Links a patient's own sign-in account to their record (a patient sees only their own data). */
  async linkPatientAccount(patientId: string, userId: string): Promise<boolean> {
    // One working account per patient: linking another would silently unlink (and lock out) the
    // first. A link to a disabled account may be replaced.
    const { rowCount } = await this.db.query(
      `UPDATE patients p SET user_id = $2 WHERE p.id = $1
         AND (p.user_id IS NULL OR p.user_id = $2 OR EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id AND u.disabled_at IS NOT NULL))`,
      [patientId, userId],
    );
    return rowCount > 0;
  }

  /** The patient's own working account, if one is linked (a disabled one does not count). */
  async patientAccount(patientId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(
      'SELECT u.id FROM patients p JOIN users u ON u.id = p.user_id WHERE p.id = $1 AND u.disabled_at IS NULL',
      [patientId],
    );
    return rows[0]?.id;
  }

  async createSession(input: { tokenHash: string; userId: string; expiresAt: Date; ip: string | null }): Promise<void> {
    await this.db.query('INSERT INTO sessions (token_hash, user_id, expires_at, ip) VALUES ($1, $2, $3, $4)', [input.tokenHash, input.userId, input.expiresAt, input.ip]);
  }

  /** The signed-in user behind a session token hash, with their wards; undefined when expired or unknown. */
  async sessionUser(tokenHash: string, now: Date): Promise<(User & { wardIds: string[]; patientId: string | null }) | undefined> {
    const { rows } = await this.db.query<UserRow & { ward_ids: string[] | null; patient_id: string | null }>(
      `SELECT u.id, u.email, u.display_name, u.role, u.created_at,
              (SELECT array_agg(m.ward_id::text ORDER BY m.ward_id) FROM ward_members m WHERE m.user_id = u.id) AS ward_ids,
              (SELECT p.id FROM patients p WHERE p.user_id = u.id LIMIT 1) AS patient_id
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL`,
      [tokenHash, now],
    );
    const row = rows[0];
    return row && { ...toUser(row), wardIds: row.ward_ids ?? [], patientId: row.patient_id };
  }

  async endSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async addWardMember(wardId: string, userId: string): Promise<void> {
    await this.db.query('INSERT INTO ward_members (ward_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [wardId, userId]);
  }

  async wardsOfUser(userId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ ward_id: string }>('SELECT ward_id FROM ward_members WHERE user_id = $1 ORDER BY ward_id', [
      userId,
    ]);
    return rows.map((row) => row.ward_id);
  }

  async createPatient(input: { nhsNumber: NhsNumber; givenName: string; familyName: string; dateOfBirth: string }): Promise<Patient> {
    const row = onlyRow(await this.db.query<PatientRow>(
      `INSERT INTO patients (nhs_number, given_name, family_name, date_of_birth) VALUES ($1, $2, $3, $4::date)
       RETURNING ${PATIENT_COLUMNS}`,
      [input.nhsNumber, input.givenName, input.familyName, input.dateOfBirth],
    ), 'registry');
    return toPatient(row);
  }

  async getPatient(id: string): Promise<Patient | undefined> {
    const { rows } = await this.db.query<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patients WHERE id = $1`, [id]);
    return rows[0] && toPatient(rows[0]);
  }

  /** Several patients in one query (the ids not found are simply absent). */
  async getPatients(ids: readonly string[]): Promise<Map<string, Patient>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.query<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patients WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]]);
    return new Map(rows.map((row) => [row.id, toPatient(row)]));
  }

  async findPatientByNhsNumber(nhsNumber: NhsNumber): Promise<Patient | undefined> {
    const { rows } = await this.db.query<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patients WHERE nhs_number = $1`, [nhsNumber]);
    return rows[0] && toPatient(rows[0]);
  }

  async admit(input: { patientId: string; wardId: string; pathway: Pathway; carePlan?: Record<string, unknown>; admittedAt?: Date }): Promise<Admission> {
    const row = onlyRow(await this.db.query<AdmissionRow>(
      `INSERT INTO admissions (patient_id, ward_id, pathway, care_plan, admitted_at) VALUES ($1, $2, $3, $4::jsonb, coalesce($5, now()))
       RETURNING ${ADMISSION_COLUMNS}`,
      [input.patientId, input.wardId, input.pathway, JSON.stringify(input.carePlan ?? {}), input.admittedAt ?? null],
    ), 'registry');
    return toAdmission(row);
  }

  /** Ends an admission; `outcome` (where the patient went) feeds the ward outcomes report, NULL: not recorded. */
  async discharge(admissionId: string, at: Date, reason: string, outcome?: DischargeOutcome): Promise<Admission | undefined> {
    const { rows } = await this.db.query<AdmissionRow>(
      `UPDATE admissions SET discharged_at = $2, discharge_reason = $3, discharge_outcome = $4 WHERE id = $1 AND discharged_at IS NULL
       RETURNING ${ADMISSION_COLUMNS}`,
      [admissionId, at, reason, outcome ?? null],
    );
    return rows[0] && toAdmission(rows[0]);
  }

  /** The patient's most recent admission, current or discharged (it says which ward last had them). */
  async latestAdmission(patientId: string): Promise<Admission | undefined> {
    const { rows } = await this.db.query<AdmissionRow>(
      `SELECT ${ADMISSION_COLUMNS} FROM admissions WHERE patient_id = $1 ORDER BY admitted_at DESC, id DESC LIMIT 1`,
      [patientId],
    );
    return rows[0] && toAdmission(rows[0]);
  }

  async activeAdmission(patientId: string): Promise<Admission | undefined> {
    const { rows } = await this.db.query<AdmissionRow>(
      `SELECT ${ADMISSION_COLUMNS} FROM admissions WHERE patient_id = $1 AND discharged_at IS NULL`,
      [patientId],
    );
    return rows[0] && toAdmission(rows[0]);
  }

  async registerDevice(input: {
    type: DeviceType;
    serial: string;
    model?: string | null;
    bleAddress?: string | null;
    patientId?: string | null;
    credentialsHash?: string | null;
  }): Promise<Device> {
    // ON CONFLICT: a duplicate is a domain refusal here, so no caller above storage reads PostgreSQL's error codes.
    const { rows } = await this.db.query<DeviceRow>(
      `INSERT INTO devices (type, serial, model, ble_address, patient_id, credentials_hash) VALUES ($1, $2, $3, lower($4), $5, $6)
       ON CONFLICT DO NOTHING RETURNING ${DEVICE_COLUMNS}`,
      [input.type, input.serial, input.model ?? null, input.bleAddress ?? null, input.patientId ?? null, input.credentialsHash ?? null],
    );
    if (!rows[0]) throw new CodedFailure({ code: 'device.exists', message: 'A device of this type with this serial (or this Bluetooth address) is already registered.' });
    return toDevice(rows[0]);
  }

  async getDevice(id: string): Promise<Device | undefined> {
    const { rows } = await this.db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, [id]);
    return rows[0] && toDevice(rows[0]);
  }

  /** What the broker needs to authenticate a device and route its readings. */
  async deviceAccess(id: string): Promise<{ id: string; type: DeviceType; patientId: string | null; credentialsHash: string | null } | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined; // not a uuid: no such device, and no SQL error
    const { rows } = await this.db.query<{ id: string; type: DeviceType; patient_id: string | null; credentials_hash: string | null }>(
      'SELECT id, type, patient_id, credentials_hash FROM devices WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row && { id: row.id, type: row.type, patientId: row.patient_id, credentialsHash: row.credentials_hash };
  }

  /**
   * Replaces a device's stored secret hash with an equivalent one (a legacy scrypt hash by the fast
   * hash, after a login proved the secret), only if it is still `from`: a secret rotated meanwhile
   * is left alone. True when replaced.
   */
  async replaceDeviceCredentialsHash(id: string, from: string, to: string): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE devices SET credentials_hash = $3 WHERE id = $1 AND credentials_hash = $2', [id, from, to]);
    return rowCount > 0;
  }

  /** Bluetooth devices assigned to patients: what a gateway's BLE source may connect to. */
  async bleDevices(): Promise<Array<{ deviceId: string; patientId: string; type: DeviceType; serial: string; bleAddress: string | null }>> {
    const { rows } = await this.db.query<{ id: string; patient_id: string; type: DeviceType; serial: string; ble_address: string | null }>(
      `SELECT id, patient_id, type, serial, ble_address FROM devices
       WHERE patient_id IS NOT NULL AND type NOT IN ('hub', 'patient-app') ORDER BY created_at`,
    );
    return rows.map((r) => ({ deviceId: r.id, patientId: r.patient_id, type: r.type, serial: r.serial, bleAddress: r.ble_address }));
  }

  async listWards(ids?: readonly string[]): Promise<Ward[]> {
    const { rows } = await this.db.query<{ id: string; name: string; created_at: Date }>(
      'SELECT id, name, created_at FROM wards WHERE $1::uuid[] IS NULL OR id = ANY ($1::uuid[]) ORDER BY name',
      [ids ?? null],
    );
    return rows.map(toWard);
  }

  /** The people on a ward (for assigning alerts), nurses and clinicians first by name. */
  async wardMembers(wardId: string): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT u.id, u.email, u.display_name, u.role, u.created_at FROM users u JOIN ward_members m ON m.user_id = u.id
       WHERE m.ward_id = $1 AND u.disabled_at IS NULL ORDER BY u.role, u.display_name`,
      [wardId],
    );
    return rows.map(toUser);
  }

  async getUser(id: string): Promise<User | undefined> {
    const { rows } = await this.db.query<UserRow>('SELECT id, email, display_name, role, created_at FROM users WHERE id = $1', [id]);
    return rows[0] && toUser(rows[0]);
  }

  /** Every account with its wards (the admin's user list). */
  async listUsers(): Promise<Array<User & { wardIds: string[] }>> {
    const { rows } = await this.db.query<UserRow & { ward_ids: string[] }>(
      `SELECT u.id, u.email, u.display_name, u.role, u.created_at,
              coalesce(array_agg(m.ward_id::text ORDER BY m.ward_id) FILTER (WHERE m.ward_id IS NOT NULL), '{}') AS ward_ids
       FROM users u LEFT JOIN ward_members m ON m.user_id = u.id
       GROUP BY u.id ORDER BY u.display_name, u.id`,
    );
    return rows.map((row) => ({ ...toUser(row), wardIds: row.ward_ids }));
  }

  /**
   * Patients with their active admission (and care plan). With ward ids: only those admitted to
   * one of them; without: every patient, admitted or not (the admin's view).
   */
  async patientsWithAdmissions(wardIds?: readonly string[]): Promise<Array<{ patient: Patient; admission: AdmissionWithCarePlan | null }>> {
    const { rows } = await this.db.query<PatientRow & { admission_id: string | null; ward_id: string | null; pathway: Pathway | null; care_plan: Record<string, unknown> | null; admitted_at: Date | null }>(
      `SELECT p.id, p.nhs_number, p.given_name, p.family_name, p.date_of_birth::text AS date_of_birth, p.created_at,
              a.id AS admission_id, a.ward_id, a.pathway, a.care_plan, a.admitted_at
       FROM patients p LEFT JOIN admissions a ON a.patient_id = p.id AND a.discharged_at IS NULL
       WHERE $1::uuid[] IS NULL OR a.ward_id = ANY ($1::uuid[])
       ORDER BY p.family_name, p.given_name, p.id`,
      [wardIds ?? null],
    );
    return rows.map((row) => ({
      patient: toPatient(row),
      admission:
        row.admission_id && row.ward_id && row.pathway && row.admitted_at
          ? { id: row.admission_id, patientId: row.id, wardId: row.ward_id, pathway: row.pathway, carePlan: row.care_plan ?? {}, admittedAt: row.admitted_at, dischargedAt: null }
          : null,
    }));
  }

  /**
   * The ward overview's facts about people: every admission of these wards that is current or
   * ended since `since`, with the patient's name, the care plan and when their latest reading was
   * measured (one index probe per patient on readings_patient_measured).
   */
  async wardHandover(wardIds: readonly string[], since: Date): Promise<WardHandoverRow[]> {
    const { rows } = await this.db.query<{ patient_id: string; given_name: string; family_name: string; nhs_number: string; pathway: Pathway; care_plan: Record<string, unknown>; admitted_at: Date; discharged_at: Date | null; discharge_reason: string | null; last_measured_at: Date | null }>(
      `SELECT a.patient_id, p.given_name, p.family_name, p.nhs_number, a.pathway, a.care_plan, a.admitted_at, a.discharged_at, a.discharge_reason,
              (SELECT r.measured_at FROM readings r WHERE r.patient_id = a.patient_id ORDER BY r.measured_at DESC LIMIT 1) AS last_measured_at
       FROM admissions a JOIN patients p ON p.id = a.patient_id
       WHERE a.ward_id = ANY ($1::uuid[]) AND (a.discharged_at IS NULL OR a.discharged_at >= $2)
       ORDER BY p.family_name, p.given_name, a.admitted_at`,
      [wardIds, since],
    );
    return rows.map((row) => ({
      patientId: row.patient_id,
      name: `${row.given_name} ${row.family_name}`,
      nhsNumber: row.nhs_number.trim(),
      pathway: row.pathway,
      carePlan: row.care_plan,
      admittedAt: row.admitted_at,
      dischargedAt: row.discharged_at,
      dischargeReason: row.discharge_reason,
      lastMeasuredAt: row.last_measured_at,
    }));
  }

  /** The patient's current admission with its care plan, if they are on a virtual ward. */
  async activeAdmissionWithCarePlan(patientId: string): Promise<VersionedCarePlan | undefined> {
    const { rows } = await this.db.query<CarePlanRow>(
      `SELECT ${ADMISSION_COLUMNS}, care_plan, care_plan_version FROM admissions WHERE patient_id = $1 AND discharged_at IS NULL`,
      [patientId],
    );
    const row = rows[0];
    return row && toAdmissionWithCarePlan(row);
  }

  /** Replaces the care plan of an active admission (whatever its version) and moves its version on. */
  async updateCarePlan(admissionId: string, carePlan: Record<string, unknown>): Promise<VersionedCarePlan | undefined> {
    const { rows } = await this.db.query<CarePlanRow>(
      `UPDATE admissions SET care_plan = $2::jsonb, care_plan_version = care_plan_version + 1
       WHERE id = $1 AND discharged_at IS NULL RETURNING ${ADMISSION_COLUMNS}, care_plan, care_plan_version`,
      [admissionId, JSON.stringify(carePlan)],
    );
    const row = rows[0];
    return row && toAdmissionWithCarePlan(row);
  }

  /**
   * Optimistic concurrency: replaces the care plan only if it is still at `basedOnVersion`, the
   * version the editor was showing. Otherwise says why not: someone saved meanwhile ('stale', with
   * the plan as it now is), or the patient was discharged.
   */
  async updateCarePlanIfVersion(admissionId: string, basedOnVersion: number, carePlan: Record<string, unknown>): Promise<CarePlanUpdate> {
    const { rows } = await this.db.query<CarePlanRow>(
      `UPDATE admissions SET care_plan = $3::jsonb, care_plan_version = care_plan_version + 1
       WHERE id = $1 AND discharged_at IS NULL AND care_plan_version = $2 RETURNING ${ADMISSION_COLUMNS}, care_plan, care_plan_version`,
      [admissionId, basedOnVersion, JSON.stringify(carePlan)],
    );
    const row = rows[0];
    if (row) return { kind: 'updated', admission: toAdmissionWithCarePlan(row) };
    const current = await this.db.query<CarePlanRow>(
      `SELECT ${ADMISSION_COLUMNS}, care_plan, care_plan_version FROM admissions WHERE id = $1 AND discharged_at IS NULL`,
      [admissionId],
    );
    const now = current.rows[0];
    return now ? { kind: 'stale', current: toAdmissionWithCarePlan(now) } : { kind: 'discharged' };
  }

  /** A patient's devices with what a nurse checks: battery (and when it was read) and last seen. */
  async devicesOfPatient(patientId: string): Promise<Array<Device & { batteryAt: Date | null }>> {
    const { rows } = await this.db.query<DeviceRow & { battery_at: Date | null }>(
      `SELECT ${DEVICE_COLUMNS}, battery_at FROM devices WHERE patient_id = $1 ORDER BY type, created_at, id`,
      [patientId],
    );
    return rows.map((row) => ({ ...toDevice(row), batteryAt: row.battery_at }));
  }

  /** Gives a device to a patient, or takes it back (null). Its credentials stay as they are. */
  async assignDevice(id: string, patientId: string | null): Promise<Device | undefined> {
    const { rows } = await this.db.query<DeviceRow>(`UPDATE devices SET patient_id = $2 WHERE id = $1 RETURNING ${DEVICE_COLUMNS}`, [id, patientId]);
    return rows[0] && toDevice(rows[0]);
  }

  /** Last-seen for many devices in one statement (the gateway flushes its activity every few seconds). */
  async touchDevices(seen: ReadonlyArray<{ id: string; at: Date }>): Promise<void> {
    if (seen.length === 0) return;
    await this.db.query(
      // The history (device_contacts, 0023): the device's latest span extended when this contact is
      // within 5 minutes of its end, else a new span. All CTEs read the devices as they were before.
      `WITH s AS (SELECT DISTINCT ON (id) id, at FROM unnest($1::uuid[], $2::timestamptz[]) AS s(id, at) ORDER BY id, at DESC),
       prev AS (SELECT d.id, d.last_seen_at FROM devices d JOIN s ON s.id = d.id),
       touched AS (UPDATE devices d SET last_seen_at = greatest(d.last_seen_at, s.at) FROM s WHERE d.id = s.id RETURNING d.id),
       extended AS (
         UPDATE device_contacts c SET until = greatest(c.until, s.at)
         FROM s JOIN prev ON prev.id = s.id
         WHERE c.device_id = s.id AND c.kind = 'seen' AND c.until = prev.last_seen_at AND s.at <= prev.last_seen_at + interval '5 minutes'
         RETURNING c.device_id
       )
       INSERT INTO device_contacts (device_id, at, until, kind)
       SELECT s.id, s.at, s.at, 'seen' FROM s JOIN touched t ON t.id = s.id WHERE s.id NOT IN (SELECT device_id FROM extended)`,
      [seen.map((s) => s.id), seen.map((s) => s.at)],
    );
  }

  /** Records that a device was heard from, and its battery if it said; never moves last-seen back. */
  async touchDevice(id: string, seenAt: Date, batteryLevel?: number): Promise<void> {
    await this.db.query(
      // The history (device_contacts, 0023), as touchDevices; a battery level always starts a new span (it was said at `at`).
      `WITH prev AS (SELECT id, last_seen_at FROM devices WHERE id = $1),
       touched AS (
         UPDATE devices SET
           last_seen_at = greatest(last_seen_at, $2),
           battery_level = CASE WHEN $3::smallint IS NOT NULL AND (battery_at IS NULL OR battery_at <= $2) THEN $3::smallint ELSE battery_level END,
           battery_at = CASE WHEN $3::smallint IS NOT NULL AND (battery_at IS NULL OR battery_at <= $2) THEN $2 ELSE battery_at END
         WHERE id = $1 RETURNING id
       ),
       extended AS (
         UPDATE device_contacts c SET until = greatest(c.until, $2)
         FROM prev
         WHERE $3::smallint IS NULL AND c.device_id = $1 AND c.kind = 'seen' AND c.until = prev.last_seen_at AND $2 <= prev.last_seen_at + interval '5 minutes'
         RETURNING c.device_id
       )
       INSERT INTO device_contacts (device_id, at, until, kind, battery_level)
       SELECT id, $2, $2, 'seen', $3::smallint FROM touched WHERE NOT EXISTS (SELECT 1 FROM extended)`,
      [id, seenAt, batteryLevel ?? null],
    );
  }

  /**
   * Records a device's connection status (its status message's `state`: "online", or "offline" as
   * the last will), never replacing a newer one. Does not touch last_seen_at: a last will is not
   * the device being heard from (migration 0014, isDeviceOffline).
   */
  async recordDeviceConnection(id: string, state: 'online' | 'offline', at: Date): Promise<void> {
    await this.db.query(
      // Every status goes into the history (device_contacts, 0023), even one older than the latest.
      `WITH device AS (
         UPDATE devices SET connection_state = $2, connection_at = $3
         WHERE id = $1 AND (connection_at IS NULL OR connection_at <= $3) RETURNING id
       )
       INSERT INTO device_contacts (device_id, at, kind) SELECT id, $3, $2 FROM devices WHERE id = $1`,
      [id, state, at],
    );
  }
}

/** An admission as the registry endpoints show it: with the care plan as stored (jsonb). */
export interface AdmissionWithCarePlan extends Admission {
  readonly carePlan: Readonly<Record<string, unknown>>;
}

/** The admission's plan with its version, which moves on by one at every write; a save names the version it was based on. */
export interface VersionedCarePlan extends AdmissionWithCarePlan {
  readonly carePlanVersion: number;
}

export type CarePlanUpdate =
  | { readonly kind: 'updated'; readonly admission: VersionedCarePlan }
  | { readonly kind: 'stale'; readonly current: VersionedCarePlan }
  | { readonly kind: 'discharged' };

type CarePlanRow = AdmissionRow & { care_plan: Record<string, unknown>; care_plan_version: number };
const toAdmissionWithCarePlan = (row: CarePlanRow): VersionedCarePlan => ({ ...toAdmission(row), carePlan: row.care_plan, carePlanVersion: row.care_plan_version });

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  created_at: Date;
}
interface PatientRow {
  id: string;
  nhs_number: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  created_at: Date;
}
interface AdmissionRow {
  id: string;
  patient_id: string;
  ward_id: string;
  pathway: Pathway;
  admitted_at: Date;
  discharged_at: Date | null;
}
interface DeviceRow {
  id: string;
  type: DeviceType;
  serial: string;
  model: string | null;
  ble_address: string | null;
  patient_id: string | null;
  last_seen_at: Date | null;
  battery_level: number | null;
  created_at: Date;
}

const PATIENT_COLUMNS = 'id, nhs_number, given_name, family_name, date_of_birth::text AS date_of_birth, created_at';
const ADMISSION_COLUMNS = 'id, patient_id, ward_id, pathway, admitted_at, discharged_at';
const DEVICE_COLUMNS = 'id, type, serial, model, ble_address, patient_id, last_seen_at, battery_level, created_at';

const toWard = (row: { id: string; name: string; created_at: Date }): Ward => ({ id: row.id, name: row.name, createdAt: row.created_at });
const toUser = (row: UserRow): User => ({ id: row.id, email: row.email, displayName: row.display_name, role: row.role, createdAt: row.created_at });
const toPatient = (row: PatientRow): Patient => ({
  id: row.id,
  nhsNumber: row.nhs_number as NhsNumber,
  givenName: row.given_name,
  familyName: row.family_name,
  dateOfBirth: row.date_of_birth,
  createdAt: row.created_at,
});
const toAdmission = (row: AdmissionRow): Admission => ({
  id: row.id,
  patientId: row.patient_id,
  wardId: row.ward_id,
  pathway: row.pathway,
  admittedAt: row.admitted_at,
  dischargedAt: row.discharged_at,
});
const toDevice = (row: DeviceRow): Device => ({
  id: row.id,
  type: row.type,
  serial: row.serial,
  model: row.model,
  bleAddress: row.ble_address,
  patientId: row.patient_id,
  lastSeenAt: row.last_seen_at,
  batteryLevel: row.battery_level === null ? null : Number(row.battery_level),
  createdAt: row.created_at,
});

/** One admission as the ward overview (handover) lists it. */
export interface WardHandoverRow {
  readonly patientId: string;
  readonly name: string;
  readonly nhsNumber: string;
  readonly pathway: Pathway;
  readonly carePlan: Readonly<Record<string, unknown>>;
  readonly admittedAt: Date;
  readonly dischargedAt: Date | null;
  readonly dischargeReason: string | null;
  readonly lastMeasuredAt: Date | null;
}
