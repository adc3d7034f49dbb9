// MQTT 3.1.1 packets built and read by hand over a plain socket, so a test controls exactly which
// bytes go out in one write and sees every byte the broker answers (MQTT.js hides both).
import { type Socket, connect } from 'node:net';

/** Remaining length (section 2.2.3): 7 bits per byte, least significant first, high bit = more. */
export function remainingLength(length: number): Buffer {
  const out: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    out.push(byte);
  } while (length > 0);
  return Buffer.from(out);
}

const utf8 = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};

const packet = (firstByte: number, body: Buffer) => Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);

export const mqttPackets = {
  /** CONNECT (3.1): protocol "MQTT" level 4, flags username+password+clean session, keep alive. */
  connect(clientId: string, username: string, password: string, keepAliveSeconds = 60): Buffer {
    const variableHeader = Buffer.concat([utf8('MQTT'), Buffer.from([0x04, 0b1100_0010, keepAliveSeconds >> 8, keepAliveSeconds & 0xff])]);
    return packet(0x10, Buffer.concat([variableHeader, utf8(clientId), utf8(username), utf8(password)]));
  },
  /** PUBLISH (3.3): 0x30 | dup << 3 | qos << 1; topic; packet id when QoS > 0; payload. */
  publish(options: { topic: string; payload: string | Buffer; qos: 0 | 1 | 2; id?: number; dup?: boolean }): Buffer {
    const id = options.qos > 0 ? Buffer.from([(options.id ?? 1) >> 8, (options.id ?? 1) & 0xff]) : Buffer.alloc(0);
    const first = 0x30 | (options.dup ? 0x08 : 0) | (options.qos << 1);
    return packet(first, Buffer.concat([utf8(options.topic), id, Buffer.from(options.payload)]));
  },
  /** SUBSCRIBE (3.8): 0x82, packet id, topic filter, requested QoS. */
  subscribe(id: number, topic: string, qos: 0 | 1): Buffer {
    return packet(0x82, Buffer.concat([Buffer.from([id >> 8, id & 0xff]), utf8(topic), Buffer.from([qos])]));
  },
  /** PUBACK (3.4) for a PUBLISH the broker sent us. */
  puback(id: number): Buffer {
    return Buffer.from([0x40, 0x02, id >> 8, id & 0xff]);
  },
  pingreq: Buffer.from([0xc0, 0x00]),
};

export type ReceivedPacket =
  | { readonly type: 'connack'; readonly returnCode: number }
  | { readonly type: 'puback'; readonly id: number }
  | { readonly type: 'suback'; readonly id: number; readonly granted: number }
  | { readonly type: 'pingresp' }
  | { readonly type: 'publish'; readonly topic: string; readonly payload: Buffer; readonly id: number | undefined }
  | { readonly type: 'other'; readonly firstByte: number };

/** A socket to the broker that records every packet it answers, and when it closed. */
export class RawMqttConnection {
  readonly received: ReceivedPacket[] = [];
  closedAt: number | undefined;
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    socket.on('error', () => undefined); // a reset is one way the broker ends it; `closed` tells
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedAt = Date.now();
        this.notify();
        resolve();
      }),
    );
  }

  /** A TCP connection to the broker, from `localAddress` (any of 127.0.0.0/8) when given. */
  static open(port: number, localAddress?: string): Promise<RawMqttConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) }, () => {
        socket.off('error', reject);
        resolve(new RawMqttConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the first packet (in arrival order) that matches, or rejects after `timeoutMs`. */
  async waitFor<P extends ReceivedPacket>(match: (p: ReceivedPacket) => p is P, timeoutMs = 10_000): Promise<P> {
    return this.until(() => this.received.find(match) as P | undefined, timeoutMs, 'packet');
  }

  async until<T>(check: () => T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what} not seen within ${timeoutMs} ms; received ${JSON.stringify(this.received.map((p) => p.type))}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private drain(): void {
    for (;;) {
      if (this.buffer.length < 2) break;
      let length = 0;
      let multiplier = 1;
      let offset = 1;
      let complete = false;
      while (offset < this.buffer.length && offset <= 4) {
        const byte = this.buffer[offset++] as number;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || this.buffer.length < offset + length) break;
      const first = this.buffer[0] as number;
      const body = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      this.received.push(parse(first, body));
    }
    this.notify();
  }
}

function parse(first: number, body: Buffer): ReceivedPacket {
  switch (first >> 4) {
    case 2:
      return { type: 'connack', returnCode: body[1] as number };
    case 3: {
      const qos = (first >> 1) & 0x03;
      const topicLength = body.readUInt16BE(0);
      const topic = body.subarray(2, 2 + topicLength).toString('utf8');
      const id = qos > 0 ? body.readUInt16BE(2 + topicLength) : undefined;
      return { type: 'publish', topic, id, payload: body.subarray(2 + topicLength + (qos > 0 ? 2 : 0)) };
    }
    case 4:
      return { type: 'puback', id: body.readUInt16BE(0) };
    case 9:
      return { type: 'suback', id: body.readUInt16BE(0), granted: body[2] as number };
    case 13:
      return { type: 'pingresp' };
    default:
      return { type: 'other', firstByte: first };
  }
}

export const is = {
  connack: (p: ReceivedPacket): p is Extract<ReceivedPacket, { type: 'connack' }> => p.type === 'connack',
  puback: (id: number) => (p: ReceivedPacket): p is Extract<ReceivedPacket, { type: 'puback' }> => p.type === 'puback' && p.id === id,
  suback: (p: ReceivedPacket): p is Extract<ReceivedPacket, { type: 'suback' }> => p.type === 'suback',
  pingresp: (p: ReceivedPacket): p is Extract<ReceivedPacket, { type: 'pingresp' }> => p.type === 'pingresp',
};

/** One CONNECT from a local address: the CONNACK return code, or 'closed' when the broker closed without one. */
export async function connackCode(port: number, from: string, deviceId: string, secret: string): Promise<number | 'closed'> {
  const raw = await RawMqttConnection.open(port, from);
  raw.write(mqttPackets.connect(deviceId, deviceId, secret));
  try {
    return (await raw.waitFor(is.connack, 30_000)).returnCode;
  } catch {
    return 'closed';
  } finally {
    raw.socket.destroy();
  }
}
