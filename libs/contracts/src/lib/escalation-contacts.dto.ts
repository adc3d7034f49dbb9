import { IsIn, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

export const ESCALATION_CHANNELS = ['webhook', 'stream'] as const;
export type EscalationChannel = (typeof ESCALATION_CHANNELS)[number];

/**
 * `POST /api/wards/{id}/escalation-contacts` (admin): who is told when an alert of the ward is
 * escalated, and how. A webhook needs its URL and the secret its requests are signed with (at
 * least 32 characters; the admin gives it to the receiver too, since Homeward never shows it again).
 */
export class CreateEscalationContactDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** e.g. "on-call registrar", "ward coordinator". */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  role!: string;

  @IsIn(ESCALATION_CHANNELS as unknown as string[])
  channel!: string;

  @ValidateIf((o: CreateEscalationContactDto) => o.channel === 'webhook' || o.url !== undefined)
  @IsString()
  @MaxLength(2000)
  @Matches(/^https?:\/\/[^\s/?#]+[^\s]*$/i, { message: 'url must be an http(s) URL' })
  url?: string;

  @ValidateIf((o: CreateEscalationContactDto) => o.channel === 'webhook' || o.secret !== undefined)
  @IsString()
  @MinLength(32, { message: 'secret must be at least 32 characters' })
  @MaxLength(512)
  secret?: string;
}

/** An escalation contact as the API shows it: never its secret. */
export interface EscalationContactView {
  readonly id: string;
  readonly wardId: string;
  readonly name: string;
  readonly role: string;
  readonly channel: EscalationChannel;
  /** The webhook's scheme, host and path; null on the stream channel. */
  readonly url: string | null;
  readonly createdAt: string;
}

/** One escalation's delivery to one contact, as the alert detail shows it. */
export interface EscalationDeliveryView {
  readonly id: string;
  readonly contactName: string;
  readonly contactRole: string;
  readonly channel: EscalationChannel;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly createdAt: string;
  readonly lastAttemptAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

/**
 * The JSON body of an escalation webhook. Signed: `X-Homeward-Signature: sha256=<hex HMAC-SHA256
 * of the raw body, keyed with the contact's secret>`; `X-Homeward-Delivery` carries `deliveryId`
 * (the same on every retry, so a receiver can drop repeats) and `X-Homeward-Timestamp` the
 * attempt's time in Unix seconds.
 */
export interface EscalationWebhookBody {
  readonly type: 'alert.escalated';
  readonly deliveryId: string;
  readonly escalatedAt: string;
  readonly escalatedBy: 'timer' | 'person';
  readonly alert: {
    readonly id: string;
    readonly severity: string;
    readonly rule: string;
    readonly subject: string;
    /** The rule's wording of what it found. */
    readonly explanation: string;
    readonly openedAt: string;
  };
  readonly ward: { readonly id: string; readonly name: string };
  readonly contact: { readonly name: string; readonly role: string };
  /** The alert in the dashboard (sign-in needed). */
  readonly link: string;
}

/** `escalation` events on `GET /api/stream`: a stream contact of the ward is told of an escalation. */
export interface EscalationStreamNotice {
  readonly deliveryId: string;
  readonly alertId: string;
  readonly wardId: string;
  readonly severity: string;
  readonly explanation: string;
  readonly escalatedAt: string;
  readonly escalatedBy: 'timer' | 'person';
  readonly contact: { readonly name: string; readonly role: string };
}
