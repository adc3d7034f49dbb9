import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEVICE_TYPES, type Device, type DeviceType } from '@homeward/domain';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/gateway';
import type { Storage } from '@homeward/storage';
import { topics, withStorage } from '../storage-and-topics';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';

const USAGE = `homeward device add --patient <patient id> --type <${DEVICE_TYPES.join('|')}> [--serial <serial>] [--model <model>] [--ble-address <aa:bb:cc:dd:ee:ff>]`;

/**
 * Registers a device (or home hub) for a patient and prints its MQTT credentials. The secret is
 * shown once: only its hash is stored (SHA-256: the secret is random, 256 bits).
 */
export const deviceCommand: Command = {
  summary: 'Register a device for a patient and print its MQTT credentials (once): homeward device add --patient <id> --type <type>',
  usage: USAGE,
  async run(context: CliContext): Promise<number> {
    const [sub, ...rest] = context.args;
    if (sub !== 'add') {
      context.err(`Usage: ${USAGE}`);
      return 2;
    }
    let values: Record<string, string | undefined>;
    try {
      values = parseArgs({
        args: rest,
        options: { patient: { type: 'string' }, type: { type: 'string' }, serial: { type: 'string' }, model: { type: 'string' }, 'ble-address': { type: 'string' } },
        strict: true,
      }).values as Record<string, string | undefined>;
    } catch (error) {
      context.err(`${describeFailure(error)}\nUsage: ${USAGE}`);
      return 2;
    }
    const problems: string[] = [];
    if (!values['patient'] || !/^[0-9a-f-]{36}$/i.test(values['patient'])) problems.push('--patient must be a patient id (a UUID)');
    if (!values['type'] || !(DEVICE_TYPES as readonly string[]).includes(values['type'])) problems.push(`--type must be one of ${DEVICE_TYPES.join(', ')}`);
    const bleAddress = values['ble-address']?.toLowerCase();
    if (bleAddress !== undefined && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(bleAddress)) problems.push('--ble-address must look like aa:bb:cc:dd:ee:ff');
    if (problems.length > 0) {
      context.err(`${problems.join('\n')}\nUsage: ${USAGE}`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    return withStorage(config, context, () => undefined, async (storage) => {
      const patient = await storage.registry.getPatient(values['patient'] as string);
      if (!patient) {
        context.err(`No patient ${values['patient']} is registered.`);
        return 1;
      }
      const { device, secret } = await registerDeviceWithSecret(storage, {
        type: values['type'] as DeviceType,
        serial: values['serial'] ?? `unspecified-${randomUUID()}`,
        model: values['model'] ?? null,
        bleAddress: bleAddress ?? null,
        patientId: patient.id,
      });
      context.out(
        JSON.stringify(
          {
            deviceId: device.id,
            type: device.type,
            serial: device.serial,
            patientId: patient.id,
            mqtt: {
              username: device.id,
              password: secret,
              clientId: device.id,
              publish: topics.readings(device.id),
              status: topics.status(device.id),
              acks: topics.acks(device.id),
            },
            note: 'The password is shown only now; Homeward keeps only a hash of it.',
          },
          null,
          2,
        ),
      );
      return 0;
    }, 'homeward device add');
  },
};

/**
 * Registers a device with a new secret and audits it; only the secret's hash is stored.
 * Shared by `homeward device add` and `homeward demo`.
 */
export async function registerDeviceWithSecret(
  storage: Storage,
  input: { type: DeviceType; serial: string; model: string | null; bleAddress: string | null; patientId: string },
): Promise<{ device: Device; secret: string }> {
  const secret = generateDeviceSecret();
  const device = await storage.registry.registerDevice({ ...input, credentialsHash: await hashDeviceSecret(secret) });
  await storage.audit.record({ actorType: 'system', actorId: 'cli', action: 'device.create', subjectType: 'device', subjectId: device.id, patientId: input.patientId });
  return { device, secret };
}
