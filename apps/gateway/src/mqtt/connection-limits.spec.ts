import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { MqttPacketSizeWatcher, PendingConnections, watchPacketSizes } from './connection-limits';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('MqttPacketSizeWatcher', () => {
  const watcher = (maxPacket: number, maxTotal = Number.POSITIVE_INFINITY) => new MqttPacketSizeWatcher(() => ({ maxPacket, maxTotal }));

  it('follows packet boundaries across chunks, reading only the fixed headers', () => {
    const w = watcher(200);
    // PUBLISH QoS 1: 0x32 type+flags, remaining length 0x05, then 5 body bytes split over two chunks.
    expect(w.feed(bytes(0x32, 0x05, 0x00, 0x01))).toEqual({ ok: true });
    expect(w.feed(bytes(0x61, 0x00, 0x07))).toEqual({ ok: true });
    // PINGREQ: 0xc0, remaining length 0x00 (no body); then a PUBLISH whose 2-byte length
    // 0xc8 0x01 = 72 + 1×128 = 200 is exactly the limit.
    expect(w.feed(bytes(0xc0, 0x00, 0x30, 0xc8))).toEqual({ ok: true });
    expect(w.feed(bytes(0x01))).toEqual({ ok: true });
    expect(w.feed(new Uint8Array(200))).toEqual({ ok: true });
    // Next packet: 0xc9 0x01 = 201, one over the limit, refused on its header alone.
    expect(w.feed(bytes(0x30, 0xc9, 0x01))).toMatchObject({ ok: false, reason: 'a packet of 201 bytes is over the limit of 200' });
    // Once failed it stays failed.
    expect(w.feed(bytes(0xc0, 0x00)).ok).toBe(false);
  });

  it('refuses a CONNECT declaring 256 MB after its first five bytes', () => {
    // CONNECT 0x10, remaining length 0xff 0xff 0xff 0x7f = 268,435,455 (the MQTT maximum).
    expect(watcher(64 * 1024).feed(bytes(0x10, 0xff, 0xff, 0xff, 0x7f))).toMatchObject({ ok: false, reason: 'a packet of 268435455 bytes is over the limit of 65536' });
  });

  it('refuses a remaining length of more than four bytes as malformed', () => {
    expect(watcher(1e9).feed(bytes(0x10, 0x80, 0x80, 0x80, 0x80, 0x01))).toMatchObject({ ok: false, reason: 'malformed remaining length (more than 4 bytes)' });
  });

  it('caps the bytes sent before authentication, whatever their packets', () => {
    let authenticated = false;
    const w = new MqttPacketSizeWatcher(() => (authenticated ? { maxPacket: 1000, maxTotal: Number.POSITIVE_INFINITY } : { maxPacket: 100, maxTotal: 100 }));
    // Many small PINGREQs (0xc0 0x00) before CONNACK: 50 of them are 100 bytes, the 51st is over.
    expect(w.feed(new Uint8Array(100).map((_, i) => (i % 2 === 0 ? 0xc0 : 0x00)))).toEqual({ ok: true });
    authenticated = true;
    expect(w.feed(new Uint8Array(4000).map((_, i) => (i % 2 === 0 ? 0xc0 : 0x00)))).toEqual({ ok: true });
    const early = new MqttPacketSizeWatcher(() => ({ maxPacket: 100, maxTotal: 100 }));
    expect(early.feed(new Uint8Array(102).map((_, i) => (i % 2 === 0 ? 0xc0 : 0x00)))).toMatchObject({ ok: false, reason: '102 bytes before authentication; the limit is 100' });
  });
});

describe('PendingConnections', () => {
  it('counts per address up to the cap, and a release (once) frees a slot', () => {
    const pending = new PendingConnections(2);
    const a1 = pending.open('10.0.0.1');
    const a2 = pending.open('10.0.0.1');
    expect(pending.open('10.0.0.1')).toBeUndefined();
    expect(pending.open('10.0.0.2')).toBeDefined();
    a1?.();
    a1?.(); // idempotent: a connection that authenticated and then closed releases once
    expect(pending.count('10.0.0.1')).toBe(1);
    expect(pending.open('10.0.0.1')).toBeDefined();
    expect(pending.open('10.0.0.1')).toBeUndefined();
    a2?.();
    expect(pending.count('10.0.0.1')).toBe(1);
  });
});

describe('watchPacketSizes', () => {
  /** The far side of a real loopback socket pair: what the device would read, segment by segment. */
  async function socketPair(): Promise<{ gateway: Socket; device: Socket; close: () => Promise<void> }> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const device = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => device.once('connect', () => resolve()));
    const gateway = await accepted;
    return {
      gateway,
      device,
      close: async () => {
        gateway.destroy();
        device.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  it('hands the peer a packet that mqtt-packet writes in pieces as one write', async () => {
    const pair = await socketPair();
    try {
      const writes: Buffer[] = [];
      const write = pair.gateway.write.bind(pair.gateway);
      pair.gateway.write = ((chunk: Buffer, ...rest: never[]) => {
        writes.push(Buffer.from(chunk));
        return write(chunk, ...rest);
      }) as typeof pair.gateway.write;
      const watched = watchPacketSizes(pair.gateway, new MqttPacketSizeWatcher(() => ({ maxPacket: 1024, maxTotal: Number.POSITIVE_INFINITY })));
      const received = new Promise<Buffer>((resolve) => pair.device.once('data', resolve));
      mqttPacket.writeToStream({ cmd: 'puback', messageId: 4660 }, watched);
      expect(await received).toEqual(Buffer.from([0x40, 0x02, 0x12, 0x34]));
      expect(writes).toEqual([Buffer.from([0x40, 0x02, 0x12, 0x34])]);
    } finally {
      await pair.close();
    }
  });

  it('passes the peer bytes through the watcher, and a refused packet destroys both streams', async () => {
    const pair = await socketPair();
    try {
      const watched = watchPacketSizes(pair.gateway, new MqttPacketSizeWatcher(() => ({ maxPacket: 16, maxTotal: Number.POSITIVE_INFINITY })));
      const read: Buffer[] = [];
      watched.on('data', (chunk: Buffer) => read.push(chunk));
      const failed = new Promise<Error>((resolve) => watched.once('error', resolve));
      pair.device.write(Buffer.from([0xc0, 0x00])); // PINGREQ: passes
      await new Promise<void>((resolve) => {
        const wait = () => (read.length > 0 ? resolve() : setImmediate(wait));
        wait();
      });
      expect(Buffer.concat(read)).toEqual(Buffer.from([0xc0, 0x00]));
      pair.device.write(Buffer.from([0x30, 0x7f])); // PUBLISH declaring 127 bytes: over 16
      expect((await failed).message).toBe('connection ended: a packet of 127 bytes is over the limit of 16');
      await new Promise<void>((resolve) => (pair.gateway.destroyed ? resolve() : pair.gateway.once('close', () => resolve())));
      expect(pair.gateway.destroyed).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it('ends what aedes reads when the device ends its side', async () => {
    const pair = await socketPair();
    try {
      const watched = watchPacketSizes(pair.gateway, new MqttPacketSizeWatcher(() => ({ maxPacket: 16, maxTotal: Number.POSITIVE_INFINITY })));
      watched.resume();
      const ended = new Promise<void>((resolve) => watched.once('end', resolve));
      pair.device.end();
      await ended;
    } finally {
      await pair.close();
    }
  });
});
