import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { parseDeviceTopic, topics } from '@homeward/contracts';
import type { LoginRateLimiter } from '@homeward/auth';
import { verifyDeviceSecret } from '@homeward/auth';
import type { DeviceDirectory } from './device-directory';
import type { DeviceMessageHandler } from './device-message.handler';
import { type RedisBackplane, connectRedisBackplane } from './redis-backplane';

export interface BrokerListeners {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly port: number; readonly certFile: string; readonly keyFile: string } | undefined;
  readonly wsPort?: number | undefined;
}

export interface RunningBroker {
  readonly ports: { readonly mqtt: number; readonly mqtts?: number; readonly ws?: number };
  readonly connectedClients: () => number;
  /** Every listener (TCP, TLS, WebSocket) is accepting connections. */
  readonly listening: () => boolean;
  close(): Promise<void>;
}

// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3).
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * Homeward's own broker (aedes). Policy is in aedes' hooks:
 * - authenticate: username = device id, password = its secret (scrypt-verified); the client id
 *   must be the device id or start with "<device id>-"; anonymous clients are refused; failed
 *   logins are rate-limited per address.
 * - authorizePublish: a device publishes only to its own readings and status topics (a home hub
 *   also to those of its own patient's devices). A readings
 *   message is ingested *inside* this hook, so aedes sends the QoS 1 PUBACK only after the
 *   readings (or the record of their rejection) are committed; if the store is unreachable the
 *   hook fails, aedes drops the connection without PUBACK, and the device sends again later.
 * - authorizeSubscribe: a device subscribes only under its own topics; `#`, `$SYS/#` and other
 *   devices' topics are refused.
 * aedes 1.2 speaks MQTT 3.1 and 3.1.1, not 5: reasons go back on the per-device acks topic.
 */
export async function startEmbeddedBroker(options: {
  listeners: BrokerListeners;
  handler: DeviceMessageHandler;
  directory: DeviceDirectory;
  rateLimiter: LoginRateLimiter;
  log: (message: string) => void;
  /** Share sessions, subscriptions, retained messages and publications with other instances through this Redis. */
  redisUrl?: string | undefined;
  /** A device's client connected or disconnected (for structured logs: device id and client id only). */
  onConnection?: (event: { readonly type: 'connected' | 'disconnected'; readonly deviceId: string | undefined; readonly clientId: string }) => void;
}): Promise<RunningBroker> {
  const { handler, directory, rateLimiter, log } = options;
  const backplane: RedisBackplane | undefined = options.redisUrl === undefined ? undefined : await connectRedisBackplane(options.redisUrl, log);
  const deviceOf = new WeakMap<Client, string>();

  /**
   * A device publishes for itself; a home hub also for the devices of its own patient (hub mode:
   * it forwards their readings under their own ids, so duplicates and device status stay theirs).
   */
  const mayPublishFor = async (publisher: string, subject: string): Promise<boolean> => {
    if (publisher === subject) return true;
    const [hub, device] = await Promise.all([directory.get(publisher), directory.get(subject)]);
    return hub?.type === 'hub' && hub.patientId !== null && device !== undefined && device.patientId === hub.patientId;
  };

  const broker = await Aedes.createBroker({
    ...(backplane ? { persistence: backplane.persistence, mq: backplane.mq } : {}),
    authenticate(client, username, password, done) {
      const address = remoteAddress(client);
      if (rateLimiter.isBlocked(address)) {
        done(authError('too many failed logins from this address; wait a minute', NOT_AUTHORIZED), false);
        return;
      }
      if (!username || !password) {
        rateLimiter.recordFailure(address);
        done(authError('anonymous clients are not accepted: use the device id and secret from `homeward device add`', NOT_AUTHORIZED), false);
        return;
      }
      if (client.id !== username && !client.id.startsWith(`${username}-`)) {
        done(authError('the client id must be the device id (or start with "<device id>-")', IDENTIFIER_REJECTED), false);
        return;
      }
      directory
        .get(username)
        .then(async (device) => (device?.credentialsHash ? verifyDeviceSecret(password.toString('utf8'), device.credentialsHash) : false))
        .then(
          (valid) => {
            if (!valid) {
              rateLimiter.recordFailure(address);
              done(authError('bad device id or secret', BAD_USERNAME_OR_PASSWORD), false);
              return;
            }
            deviceOf.set(client, username);
            done(null, true);
          },
          (error: unknown) => {
            log(`authentication could not reach the store: ${String(error)}`);
            done(authError('server unavailable', 3), false);
          },
        );
    },

    authorizePublish(client, packet, callback) {
      const deviceId = client ? deviceOf.get(client) : undefined;
      if (!client) return callback(null); // the broker's own publications (acks)
      const target = parseDeviceTopic(packet.topic);
      const refuse = () => callback(new Error(`device ${deviceId ?? '?'} may not publish to ${packet.topic}`));
      if (!deviceId || !target || target.kind === 'acks') return refuse();
      const receivedAt = new Date();
      mayPublishFor(deviceId, target.deviceId)
        .then((allowed) => {
          if (!allowed) throw Object.assign(new Error('refused'), { refused: true });
          return handler.handle({ deviceId: target.deviceId, kind: target.kind, topic: packet.topic, payload: packet.payload as Buffer, receivedAt });
        })
        .then((handled) => {
          callback(null);
          if (handled.ack) {
            broker.publish(
              { cmd: 'publish', topic: topics.acks(target.deviceId), payload: Buffer.from(JSON.stringify(handled.ack)), qos: 1, retain: false, dup: false },
              () => undefined,
            );
          }
        })
        .catch((error: unknown) => {
          if ((error as { refused?: boolean }).refused) return refuse();
          log(`could not store a message from device ${deviceId}: ${String(error)}; not acknowledged`);
          callback(error instanceof Error ? error : new Error(String(error)));
        });
    },

    authorizeSubscribe(client, subscription, callback) {
      const deviceId = deviceOf.get(client);
      const own = deviceId ? `homeward/v1/devices/${deviceId}/` : undefined;
      if (!own || !subscription.topic.startsWith(own) || subscription.topic.slice(own.length).includes('+')) {
        // A SUBACK failure (0x80) for this topic; the connection and its other subscriptions stay.
        log(`refused subscription of device ${deviceId ?? '?'} to ${subscription.topic}`);
        callback(null, null);
        return;
      }
      callback(null, subscription);
    },
  }).catch(async (error: unknown) => {
    await backplane?.abandon(); // its Redis connections would keep the process alive
    throw error;
  });

  if (options.onConnection) {
    const report = options.onConnection;
    broker.on('client', (client) => report({ type: 'connected', deviceId: deviceOf.get(client), clientId: client.id }));
    broker.on('clientDisconnect', (client) => report({ type: 'disconnected', deviceId: deviceOf.get(client), clientId: client.id }));
  }
  broker.on('clientError', (client, error) => log(`mqtt client ${client.id} error: ${error.message}`));
  broker.on('connectionError', (_client, error) => log(`mqtt connection error: ${error.message}`));
  // Persistence failures (a Redis outage) surface here; without a listener they would end the process.
  (broker as unknown as EventEmitter).on('error', (error: Error) => log(`mqtt broker error: ${error.message}`));

  const servers: Array<NetServer | HttpServer> = [];
  const listen = (server: NetServer | HttpServer, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.listeners.host, () => {
        server.off('error', reject);
        servers.push(server);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });

  try {
    const mqttPort = await listen(createNetServer((socket: Socket) => broker.handle(socket)), options.listeners.port);
    let mqttsPort: number | undefined;
    if (options.listeners.tls) {
      const tlsServer = createTlsServer(
        { cert: readFileSync(options.listeners.tls.certFile), key: readFileSync(options.listeners.tls.keyFile) },
        (socket) => broker.handle(socket),
      );
      mqttsPort = await listen(tlsServer, options.listeners.tls.port);
    }
    let wsPort: number | undefined;
    if (options.listeners.wsPort !== undefined) {
      const http = createHttpServer((_request, response) => response.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'));
      const wss = new WebSocketServer({ server: http });
      wss.on('connection', (socket, request) => broker.handle(createWebSocketStream(socket), request));
      wsPort = await listen(http, options.listeners.wsPort);
    }
    return {
      ports: { mqtt: mqttPort, ...(mqttsPort === undefined ? {} : { mqtts: mqttsPort }), ...(wsPort === undefined ? {} : { ws: wsPort }) },
      connectedClients: () => broker.connectedClients,
      listening: () => !broker.closed && servers.every((server) => server.listening),
      close: async () => {
        // The broker first: it disconnects every client, so the listeners can then close.
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
        await backplane?.close();
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await backplane?.close();
    throw error;
  }
}

/** The peer address: the socket's for TCP/TLS, the HTTP upgrade request's for WebSocket. */
function remoteAddress(client: Client): string {
  const { conn, req } = client as unknown as { conn?: { remoteAddress?: string }; req?: { socket?: { remoteAddress?: string } } };
  return conn?.remoteAddress ?? req?.socket?.remoteAddress ?? 'unknown';
}
