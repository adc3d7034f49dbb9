import type { SmsStatus } from '@homeward/storage';

export interface DeliveryReceipt {
  /** The id the SMSC gave the submit_sm_resp of the text this receipt is about. */
  readonly smscMessageId: string;
  readonly status: SmsStatus;
  /** The receipt's own words (stat and err), kept for whoever looks into a failed text. */
  readonly detail: string;
}

/**
 * SMPP 3.4 §5.2.12 and Appendix B: a deliver_sm with esm_class bits 2–5 = 0001 is an SMSC
 * delivery receipt. The message id and final state come in the receipted_message_id and
 * message_state TLVs (§5.3.2.12, §5.3.2.35) when the SMSC sends them, else in the text's
 * "id:… stat:… err:…" form (Appendix B, vendor-specific but near universal). Undefined when
 * the receipt names no message.
 */
export function readDeliveryReceipt(fields: { receiptedMessageId?: string | undefined; messageState?: number | undefined; text: string }): DeliveryReceipt | undefined {
  const id = fields.receiptedMessageId?.trim() || /(?:^|\s)id:(\S+)/i.exec(fields.text)?.[1];
  if (!id) return undefined;
  const stat = /(?:^|\s)stat:(\S+)/i.exec(fields.text)?.[1]?.toUpperCase();
  const err = /(?:^|\s)err:(\S+)/i.exec(fields.text)?.[1];
  const status = fields.messageState !== undefined ? STATE_BY_NUMBER[fields.messageState] : stat !== undefined ? STATE_BY_STAT[stat] : undefined;
  const detail = [stat ? `stat:${stat}` : fields.messageState !== undefined ? `message_state:${fields.messageState}` : '', err ? `err:${err}` : ''].filter(Boolean).join(' ');
  return { smscMessageId: id, status: status ?? 'unknown', detail };
}

/** §5.2.28 message_state values. */
const STATE_BY_NUMBER: Readonly<Record<number, SmsStatus>> = {
  1: 'submitted', // ENROUTE
  2: 'delivered',
  3: 'expired',
  4: 'undeliverable', // DELETED
  5: 'undeliverable',
  6: 'delivered', // ACCEPTED (on the handset's behalf)
  7: 'unknown',
  8: 'rejected',
};

/** Appendix B's stat words. */
const STATE_BY_STAT: Readonly<Record<string, SmsStatus>> = {
  ENROUTE: 'submitted',
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'undeliverable',
  UNDELIV: 'undeliverable',
  ACCEPTD: 'delivered',
  UNKNOWN: 'unknown',
  REJECTD: 'rejected',
};
