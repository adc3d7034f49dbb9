// smpp (npm, SMPP 3.4) ships no types: the part of its interface the SMS source and its tests use.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';
  import type { ConnectionOptions } from 'node:tls';

  /** A decoded short_message / message_payload (the library's message filter). */
  interface DecodedMessage {
    readonly message: string | Buffer;
    readonly udh?: unknown;
  }

  class PDU {
    constructor(command: string, options?: Record<string, unknown>);
    readonly command: string;
    readonly command_status: number;
    readonly sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
  }

  type ResponseCallback = (pdu: PDU) => void;

  class Session extends EventEmitter {
    readonly socket: import('node:net').Socket;
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
    bind_transceiver(options: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    submit_sm(options: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    deliver_sm(options: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    enquire_link(options?: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    unbind(options?: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    on(event: 'pdu' | string, listener: (pdu: PDU) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close' | 'connect' | 'secureConnect', listener: () => void): this;
  }

  interface Server extends NetServer {
    readonly sessions: Session[];
  }

  interface SessionOptions extends Partial<ConnectionOptions> {
    host: string;
    port: number;
    tls?: boolean;
    auto_enquire_link_period?: number;
  }

  function connect(options: SessionOptions, listener?: () => void): Session;
  function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;

  const ESME_ROK: number;
  const ESME_RBINDFAIL: number;
  const ESME_RX_T_APPN: number;
  const ESME_RTHROTTLED: number;
  const ESME_RSYSERR: number;
  const ESM_CLASS: { readonly MC_DELIVERY_RECEIPT: number; readonly [name: string]: number };
  const REGISTERED_DELIVERY: { readonly FINAL: number; readonly [name: string]: number };
  const MESSAGE_STATE: Readonly<Record<string, number>>;
}
