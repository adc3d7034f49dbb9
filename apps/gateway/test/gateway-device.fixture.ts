import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDeviceSecret, hashDeviceSecret, hashSecret } from '@homeward/auth';
import type { DeviceType } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { type RealDatabase, aValidNhsNumber, realDatabase } from '@homeward/testing';
import { type Gateway, startGateway } from '../src/gateway';

export interface RegisteredDevice {
  readonly patientId: string;
  readonly deviceId: string;
  readonly secret: string;
}

/**
 * A fresh patient with one registered device (isolation by new rows, not truncation). `legacyHash`:
 * its secret stored as a scrypt hash, as devices registered before the fast hash were.
 */
export async function aPatientWithDevice(storage: Storage, type: DeviceType = 'pulse-oximeter', options: { readonly legacyHash?: boolean } = {}): Promise<RegisteredDevice> {
  const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Broker', familyName: randomUUID(), dateOfBirth: '1950-05-05' });
  const secret = generateDeviceSecret();
  const device = await storage.registry.registerDevice({ type, serial: randomUUID(), patientId: patient.id, credentialsHash: await (options.legacyHash ? hashSecret : hashDeviceSecret)(secret) });
  return { patientId: patient.id, deviceId: device.id, secret };
}

export const spo2 = (value: number, deviceTime: string) => JSON.stringify({ readings: [{ vital: 'spo2', value, unit: '%', deviceTime }] });

/**
 * A gateway with the embedded broker on a free port, on a real PostgreSQL (a scratch database on
 * DATABASE_URL's server, else an embedded one), payloads up to 4 KB; `close` ends all of it.
 * `clock`: what the gateway stamps receipts and device contact with.
 */
export async function anEmbeddedGateway(name: string, options: { readonly clock?: () => Date } = {}): Promise<{ db: RealDatabase; gateway: Gateway; port: number; close(): Promise<void> }> {
  const db = await realDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), `homeward-${name}-`));
  const gateway = await startGateway({
    storage: db.storage,
    config: {
      mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 4096 },
      ingest: { maxClockSkewMs: 300_000 },
      ble: { enabled: false },
      database: { dataDir },
    },
    log: () => undefined,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    db,
    gateway,
    port: gateway.broker?.ports.mqtt ?? 0,
    close: async () => {
      await gateway.close();
      await db.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
