import type { AddressInfo } from 'node:net';
import * as smpp from 'smpp';

export interface SubmittedText {
  readonly to: string;
  readonly from: string;
  readonly text: string;
  readonly messageId: string;
  readonly registeredDelivery: number;
}

/**
 * The operator's SMS centre, played by the smpp package's own server side on a free 127.0.0.1
 * port: it checks the bind's credentials, accepts submit_sm (ids m1, m2, …), sends patients'
 * texts as deliver_sm and delivery receipts on demand, and can drop every link.
 */
export class SmscSimulator {
  readonly submitted: SubmittedText[] = [];
  binds = 0;
  refusedBinds = 0;
  /** Every bind refused while set (an SMSC in maintenance). */
  refuseBinds = false;
  /** submit_sm answered with this status instead of ESME_ROK while set. */
  refuseSubmitsWith: number | undefined;
  private readonly server: smpp.Server;
  private readonly bound = new Set<smpp.Session>();
  private nextId = 0;

  private constructor(private readonly credentials: { systemId: string; password: string }) {
    this.server = smpp.createServer({}, (session) => this.serve(session));
  }

  static async start(credentials: { systemId: string; password: string }): Promise<SmscSimulator> {
    const smsc = new SmscSimulator(credentials);
    await new Promise<void>((resolve) => smsc.server.listen(0, '127.0.0.1', () => resolve()));
    return smsc;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get linksBound(): number {
    return this.bound.size;
  }

  /** A handset's text to the ward's number; resolves with the gateway's deliver_sm_resp status. */
  deliver(from: string, text: string, options: { ton?: number; to?: string } = {}): Promise<number> {
    return this.sendDeliver({ source_addr_ton: options.ton ?? 1, source_addr_npi: 1, source_addr: from, destination_addr: options.to ?? '447700900999', short_message: text });
  }

  /** The SMSC's delivery receipt (SMPP 3.4 Appendix B) for a text it accepted. */
  receipt(messageId: string, stat: 'DELIVRD' | 'UNDELIV' | 'EXPIRED', to = '447700900999'): Promise<number> {
    const states = { DELIVRD: 2, UNDELIV: 5, EXPIRED: 3 };
    return this.sendDeliver({
      source_addr: to,
      esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
      receipted_message_id: messageId,
      message_state: states[stat],
      short_message: `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2612030930 done date:2612030931 stat:${stat} err:000 text:`,
    });
  }

  /** Cuts every link, as a network fault would. */
  dropAll(): void {
    for (const session of this.server.sessions) session.destroy();
    this.bound.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sendDeliver(fields: Record<string, unknown>): Promise<number> {
    const [session] = this.bound;
    if (!session) return Promise.reject(new Error('no gateway is bound'));
    return new Promise((resolve) => session.deliver_sm(fields, (pdu) => resolve(pdu.command_status)));
  }

  private serve(session: smpp.Session): void {
    session.on('error', () => undefined);
    session.on('close', () => this.bound.delete(session));
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      if (this.refuseBinds || pdu['system_id'] !== this.credentials.systemId || pdu['password'] !== this.credentials.password) {
        this.refusedBinds++;
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        return;
      }
      this.binds++;
      this.bound.add(session);
      session.send(pdu.response({ system_id: 'SMSC-SIM' }));
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      if (this.refuseSubmitsWith !== undefined) {
        session.send(pdu.response({ command_status: this.refuseSubmitsWith }));
        return;
      }
      const messageId = `m${++this.nextId}`;
      const payload = (pdu['message_payload'] ?? pdu['short_message']) as { message: string | Buffer } | undefined;
      this.submitted.push({
        to: String(pdu['destination_addr']),
        from: String(pdu['source_addr']),
        text: String(payload?.message ?? ''),
        messageId,
        registeredDelivery: Number(pdu['registered_delivery'] ?? 0),
      });
      session.send(pdu.response({ message_id: messageId }));
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
  }
}

/** Polls until `check` returns a value (the link and the store are asynchronous); no timing is asserted. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
