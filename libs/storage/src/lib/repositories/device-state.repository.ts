import type { DeviceType } from '@homeward/domain';
import type { Database } from '../database';
import type { MonitoredDevice } from './alert.repository';

/** A patient's device as the silence rules and the patient page judge it: contact, battery, connection. */
export interface DeviceContactState extends MonitoredDevice {
  /** The last status `state` received ("offline": its last will or goodbye), and when; null before any. */
  readonly connection: { readonly state: 'online' | 'offline'; readonly at: Date } | null;
}

/** Frames of one device refused by a GATT decoder (bad length, reserved values) in a period. */
export interface MalformedFrames {
  readonly deviceId: string;
  readonly count: number;
  readonly firstAt: Date;
  readonly lastAt: Date;
  readonly codes: readonly string[];
}

interface ContactRow {
  id: string;
  type: DeviceType;
  patient_id: string;
  last_seen_at: Date | null;
  battery_level: number | null;
  battery_at: Date | null;
  connection_state: 'online' | 'offline' | null;
  connection_at: Date | null;
}

/**
 * What the rules engine's timer pass reads about a patient's devices besides readings: their
 * contact and connection state (migration 0014) and the malformed frames kept in
 * rejected_messages. One query each per patient, both on indexes (devices_patient,
 * rejected_messages_device).
 */
export class DeviceStateRepository {
  constructor(private readonly db: Database) {}

  async contactsOf(patientId: string): Promise<DeviceContactState[]> {
    const { rows } = await this.db.query<ContactRow>(
      `SELECT id, type, patient_id, last_seen_at, battery_level, battery_at, connection_state, connection_at
       FROM devices WHERE patient_id = $1 ORDER BY type, id`,
      [patientId],
    );
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      patientId: row.patient_id,
      lastSeenAt: row.last_seen_at,
      batteryLevel: row.battery_level === null ? null : Number(row.battery_level),
      batteryAt: row.battery_at,
      connection: row.connection_state && row.connection_at ? { state: row.connection_state, at: row.connection_at } : null,
    }));
  }

  /**
   * Per device (of `deviceIds`, or every device), the messages received after `since` that a GATT
   * decoder refused: the whole message (reason `gatt.*`) or some of its items (`details.items[].code`).
   * Without `deviceIds` one query serves a whole timer pass (rejected_messages_received index).
   */
  async malformedFrames(since: Date, deviceIds?: readonly string[]): Promise<MalformedFrames[]> {
    if (deviceIds?.length === 0) return [];
    const { rows } = await this.db.query<{ device_id: string; n: number; first_at: Date; last_at: Date; codes: string[] }>(
      `SELECT device_id, count(*)::int AS n, min(received_at) AS first_at, max(received_at) AS last_at,
              array_agg(DISTINCT reason_code ORDER BY reason_code) AS codes
       FROM rejected_messages
       WHERE received_at > $1 AND device_id IS NOT NULL AND ($2::uuid[] IS NULL OR device_id = ANY($2::uuid[]))
         AND (reason_code LIKE 'gatt.%' OR jsonb_path_exists(details, '$.items[*].code ? (@ starts with "gatt.")'))
       GROUP BY device_id ORDER BY device_id`,
      [since, deviceIds ?? null],
    );
    return rows.map((row) => ({ deviceId: row.device_id, count: Number(row.n), firstAt: row.first_at, lastAt: row.last_at, codes: row.codes }));
  }
}
