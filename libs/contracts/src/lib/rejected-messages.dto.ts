import { IsOptional, Matches } from 'class-validator';
import { IsZonedTimestamp } from './zoned-timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The query of `GET /api/admin/rejected-messages` (the same filters as `homeward rejected`). */
export class RejectedMessagesQueryDto {
  @IsOptional()
  @Matches(UUID, { message: 'deviceId must be a device id' })
  deviceId?: string;

  @IsOptional()
  @Matches(/^[a-z0-9.-]{1,100}$/, { message: 'code must be a reason code such as payload.too-deep, or a prefix such as payload' })
  code?: string;

  @IsOptional()
  @IsZonedTimestamp()
  since?: string;

  /** Paging: the `next` of the previous page. */
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be a rejected message id' })
  before?: string;

  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: 'limit must be a whole number' })
  limit?: string;
}

/** A refused message in a list: what was refused and why, without its payload. */
export interface RejectedMessageSummary {
  readonly id: string;
  readonly receivedAt: string;
  readonly source: string;
  readonly deviceId: string | null;
  readonly topic: string | null;
  readonly reasonCode: string;
  readonly reason: string;
  readonly payloadBytes: number;
}

/** One page, newest first; `next` is the `before` of the following page, null on the last. */
export interface RejectedMessagePage {
  readonly items: readonly RejectedMessageSummary[];
  readonly next: string | null;
}

/** The payload as text when it is printable UTF-8, else in hexadecimal. */
export type PayloadView = { readonly encoding: 'utf-8'; readonly text: string } | { readonly encoding: 'hex'; readonly hex: string };

export interface RejectedMessageDetail extends RejectedMessageSummary {
  readonly details: Record<string, unknown>;
  readonly payload: PayloadView;
}

/**
 * Control characters (C0 but tab and newline, DEL, C1), line separators, bidi overrides and the
 * replacement character: a payload holding any of them is not shown as text, because it could
 * drive a terminal or disguise itself on screen.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\uFFFD]/;

/** The payload as text when it is UTF-8 with nothing unprintable in it (tabs and newlines allowed, not CR). */
export function payloadAsText(payload: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return undefined;
  }
  return UNPRINTABLE.test(text) ? undefined : text;
}

export function payloadView(payload: Uint8Array): PayloadView {
  const text = payloadAsText(payload);
  return text === undefined ? { encoding: 'hex', hex: Array.from(payload, (b) => b.toString(16).padStart(2, '0')).join('') } : { encoding: 'utf-8', text };
}
