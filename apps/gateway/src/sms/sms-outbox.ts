import type { SmsMessage, SmsMessageRepository } from '@homeward/storage';
import { type SmppLink, SmppLinkDown, SmppRefused } from './smpp-link';
import type { SendRateLimiter } from './send-rate.limiter';

export interface OutgoingText {
  readonly number: string;
  readonly body: string;
  readonly kind: 'reply' | 'reminder';
  readonly patientId?: string | null;
  readonly carerId?: string | null;
  /** A reminder's once-only key; a second text with the same key is not sent. */
  readonly reminderKey?: string;
}

export interface SmsOutboxOptions {
  readonly link: Pick<SmppLink, 'submit' | 'whenBound'>;
  readonly messages: Pick<SmsMessageRepository, 'queueOutbound' | 'markSubmitted' | 'markFailed' | 'queued'>;
  readonly limiter: SendRateLimiter;
  /** The ward's number or short code the texts come from. */
  readonly sender: string;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log: (message: string) => void;
}

/**
 * Texts out: each is recorded (queued) before it is sent, then submitted in order at the
 * operator's rate. While the link is down, texts wait for the next bind rather than fail; a text
 * the SMSC refuses is marked failed with the reason. Texts still queued when the gateway stopped
 * are sent after the next start (`resume`).
 */
export class SmsOutbox {
  private readonly queue: SmsMessage[] = [];
  private pumping: Promise<void> | undefined;
  /** The submit in progress until its message id is stored. */
  private inFlight: Promise<unknown> | undefined;
  private closed = false;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SmsOutboxOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Records the text and queues it; undefined when a reminder with this key went out before. */
  async send(text: OutgoingText): Promise<SmsMessage | undefined> {
    const queued = await this.options.messages.queueOutbound({ ...text, at: this.options.now() });
    if (queued) this.enqueue(queued);
    return queued;
  }

  /** Texts left queued by an earlier run. */
  async resume(): Promise<number> {
    const left = await this.options.messages.queued(1_000);
    for (const message of left) this.enqueue(message);
    return left.length;
  }

  /** Resolves when every queued text has been submitted or has failed (tests, orderly stop). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /**
   * Resolves when the submit in progress (if any) has its message id stored. A fast SMSC's
   * delivery receipt can overtake that write; the receipt waits for it and looks again.
   */
  async submitted(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }

  close(): void {
    this.closed = true;
  }

  private enqueue(message: SmsMessage): void {
    this.queue.push(message);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const message = this.queue[0] as SmsMessage;
      await this.options.link.whenBound();
      const wait = this.options.limiter.reserve(this.options.now().getTime());
      if (wait > 0) await this.sleep(wait);
      try {
        const attempt = this.options.link.submit(submitFields(this.options.sender, message)).then((id) => this.options.messages.markSubmitted(message.id, id, this.options.now()));
        this.inFlight = attempt;
        await attempt;
        this.queue.shift();
      } catch (error) {
        if (error instanceof SmppLinkDown) continue; // the same text again after the next bind
        this.queue.shift();
        const reason = error instanceof SmppRefused ? error.message : `could not submit: ${String(error)}`;
        this.options.log(`SMS ${message.id} to ${maskNumber(message.number)} failed: ${reason}`);
        await this.options.messages.markFailed(message.id, reason).catch(() => undefined);
      }
    }
  }
}

/**
 * submit_sm fields (SMPP 3.4 §4.4.1): E.164 destination (TON international, NPI ISDN), a final
 * delivery receipt asked for (registered_delivery bit 0). Text of one part goes in
 * short_message; longer text in the message_payload TLV (§5.3.2.32), which the SMSC splits.
 */
function submitFields(sender: string, message: SmsMessage): Record<string, unknown> {
  const alphanumeric = /[A-Za-z]/.test(sender);
  const fields: Record<string, unknown> = {
    source_addr_ton: alphanumeric ? 5 : sender.startsWith('+') ? 1 : 3,
    source_addr_npi: alphanumeric ? 0 : 1,
    source_addr: sender.replace(/^\+/, ''),
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: message.number.replace(/^\+/, ''),
    registered_delivery: 1,
  };
  // One part: up to 160 characters of plain ASCII (GSM 7-bit). Anything else (°, accents) goes as
  // UCS-2, where one part holds only 70, so the payload TLV carries it.
  if (message.body.length <= 160 && /^[\x20-\x7E\n\r]*$/.test(message.body)) fields['short_message'] = message.body;
  else fields['message_payload'] = message.body;
  return fields;
}

/** Phone numbers are personal data: logs keep the last three digits. */
export function maskNumber(number: string): string {
  return number.length <= 3 ? '***' : `${'*'.repeat(Math.max(0, number.length - 3))}${number.slice(-3)}`;
}
