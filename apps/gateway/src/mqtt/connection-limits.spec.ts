import { MqttPacketSizeWatcher, PendingConnections } from './connection-limits';

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
