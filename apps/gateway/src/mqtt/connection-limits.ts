import { Duplex } from 'node:stream';

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

const PASSED: PacketSizeVerdict = { ok: true };

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
    return PASSED;
  }
}

/**
 * The stream aedes reads: the peer's bytes through the watcher, its writes straight to the peer.
 * mqtt-packet corks the stream and writes a packet in pieces (a PUBACK is three writes: type,
 * length, packet id); they reach the peer as one write, so a PUBACK costs the gateway one system
 * call and the device one segment, not three. Destroying it destroys the peer's stream; the
 * peer's end ends what aedes reads, and its close or error destroys it.
 */
class WatchedConnection extends Duplex {
  constructor(
    private readonly peer: Duplex,
    watcher: MqttPacketSizeWatcher,
  ) {
    super({ allowHalfOpen: true });
    peer.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      const verdict = watcher.feed(chunk);
      if (!verdict.ok) this.destroy(new Error(`connection ended: ${verdict.reason}`));
      else if (!this.push(chunk)) peer.pause();
    });
    peer.once('end', () => this.push(null));
    peer.on('error', (error) => this.destroy(error));
    peer.once('close', () => this.destroy());
  }

  override _read(): void {
    this.peer.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.toPeer(chunk, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.toPeer(chunks.length === 1 ? (chunks[0] as { chunk: Buffer }).chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.peer.destroy();
    callback(error);
  }

  private toPeer(data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.peer.write(data)) callback();
    else this.peer.once('drain', () => callback());
  }
}

export function watchPacketSizes(peer: Duplex, watcher: MqttPacketSizeWatcher): Duplex {
  return new WatchedConnection(peer, watcher);
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
