// Bench only: Homeward's own MQTT stack (startEmbeddedBroker: the size guard, aedes, device
// sign-in, authorizePublish with its in-flight limit and retry wrapper, PUBACK after the hook's
// callback) with storage bypassed. The handler answers every readings message at once with the
// ack a real one would give (`parse`: after the gateway's JSON parse and fast-path validation),
// so the ingest bench can set the ceiling of our MQTT layer beside Mosquitto's on the same load.
// A child process of its own, so its CPU is measured as the Homeward process's is.
// Config (JSON file in BENCH_BARE_BROKER_CONFIG_FILE): { devices: [{ id, patientId }], credentialsHash, parse }.
// Prints one line `{"port": n}` once listening; SIGINT closes it.
import { readFileSync } from 'node:fs';
import { parseJsonPayload } from '@homeward/contracts';
import type { DeviceTopicKind, ReadingsAck } from '@homeward/contracts';
import { DeviceDirectory, type DeviceMessageHandler, plainlyValidReadingsPayload, startEmbeddedBroker } from '@homeward/gateway';

interface BareBrokerConfig {
  readonly devices: ReadonlyArray<{ readonly id: string; readonly patientId: string | null }>;
  readonly credentialsHash: string;
  /** Parse and validate each message as the gateway does before answering (else: answer unread). */
  readonly parse: boolean;
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.env['BENCH_BARE_BROKER_CONFIG_FILE'] ?? '', 'utf8')) as BareBrokerConfig;
  const access = new Map(config.devices.map((d) => [d.id, { id: d.id, type: 'hub' as const, patientId: d.patientId, credentialsHash: config.credentialsHash }]));
  const directory = new DeviceDirectory({ deviceAccess: async (id: string) => access.get(id) });
  const handler = {
    heardFrom: () => undefined,
    async handle(message: { kind: DeviceTopicKind; payload: Uint8Array }): Promise<{ ack?: ReadingsAck }> {
      if (message.kind !== 'readings') return {};
      let count = 1;
      let messageId: string | null = null;
      if (config.parse) {
        const parsed = parseJsonPayload(message.payload, { maxBytes: 256 * 1024, maxDepth: 32 });
        const body = parsed.ok ? plainlyValidReadingsPayload(parsed.value) : undefined;
        if (!body) return { ack: { messageId: null, status: 'rejected', stored: 0, duplicates: 0, rejected: [{ index: null, code: 'payload.invalid', message: 'not a plain readings message' }] } };
        count = body.readings?.length ?? 0;
        messageId = body.messageId ?? null;
      }
      return { ack: { messageId, status: 'accepted', stored: count, duplicates: 0, rejected: [] } };
    },
  } as unknown as DeviceMessageHandler;
  const broker = await startEmbeddedBroker({
    listeners: { host: '127.0.0.1', port: 0 },
    handler,
    directory,
    throttle: { admit: async () => ({ admitted: true, settle: async () => undefined }) },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify({ port: broker.ports.mqtt })}\n`);
  process.once('SIGINT', () => {
    void broker.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
