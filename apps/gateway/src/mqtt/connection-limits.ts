import { Duplex, Transform } from 'node:stream';

/**
 * Limits a connection meets before aedes sees its bytes. aedes 1.2 (through mqtt-packet) buffers a
 * packet until its declared length has arrived, up to the protocol's 256 MB, and has no maximum
 * packet size option; an unauthenticated peer could make it hold that much. So the bytes pass a
 * watcher that reads only each packet's fixed header (MQTT 3.1.1 section 2.2: one type byte, then
 * the remaining length in 1–4 bytes) and ends the connection as soon as a declared length is over
 * the packet limit, without ever holding the body. Before the device has authenticated, the
 * bytes it may send at all are capped (the CONNECT limit): a well-behaved client sends nothing
 * but its CONNECT until the CONNACK, so an unauthenticated connection holds at most that much.
 */
export interface PacketSizeVerdict {
  readonly ok: boolean;
  /** Why the connection is ended (for the log); absent when ok. */
  readonly reason?: string;
}

export class MqttPacketSizeWatcher {
  private state: 'type' | 'length' | 'body' = 'type';
  private declared = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;
  private failed: PacketSizeVerdict | undefined;
  private total = 0;

  /**
   * `limits()` is asked as bytes arrive: the largest remaining length of one packet, and the most
   * bytes the connection may have sent so far (Infinity once authenticated).
   */
  constructor(private readonly limits: () => { readonly maxPacket: number; readonly maxTotal: number }) {}

  feed(chunk: Uint8Array): PacketSizeVerdict {
    if (this.failed) return this.failed;
    this.total += chunk.length;
    const { maxTotal } = this.limits();
    if (this.total > maxTotal) return (this.failed = { ok: false, reason: `${this.total} bytes before authentication; the limit is ${maxTotal}` });
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        if (this.remaining === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.state === 'type') {
        this.state = 'length';
        this.declared = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // Remaining length: 7 bits per byte, least significant first, high bit = more follows.
      this.declared += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return (this.failed = { ok: false, reason: 'malformed remaining length (more than 4 bytes)' });
        continue;
      }
      const limit = this.limits().maxPacket;
      if (this.declared > limit) return (this.failed = { ok: false, reason: `a packet of ${this.declared} bytes is over the limit of ${limit}` });
      this.remaining = this.declared;
      this.state = this.remaining === 0 ? 'type' : 'body';
    }
    return { ok: true };
  }
}

/**
 * The stream aedes reads: the peer's bytes through the watcher, writes straight to the peer.
 * Destroying it destroys the peer's stream.
 */
export function watchPacketSizes(peer: Duplex, watcher: MqttPacketSizeWatcher): Duplex {
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const verdict = watcher.feed(chunk);
      if (!verdict.ok) callback(new Error(`connection ended: ${verdict.reason}`));
      else callback(null, chunk);
    },
  });
  peer.pipe(checked);
  // Duplex.from ties neither side's end to the other's: a peer that resets does not end the pipe,
  // and a watcher that refuses (or aedes destroying the pair) would leave the socket open.
  peer.once('close', () => checked.destroy());
  const pair = Duplex.from({ readable: checked, writable: peer });
  pair.once('close', () => peer.destroy());
  return pair;
}

/**
 * At most `maxPerAddress` connections per remote address that have not authenticated yet: one
 * address cannot hold thousands of half-open MQTT sessions (each a socket, a parser and a connect
 * timer). An authenticated connection no longer counts.
 */
export class PendingConnections {
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /** Counts a new connection; undefined when the address is at its limit. The release function is idempotent. */
  open(address: string): (() => void) | undefined {
    const current = this.byAddress.get(address) ?? 0;
    if (current >= this.maxPerAddress) return undefined;
    this.byAddress.set(address, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
    };
  }

  count(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }
}
