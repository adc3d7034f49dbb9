import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type Connection } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { type ReadingsAck, parseDeviceTopic, topics } from '@homeward/contracts';
import type { CodedError } from '@homeward/domain';
import type { SignInAdmission } from '@homeward/auth';
import { ConcurrencyLimit, ConcurrencyLimitFull, deviceSecretHashUpgrade, generateDeviceSecret, hashDeviceSecret, isSlowDeviceHash, verifyDeviceSecret } from '@homeward/auth';
import { MqttPacketSizeWatcher, PendingConnections, watchPacketSizes } from './connection-limits';
import type { DeviceDirectory } from './device-directory';
import type { DeviceMessageHandler } from './device-message.handler';
import { type RedisBackplane, connectRedisBackplane } from './redis-backplane';
import { DEFAULT_STORE_RETRY, type StoreRetryPolicy, retryWhileStoreDown } from './store-retry.policy';
import { topicFilterMatches } from './topic-filter';
import { VerifiedCredentialsCache } from './verified-credentials.cache';

export interface BrokerListeners {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly port: number; readonly certFile: string; readonly keyFile: string } | undefined;
  readonly wsPort?: number | undefined;
}

/** What one connection may cost before and after it authenticates, and how outages are ridden out. */
export interface BrokerLimits {
  /** Bytes a connection may send before it has authenticated (its CONNECT); more ends it at once. */
  readonly maxConnectBytes: number;
  /** Largest packet from an authenticated device; larger ends the connection before it is buffered. */
  readonly maxPacketBytes: number;
  /** A connection that has not sent its CONNECT within this is closed. */
  readonly connectTimeoutMs: number;
  /**
   * Connections the kernel may hold for each listener before the event loop accepts them (capped by
   * net.core.somaxconn). With Node's default, 511, a reconnect storm of thousands of hubs left
   * hundreds without a CONNACK (closed, or waiting out MQTT.js's 120 s timeout: the 2026-12-03
   * storm took 121 s, 460 failed); with this, 10,000 at once all connected in 10.5 s.
   */
  readonly listenBacklog: number;
  /** Connections from one address that have not authenticated yet; the next is closed on accept. */
  readonly maxPendingPerAddress: number;
  /** How long a verified device secret is remembered (0: not at all). */
  readonly credentialsCacheTtlMs: number;
  /** scrypt verifications at once, and queued behind them (beyond that: closed without CONNACK, the device retries). */
  readonly maxConcurrentSecretChecks: number;
  readonly maxQueuedSecretChecks: number;
  /** Messages of one connection being stored at once; aedes reads no further from it until they are answered. */
  readonly maxInFlightPerClient: number;
  /** While the store is unreachable, a message is retried on this schedule, its PUBACK withheld. */
  readonly storeRetry: StoreRetryPolicy;
}

export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  maxConnectBytes: 64 * 1024,
  maxPacketBytes: 1024 * 1024,
  connectTimeoutMs: 10_000,
  listenBacklog: 16_384,
  maxPendingPerAddress: 32,
  credentialsCacheTtlMs: 10 * 60_000,
  maxConcurrentSecretChecks: 2,
  maxQueuedSecretChecks: 2_000,
  maxInFlightPerClient: 16,
  storeRetry: DEFAULT_STORE_RETRY,
};

/** A publish the broker refused because of its topic, for the rejected-messages record. */
export interface TopicRefusal {
  readonly deviceId: string;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly error: CodedError;
  readonly receivedAt: Date;
}

export interface RunningBroker {
  readonly ports: { readonly mqtt: number; readonly mqtts?: number; readonly ws?: number };
  readonly connectedClients: () => number;
  /** Every listener (TCP, TLS, WebSocket) is accepting connections. */
  readonly listening: () => boolean;
  /** Forget a device's remembered secret (its credentials changed or it was removed). */
  forgetCredentials(deviceId: string): void;
  close(): Promise<void>;
}

// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3).
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** Where a refused publish goes instead of its topic: no device may subscribe outside its own topics, so nowhere. */
const REFUSED_TOPIC = '$homeward/refused';
/** Of a refused publish, this much is kept for inspection: the refusal is about its topic, not its bytes. */
const KEEP_REFUSED_BYTES = 64 * 1024;

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
 *   readings (or the record of their rejection) are committed. Every message gets an answer and
 *   the connection stays: a refused topic is recorded, acknowledged and not forwarded (failing
 *   the hook would close the connection and lose the PUBACKs of the messages read with it).
 *   While the store is unreachable the message is retried with backoff and its PUBACK withheld;
 *   only after `storeRetry.giveUpAfterMs` does the hook fail and the connection drop.
 * - Before authentication: a byte cap (the CONNECT), a connect timeout and a cap on pending
 *   connections per address; scrypt checks are capped and verified secrets remembered (keyed
 *   hash), so a reconnect storm neither pins the CPU nor, while the store is down, gets a
 *   refusing CONNACK: the socket is closed without one and the device retries.
 * - authorizeSubscribe: a device subscribes only under its own topics; `#`, `$SYS/#` and other
 *   devices' topics are refused.
 * aedes 1.2 speaks MQTT 3.1 and 3.1.1, not 5: reasons go back on the per-device acks topic.
 */
