import type { ConnectionOptions } from 'node:tls';
import * as smpp from 'smpp';
import type { SmsConfig } from '@homeward/config';
import { backoffDelay } from '../ble/backoff';

/** A deliver_sm as the link hands it on: the SMSC waits for our answer (its command_status). */
export type DeliverHandler = (pdu: smpp.PDU) => Promise<number>;

export type SmppLinkEvent =
  | { readonly type: 'bound' }
  | { readonly type: 'down'; readonly reason: string; readonly retryInMs: number }
  | { readonly type: 'bind-refused'; readonly status: number };

export interface SmppLinkOptions {
  readonly smpp: SmsConfig['smpp'];
  readonly onDeliver: DeliverHandler;
  readonly onEvent?: (event: SmppLinkEvent) => void;
  /** Extra TLS options (a private CA in tests, a client certificate some operators ask for). */
  readonly tlsOptions?: ConnectionOptions;
  /** How long a submit_sm waits for its response before it is taken as failed. */
  readonly responseTimeoutMs?: number;
  readonly random?: () => number;
}

/** Thrown by submit while the link is not bound: the text waits in the outbox for the next bind. */
export class SmppLinkDown extends Error {
  constructor() {
    super('the SMPP link is not bound');
  }
}

/** The SMSC refused a submit_sm (SMPP 3.4 §5.1.3 command_status). */
export class SmppRefused extends Error {
  constructor(readonly status: number) {
    super(`the SMSC refused the message (command_status 0x${status.toString(16).padStart(8, '0')})`);
  }
}

/**
 * One SMPP 3.4 transceiver session to the operator's SMSC (bind_transceiver, §4.1.5): texts go
 * out as submit_sm, patients' texts and delivery receipts come in as deliver_sm. The link keeps
 * itself up: enquire_link while idle, and after a drop or a refused bind it reconnects with
 * bounded exponential backoff (the same policy as the BLE sessions). A deliver_sm is answered
 * only when the handler has finished (the reading committed), like an MQTT PUBACK; a handler
 * failure answers ESME_RX_T_APPN, so the SMSC delivers it again later.
 */
export class SmppLink {
  private session: smpp.Session | undefined;
  private bound = false;
  private closing = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: SmppLinkOptions) {}

  start(): void {
    this.closing = false;
    this.connect();
  }

  isBound(): boolean {
    return this.bound;
  }

  /** Resolves at the next successful bind (at once when bound). */
  whenBound(): Promise<void> {
    if (this.bound) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** submit_sm (§4.4.1); resolves with the SMSC's message id, the key its delivery receipt will carry. */
  submit(fields: Record<string, unknown>): Promise<string> {
    const session = this.session;
    if (!session || !this.bound) return Promise.reject(new SmppLinkDown());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SmppLinkDown()), this.options.responseTimeoutMs ?? 30_000);
      const sent = session.submit_sm(fields, (pdu) => {
        clearTimeout(timer);
        if (pdu.command_status === smpp.ESME_ROK) resolve(String(pdu['message_id'] ?? ''));
        else reject(new SmppRefused(pdu.command_status));
      });
      if (!sent) {
        clearTimeout(timer);
        reject(new SmppLinkDown());
      }
    });
  }

  /** Unbinds politely (§4.2) and stops reconnecting. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.retry) clearTimeout(this.retry);
    const session = this.session;
    this.session = undefined;
    this.bound = false;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => session.destroy(() => resolve()), 2_000);
      const unbound = session.unbind({}, () => {
        clearTimeout(done);
        session.close(() => resolve());
      });
      if (!unbound) {
        clearTimeout(done);
        session.destroy(() => resolve());
      }
    });
  }

  private connect(): void {
    const { smpp: config } = this.options;
    const session = smpp.connect({
      host: config.host,
      port: config.port,
      tls: config.tls,
      auto_enquire_link_period: config.enquireLinkMs,
      ...(config.tls ? { servername: config.host, ...this.options.tlsOptions } : {}),
    });
    this.session = session;
    let ended = false;
    const down = (reason: string) => {
      if (ended) return;
      ended = true;
      this.bound = false;
      if (this.session === session) this.session = undefined;
      session.destroy();
      if (this.closing) return;
      this.failures++;
      const retryInMs = backoffDelay(this.failures, config.reconnect, this.options.random);
      this.options.onEvent?.({ type: 'down', reason, retryInMs });
      this.retry = setTimeout(() => this.connect(), retryInMs);
    };
    session.on('error', (error: Error) => down(error.message));
    session.on('close', () => down('connection closed'));
    session.on(config.tls ? 'secureConnect' : 'connect', () => {
      session.bind_transceiver({ system_id: config.systemId, password: config.password, system_type: config.systemType, interface_version: 0x34 }, (pdu) => {
        if (pdu.command_status !== smpp.ESME_ROK) {
          this.options.onEvent?.({ type: 'bind-refused', status: pdu.command_status });
          down(`bind refused (command_status ${pdu.command_status})`);
          return;
        }
        this.bound = true;
        this.failures = 0;
        this.options.onEvent?.({ type: 'bound' });
        for (const wake of this.waiters) wake();
        this.waiters.clear();
      });
    });
    session.on('deliver_sm', (pdu: smpp.PDU) => {
      this.options.onDeliver(pdu).then(
        (status) => session.send(pdu.response({ command_status: status })),
        () => session.send(pdu.response({ command_status: smpp.ESME_RX_T_APPN })),
      );
    });
    // The SMSC's own keep-alive and its unbind (§4.11, §4.2): answered, so it keeps the link.
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      down('the SMSC unbound');
    });
  }
}
