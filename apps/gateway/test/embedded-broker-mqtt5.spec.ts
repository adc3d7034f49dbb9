// The embedded broker (aedes 1.2) speaks MQTT 3.1 and 3.1.1 only. An MQTT 5 client is refused
// in a way it can read, not dropped in silence: aedes answers the CONNECT with a 3.1.1 CONNACK
// carrying return code 1, "unacceptable protocol version" (MQTT 3.1.1 section 3.1.2.2: the server
// MUST answer an unsupported protocol level so), then closes. Real broker, real sockets.
import mqtt from 'mqtt';
import type { RealDatabase } from '@homeward/testing';
import { aPatientWithDevice, anEmbeddedGateway } from './gateway-device.fixture';
import { RawMqttConnection, remainingLength } from './raw-mqtt.client';

let db: RealDatabase;
let port: number;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, port, close } = await anEmbeddedGateway('broker-mqtt5'));
}, 60_000);
afterAll(async () => close?.());

/**
 * An MQTT 5 CONNECT (MQTT 5.0 section 3.1): protocol name "MQTT", level 5, flags username +
 * password + clean start, keep alive 60 s, properties length 0; payload client id, username,
 * password (no will, so no will properties).
 */
function mqtt5Connect(clientId: string, username: string, password: string): Buffer {
  const utf8 = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
  };
  const variableHeader = Buffer.concat([utf8('MQTT'), Buffer.from([0x05, 0b1100_0010, 0x00, 0x3c, 0x00])]);
  const body = Buffer.concat([variableHeader, utf8(clientId), utf8(username), utf8(password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

it('answers an MQTT 5 CONNECT with CONNACK return code 1 (unacceptable protocol version) and closes', async () => {
  const device = await aPatientWithDevice(db.storage);
  const raw = await RawMqttConnection.open(port);
  raw.write(mqtt5Connect(device.deviceId, device.deviceId, device.secret));
  await raw.closed;
  // Exactly one packet: a CONNACK (0x20, remaining length 2, no session present, return code 1).
  expect(raw.received).toEqual([{ type: 'connack', returnCode: 1 }]);
});

it('MQTT.js at protocol version 5 reads the refusal as "Unacceptable protocol version" (code 1), with valid credentials', async () => {
  const device = await aPatientWithDevice(db.storage);
  const error = await mqtt
    .connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: device.deviceId, username: device.deviceId, password: device.secret, protocolVersion: 5, reconnectPeriod: 0 })
    .then(
      (client) => {
        client.end(true);
        return undefined;
      },
      (e: unknown) => e as Error & { code?: number },
    );
  expect(error?.message).toBe('Connection refused: Unacceptable protocol version');
  expect(error?.code).toBe(1);
  // The same device at 3.1.1 is admitted: it is the protocol, not the credentials, that was refused.
  const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: device.deviceId, username: device.deviceId, password: device.secret, protocolVersion: 4, reconnectPeriod: 0 });
  expect(ok.connected).toBe(true);
  await ok.endAsync();
});