export async function startEmbeddedBroker(options: {
  listeners: BrokerListeners;
  handler: DeviceMessageHandler;
  directory: DeviceDirectory;
  /**
   * Sign-in budgets per device id and per address (libs/auth SignInThrottle, shared by every
   * gateway through PostgreSQL), taken before any secret is checked.
   */
  throttle: { admit(account: string, address: string): Promise<SignInAdmission> };
  log: (message: string) => void;
  /**
   * Stores `to` (the fast hash) in place of `from` (a legacy scrypt hash) once a login proved the
   * secret, unless the stored hash changed meanwhile (registry.replaceDeviceCredentialsHash).
   */
  replaceCredentialsHash?: (deviceId: string, from: string, to: string) => Promise<unknown>;
  /** Share sessions, subscriptions, retained messages and publications with other instances through this Redis. */
  redisUrl?: string | undefined;
  /** A device's client connected or disconnected (for structured logs: device id and client id only). */
  onConnection?: (event: { readonly type: 'connected' | 'disconnected'; readonly deviceId: string | undefined; readonly clientId: string }) => void;
  /** Keeps a publish refused for its topic (rejected_messages); throwing means the store is unreachable. */
  recordRefusal?: (refusal: TopicRefusal) => Promise<unknown>;
  limits?: Partial<BrokerLimits>;
  /** The broker's own timing: the credentials cache and the store retry's give-up. */
  now?: () => number;
  /**
   * The time stamped on what a device sends and on its contact (receipts, connections, pings,
   * refusals; default `now`). `homeward demo` stamps its replay's simulated time here, the time its
   * rules engine judges by, while the broker's own timing stays real.
   */
  stamp?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): Promise<RunningBroker> {
  const { handler, directory, throttle, log } = options;
  const limits: BrokerLimits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const stamp = options.stamp ?? now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const backplane: RedisBackplane | undefined = options.redisUrl === undefined ? undefined : await connectRedisBackplane(options.redisUrl, log);
  const deviceOf = new WeakMap<Client, string>();
  const credentials = new VerifiedCredentialsCache(limits.credentialsCacheTtlMs, now);
  // A device's credentials (or patient, or existence) changed: check its secret again next time.
  // "Anything may have changed" (undefined: the LISTEN connection was re-established, so a change
  // may have gone by unheard): no remembered secret admits a device while the store cannot confirm
  // its hash, or a secret rotated meanwhile would still get in during the next outage.
  const stopForgetting = directory.onChange((deviceId) => {
    if (deviceId !== undefined) credentials.invalidate(deviceId);
    else credentials.doubtAll();
  });
  // A legacy scrypt hash is 32 MiB and ~100 ms of a core per check: a storm of such logins queues
  // here, and beyond the queue is shed. Fast (SHA-256) hashes of generated secrets need no queue.
  const secretChecks = new ConcurrencyLimit(limits.maxConcurrentSecretChecks, limits.maxQueuedSecretChecks);
  /** Checked against for an unknown device id (see checkSecret): the same kind of hash new devices get. */
  const decoyHash = await hashDeviceSecret(generateDeviceSecret());
  const upgrades = new ConcurrencyLimit(1, 256);
  const verify = (secret: string, hash: string) => (isSlowDeviceHash(hash) ? secretChecks.run(() => verifyDeviceSecret(secret, hash)) : verifyDeviceSecret(secret, hash));
  const pending = new PendingConnections(limits.maxPendingPerAddress);
  /** Per connection: its peer address, and what to do once it has authenticated. */
  const connections = new WeakMap<object, { readonly address: string; readonly authenticated: () => void }>();
  const inFlight = new WeakMap<Client, ConcurrencyLimit>();
  const inFlightOf = (client: Client) => {
    let limiter = inFlight.get(client);
    // No queue limit needed: aedes reads no further from a connection until its batch is answered.
    if (!limiter) inFlight.set(client, (limiter = new ConcurrencyLimit(limits.maxInFlightPerClient, Number.POSITIVE_INFINITY)));
    return limiter;
  };
  const remoteAddress = (client: Client): string => connections.get(client.conn)?.address ?? 'unknown';
  /**
   * Devices that may be listening on their acks topic: an authorised subscription of any of their
   * clients (clean or persistent session) matched it at some point in this process's life. The
   * per-message ack is published only to those: a device that never subscribed has no one to
   * deliver it to, and publishing it anyway cost a JSON body, a buffer and aedes' publish path
   * per message. Never forgotten, so a persistent session's queued delivery is as before. With a
   * Redis backplane another instance's clients may be subscribed unseen: then every ack is published.
   */
  const ackListeners = new Set<string>();
  const mayHaveAckListener = (deviceId: string): boolean => backplane !== undefined || ackListeners.has(deviceId);

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
      if (!username || !password) {
        done(authError('anonymous clients are not accepted: use the device id and secret from `homeward device add`', NOT_AUTHORIZED), false);
        return;
      }
      if (client.id !== username && !client.id.startsWith(`${username}-`)) {
        done(authError('the client id must be the device id (or start with "<device id>-")', IDENTIFIER_REJECTED), false);
        return;
      }
      void (async () => {
        const secret = password.toString('utf8');
        // A reconnect with the secret this device proved within the cache's TTL (against the hash
        // the store still shows) is let in from memory: no sign-in-limit round trips, which were
        // what a reconnect storm queued on. Only the right secret can match, so every guess still
        // takes the counted path below.
        if (await rememberedLogin(username, secret)) {
          deviceOf.set(client, username);
          connections.get(client.conn)?.authenticated();
          done(null, true);
          return;
        }
        // Counted before the secret is checked, so a burst of guesses for one device id is counted
        // one by one. A store that cannot count must not lock devices out: without it, a device
        // verified recently still gets in from the cache (checkSecret), as during any outage.
        const admission = await throttle.admit(username, address).catch((error: unknown) => {
          log(`sign-in limits not checked for device ${username}: ${String(error)}`);
          return undefined;
        });
        if (admission && !admission.admitted) {
          done(authError(`too many failed logins (${admission.scope === 'account' ? 'for this device' : 'from this address'}); try again in ${admission.retryAfterSeconds} s`, NOT_AUTHORIZED), false);
          return;
        }
        const verdict = await checkSecret(username, secret);
        await admission?.settle(verdict !== 'invalid').catch((error: unknown) => log(`sign-in limits not updated for device ${username}: ${String(error)}`));
        if (verdict === 'valid') {
          deviceOf.set(client, username);
          connections.get(client.conn)?.authenticated();
          done(null, true);
        } else if (verdict === 'invalid') {
          done(authError('bad device id or secret', BAD_USERNAME_OR_PASSWORD), false);
        } else {
          // Not a refusal: a refusing CONNACK ("server unavailable") stops MQTT.js and most
          // firmware from retrying. Closing without one is a network failure to them, retried.
          log(`closed the connection of device ${username} without CONNACK: ${verdict.retryLater}`);
          client.close();
          done(authError('try again later', 3), false); // aedes ignores it: the client is already closed
        }
      })();
    },

    authorizePublish(client, packet, callback) {
      const deviceId = client ? deviceOf.get(client) : undefined;
      if (!client) return callback(null); // the broker's own publications (acks)
      if (!deviceId) return callback(new Error('publish before authentication')); // aedes does not let this happen
      const target = parseDeviceTopic(packet.topic);
      const receivedAt = new Date(stamp());
      const payload = packet.payload as Buffer;

      /** What to answer; throws only when the store is unreachable. */
      const attempt = async (): Promise<{ readonly refused: boolean; readonly ack?: { readonly to: string; readonly body: ReadingsAck } }> => {
        if (!target || target.kind === 'acks' || !(await mayPublishFor(deviceId, target.deviceId))) {
          const error: CodedError = {
            code: 'topic.not-allowed',
            message: `Device ${deviceId} may not publish to "${packet.topic}": publish to ${topics.readings(deviceId)} or ${topics.status(deviceId)}.`,
            details: { topic: packet.topic },
          };
          await options.recordRefusal?.({ deviceId, topic: packet.topic, payload: payload.subarray(0, KEEP_REFUSED_BYTES), error, receivedAt });
          return { refused: true, ack: { to: deviceId, body: { messageId: null, status: 'rejected', stored: 0, duplicates: 0, rejected: [{ index: null, ...error }] } } };
        }
        const handled = await handler.handle({ deviceId: target.deviceId, publisherId: deviceId, kind: target.kind, topic: packet.topic, payload: packet.payload as Buffer, receivedAt, dup: packet.dup === true });
        return { refused: false, ...(handled.ack ? { ack: { to: target.deviceId, body: handled.ack } } : {}) };
      };

      inFlightOf(client)
        .run(() =>
          retryWhileStoreDown(attempt, {
            policy: limits.storeRetry,
            now,
            sleep,
            stillWanted: () => !client.closed && !broker.closed,
            onRetry: (error, failures, delayMs) => {
              if (failures === 1 || failures % 10 === 0) log(`could not store a message from device ${deviceId} (${failures} tries): ${String(error)}; PUBACK withheld, retrying in ${delayMs} ms`);
            },
          }),
        )
        .then(
          (outcome) => {
            if (outcome.refused) {
              log(`refused a publish of device ${deviceId} to ${packet.topic}; acknowledged, not forwarded`);
              // Acknowledged so the device does not resend it forever, but delivered to no one.
              packet.topic = REFUSED_TOPIC;
              packet.retain = false;
            }
            callback(null);
            if (outcome.ack && mayHaveAckListener(outcome.ack.to)) {
              broker.publish(
                { cmd: 'publish', topic: topics.acks(outcome.ack.to), payload: Buffer.from(JSON.stringify(outcome.ack.body)), qos: 1, retain: false, dup: false },
                () => undefined,
              );
            }
          },
          (error: unknown) => {
            log(`could not store a message from device ${deviceId}: ${String(error)}; not acknowledged, closing its connection`);
            callback(error instanceof Error ? error : new Error(String(error)));
          },
        );
    },

    authorizeSubscribe(client, subscription, callback) {
      const deviceId = deviceOf.get(client);
      const own = deviceId ? `homeward/v1/devices/${deviceId}/` : undefined;
      if (!deviceId || !own || !subscription.topic.startsWith(own) || subscription.topic.slice(own.length).includes('+')) {
        // A SUBACK failure (0x80) for this topic; the connection and its other subscriptions stay.
        log(`refused subscription of device ${deviceId ?? '?'} to ${subscription.topic}`);
        callback(null, null);
        return;
      }
      if (topicFilterMatches(subscription.topic, topics.acks(deviceId))) ackListeners.add(deviceId);
      callback(null, subscription);
    },
    connectTimeout: limits.connectTimeoutMs,
  }).catch(async (error: unknown) => {
    stopForgetting();
    await backplane?.abandon(); // its Redis connections would keep the process alive
    throw error;
  });

  /** The right secret for this device, remembered and still current (the store's hash unchanged); never throws. */
  async function rememberedLogin(deviceId: string, secret: string): Promise<boolean> {
    if (!credentials.has(deviceId)) return false;
    try {
      const hash = (await directory.get(deviceId))?.credentialsHash;
      return !!hash && credentials.matches(deviceId, secret, hash);
    } catch {
      return false; // the counted path decides (and, the store being down, uses the cache there)
    }
  }

  /**
   * After a legacy scrypt hash verified: store the fast hash instead. Best effort, one write at a
   * time (a storm of upgrades must not hold the store's connections, least of all while it is
   * unreachable); one not written now is written at a later login.
   */
  function upgradeHash(deviceId: string, secret: string, hash: string): void {
    const replace = options.replaceCredentialsHash;
    if (!replace) return;
    void upgrades
      .run(async () => {
        const upgraded = await deviceSecretHashUpgrade(secret, hash);
        if (upgraded) await replace(deviceId, hash, upgraded);
      })
      .catch((error: unknown) => {
        if (!(error instanceof ConcurrencyLimitFull)) log(`could not upgrade the stored secret hash of device ${deviceId}: ${String(error)}`);
      });
  }

  /**
   * valid / invalid, or why the answer must wait (store unreachable with nothing remembered,
   * too many checks queued). A remembered secret skips scrypt; the store, when it answers, has
   * the last word on which hash is current.
   */
  async function checkSecret(deviceId: string, secret: string): Promise<'valid' | 'invalid' | { readonly retryLater: string }> {
    let device;
    try {
      device = await directory.get(deviceId);
    } catch (error) {
      if (credentials.matches(deviceId, secret)) return 'valid';
      return { retryLater: `the store is unreachable (${String(error)}) and its secret was not verified recently` };
    }
    const hash = device?.credentialsHash;
    if (!hash) {
      // An unknown device id costs the same work as a wrong secret for a device with a current
      // (fast) hash, so timing does not tell which device ids exist.
      return verify(secret, decoyHash).then(() => 'invalid' as const, () => 'invalid' as const);
    }
    if (credentials.matches(deviceId, secret, hash)) return 'valid';
    try {
      const valid = await verify(secret, hash);
      if (!valid) return 'invalid';
      credentials.remember(deviceId, secret, hash);
      if (isSlowDeviceHash(hash)) upgradeHash(deviceId, secret, hash);
      return 'valid';
    } catch (error) {
      return { retryLater: `secret check not possible now: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** Every listener hands its connections here: per-address cap, then the byte watcher, then aedes. */
  const accept = (peer: Duplex, address: string, request?: IncomingMessage) => {
    const release = pending.open(address);
    if (!release) {
      log(`closed a connection from ${address}: ${limits.maxPendingPerAddress} connections from it have not authenticated yet`);
      peer.destroy();
      return;
    }
    peer.once('close', release);
    let authenticated = false;
    const watcher = new MqttPacketSizeWatcher(() =>
      authenticated ? { maxPacket: limits.maxPacketBytes, maxTotal: Number.POSITIVE_INFINITY } : { maxPacket: limits.maxConnectBytes, maxTotal: limits.maxConnectBytes },
    );
    const conn = watchPacketSizes(peer, watcher);
    connections.set(conn, {
      address,
      authenticated: () => {
        authenticated = true;
        release();
      },
    });
    broker.handle(conn as Connection, request);
  };

  if (options.onConnection) {
    const report = options.onConnection;
    broker.on('client', (client) => report({ type: 'connected', deviceId: deviceOf.get(client), clientId: client.id }));
    broker.on('clientDisconnect', (client) => report({ type: 'disconnected', deviceId: deviceOf.get(client), clientId: client.id }));
  }
  // The heartbeat of "offline" (isDeviceOffline): connecting and each keepalive ping are contact.
  broker.on('client', (client) => {
    const deviceId = deviceOf.get(client);
    if (deviceId) handler.heardFrom(deviceId, new Date(stamp()));
  });
  broker.on('ping', (_packet, client) => {
    const deviceId = deviceOf.get(client);
    if (deviceId) handler.heardFrom(deviceId, new Date(stamp()));
  });
  broker.on('clientError', (client, error) => log(`mqtt client ${client.id} error: ${error.message}`));
  broker.on('connectionError', (_client, error) => log(`mqtt connection error: ${error.message}`));
  // Persistence failures (a Redis outage) surface here; without a listener they would end the process.
  (broker as unknown as EventEmitter).on('error', (error: Error) => log(`mqtt broker error: ${error.message}`));

  const servers: Array<NetServer | HttpServer> = [];
  const listen = (server: NetServer | HttpServer, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: options.listeners.host, backlog: limits.listenBacklog }, () => {
        server.off('error', reject);
        servers.push(server);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });

  try {
    // No Nagle delay: a PUBACK is a few bytes written right after a commit, and through the size
    // guard's stream pair it would otherwise wait for the device's delayed ACK (~40 ms a message:
    // the quick ingest bench fell from 4,300 to 930 readings/s).
    const mqttPort = await listen(
      createNetServer((socket: Socket) => {
        socket.setNoDelay(true);
        accept(socket, socket.remoteAddress ?? 'unknown');
      }),
      options.listeners.port,
    );
    let mqttsPort: number | undefined;
    if (options.listeners.tls) {
      const tlsServer = createTlsServer(
        { cert: readFileSync(options.listeners.tls.certFile), key: readFileSync(options.listeners.tls.keyFile) },
        (socket) => {
          socket.setNoDelay(true);
          accept(socket, socket.remoteAddress ?? 'unknown');
        },
      );
      mqttsPort = await listen(tlsServer, options.listeners.tls.port);
    }
    let wsPort: number | undefined;
    if (options.listeners.wsPort !== undefined) {
      const http = createHttpServer((_request, response) => response.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'));
      const wss = new WebSocketServer({ server: http });
      wss.on('connection', (socket, request) => accept(createWebSocketStream(socket), request.socket.remoteAddress ?? 'unknown', request));
      wsPort = await listen(http, options.listeners.wsPort);
    }
    return {
      ports: { mqtt: mqttPort, ...(mqttsPort === undefined ? {} : { mqtts: mqttsPort }), ...(wsPort === undefined ? {} : { ws: wsPort }) },
      connectedClients: () => broker.connectedClients,
      listening: () => !broker.closed && servers.every((server) => server.listening),
      forgetCredentials: (deviceId) => credentials.invalidate(deviceId),
      close: async () => {
        // The broker first: it disconnects every client, so the listeners can then close.
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
        await backplane?.close();
        stopForgetting();
      },
    };
  } catch (error) {
    stopForgetting();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await backplane?.close();
    throw error;
  }
}

