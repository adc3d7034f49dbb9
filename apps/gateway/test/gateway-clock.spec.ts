import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import { type RegisteredDevice, aPatientWithDevice, anEmbeddedGateway, spo2 } from './gateway-device.fixture';

const HOUR = 3_600_000;

// The gateway's clock (startGateway's `clock`, what `homeward demo` steps with its replay): every
// time it stamps is that clock's, not the system's. Over real MQTT into real PostgreSQL, with the
// clock moved by hand to moments months before the real now: the connection and its "online"
// status, a reading's receipt, a refused message, a keepalive ping and the last will of a dropped
// connection are each recorded at the clock's time when they happened.
describe("the gateway's clock", () => {
  let gateway: Awaited<ReturnType<typeof anEmbeddedGateway>>;
  let at = new Date('2026-06-01T08:00:00Z');

  beforeAll(async () => {
    gateway = await anEmbeddedGateway('gateway-clock', { clock: () => at });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
  });

  const device = async (hub: RegisteredDevice) => {
    const rows = await gateway.db.storage.db.query<{ last_seen_at: Date | null; connection_state: string | null; connection_at: Date | null; battery_at: Date | null }>(
      'SELECT last_seen_at, connection_state, connection_at, battery_at FROM devices WHERE id = $1',
      [hub.deviceId],
    );
    return rows.rows[0];
  };

  it('stamps receipts, refusals, contact, pings and the last will with its time', async () => {
    const hub = await aPatientWithDevice(gateway.db.storage, 'hub');
    const t0 = at;
    const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.port}`, {
      clientId: hub.deviceId,
      username: hub.deviceId,
      password: hub.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: topics.status(hub.deviceId), payload: Buffer.from(JSON.stringify({ state: 'offline' })), qos: 1, retain: false },
    });
    try {
      await client.publishAsync(topics.status(hub.deviceId), JSON.stringify({ state: 'online', battery: 80 }), { qos: 1 });
      await gateway.gateway.flushActivity();
      expect(await device(hub)).toEqual({ last_seen_at: t0, connection_state: 'online', connection_at: t0, battery_at: t0 });

      at = new Date(t0.getTime() + HOUR);
      await client.publishAsync(topics.readings(hub.deviceId), spo2(96, new Date(at.getTime() - 60_000).toISOString()), { qos: 1 });
      const readings = await gateway.db.storage.readings.inRange(hub.patientId, { from: t0, to: at, limit: 10 });
      expect(readings.map((r) => [r.receivedAt, r.measuredAt])).toEqual([[at, new Date(at.getTime() - 60_000)]]);
      await gateway.gateway.flushActivity();
      expect((await device(hub))?.last_seen_at).toEqual(at);

      at = new Date(t0.getTime() + 2 * HOUR);
      await client.publishAsync(topics.readings(hub.deviceId), '{ not json', { qos: 1 });
      const refused = await gateway.db.storage.db.query<{ received_at: Date }>('SELECT received_at FROM rejected_messages WHERE device_id = $1', [hub.deviceId]);
      expect(refused.rows).toEqual([{ received_at: at }]);

      at = new Date(t0.getTime() + 3 * HOUR);
      await new Promise<void>((resolve) => {
        const onPacket = (packet: { readonly cmd: string }) => {
          if (packet.cmd !== 'pingresp') return;
          client.off('packetreceive', onPacket);
          resolve();
        };
        client.on('packetreceive', onPacket);
        client.sendPing();
      });
      await gateway.gateway.flushActivity();
      const pinged = at;
      expect((await device(hub))?.last_seen_at).toEqual(pinged);

      // A dropped connection: the broker publishes the last will, at the clock's time then.
      at = new Date(t0.getTime() + 4 * HOUR);
      client.stream.destroy();
      for (let i = 0; (await device(hub))?.connection_state !== 'offline'; i++) {
        if (i > 600) throw new Error('the last will was not recorded');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await device(hub)).toEqual({ last_seen_at: pinged, connection_state: 'offline', connection_at: at, battery_at: t0 });
      const history = await gateway.db.storage.db.query<{ kind: string; at: Date }>("SELECT kind, at FROM device_contacts WHERE device_id = $1 AND kind <> 'seen' ORDER BY at", [hub.deviceId]);
      expect(history.rows).toEqual([
        { kind: 'online', at: t0 },
        { kind: 'offline', at },
      ]);
    } finally {
      await client.endAsync(true);
    }
  }, 60_000);
});
