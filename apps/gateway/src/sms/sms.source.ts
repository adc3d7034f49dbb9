import type { ConnectionOptions } from 'node:tls';
import type * as smpp from 'smpp';
import type { SmsConfig } from '@homeward/config';
import { type IngestPipeline, PatientAdvisor } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { readDeliveryReceipt } from './delivery-receipt';
import { e164FromSmsc } from './phone-number';
import { SendRateLimiter } from './send-rate.limiter';
import { SmsInboundHandler } from './sms-inbound.handler';
import { SmsOutbox } from './sms-outbox';
import { SmsReminderScheduler } from './sms-reminder.scheduler';
import { SmppLink, type SmppLinkEvent } from './smpp-link';

export interface SmsSource {
  readonly link: SmppLink;
  readonly outbox: SmsOutbox;
  readonly inbound: SmsInboundHandler;
  readonly reminders: SmsReminderScheduler;
  close(): Promise<void>;
}

const ESME_ROK = 0;
/** esm_class bits 2–5 (SMPP 3.4 §5.2.12): 0001 = SMSC delivery receipt. */
const MESSAGE_TYPE_MASK = 0x3c;
const DELIVERY_RECEIPT = 0x04;

/**
 * The SMS source: a transceiver link to the operator's SMSC, patients' and carers' texts through
 * the inbound handler, delivery receipts onto the texts they are about, and the outbox that
 * sends replies (and reminders) at the operator's rate.
 */
export async function startSmsSource(options: {
  config: SmsConfig;
  storage: Storage;
  pipeline: IngestPipeline;
  log: (message: string) => void;
  now?: () => Date;
  tlsOptions?: ConnectionOptions;
  onEvent?: (event: SmppLinkEvent) => void;
}): Promise<SmsSource> {
  const { config, storage, log } = options;
  const now = options.now ?? (() => new Date());
  // The outbox and the link need each other: the outbox submits over the link, the link's
  // inbound texts are answered through the outbox.
  const linkPort = { submit: (fields: Record<string, unknown>) => link.submit(fields), whenBound: () => link.whenBound() };
  const outbox = new SmsOutbox({
    link: linkPort,
    messages: storage.sms,
    limiter: new SendRateLimiter(config.ratePerSecond),
    sender: config.sender,
    now,
    log,
  });
  const inbound = new SmsInboundHandler({
    repositories: storage,
    pipeline: options.pipeline,
    advisor: new PatientAdvisor(storage.registry),
    send: (text) => outbox.send(text),
    templates: config.templates,
    log,
  });
  const link: SmppLink = new SmppLink({
    smpp: config.smpp,
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
    onEvent: (event) => {
      if (event.type === 'bound') log(`SMPP bound as transceiver to ${config.smpp.host}:${config.smpp.port}${config.smpp.tls ? ' (TLS)' : ''}`);
      else if (event.type === 'down') log(`SMPP link down (${event.reason}); reconnecting in ${event.retryInMs} ms`);
      options.onEvent?.(event);
    },
    onDeliver: async (pdu) => {
      const text = messageText(pdu);
      const receivedAt = now();
      if ((Number(pdu['esm_class'] ?? 0) & MESSAGE_TYPE_MASK) === DELIVERY_RECEIPT) {
        const receipt = readDeliveryReceipt({ receiptedMessageId: optionalString(pdu['receipted_message_id']), messageState: optionalNumber(pdu['message_state']), text });
        const record = () => (receipt ? storage.sms.recordReceipt({ ...receipt, at: receivedAt }) : Promise.resolve(false));
        // A receipt can overtake the write of its text's message id: look again once that is stored.
        const matched = (await record()) || (receipt !== undefined && (await outbox.submitted(), await record()));
        if (!matched) log(`SMS delivery receipt for no text we sent: ${text.slice(0, 120)}`);
        return ESME_ROK;
      }
      const address = String(pdu['source_addr'] ?? '');
      await inbound.handle({ number: e164FromSmsc(address, Number(pdu['source_addr_ton'] ?? 0)), address, text, receivedAt });
      return ESME_ROK;
    },
  });
  const reminders = new SmsReminderScheduler({ repositories: storage, send: (text) => outbox.send(text), config, now, log });
  const resumed = await outbox.resume();
  if (resumed > 0) log(`SMS outbox: ${resumed} text(s) queued before the last stop will be sent`);
  link.start();
  reminders.start();
  return {
    link,
    outbox,
    inbound,
    reminders,
    async close() {
      await reminders.stop();
      outbox.close();
      await link.close();
    },
  };
}

/** short_message, or the message_payload TLV when the SMSC used it; text however it was coded. */
function messageText(pdu: smpp.PDU): string {
  for (const field of [pdu['message_payload'], pdu['short_message']]) {
    const message = (field as { message?: unknown } | undefined)?.message ?? field;
    if (typeof message === 'string' && message !== '') return message;
    if (Buffer.isBuffer(message) && message.length > 0) return message.toString('latin1');
  }
  return '';
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const optionalNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
