import { Transform, plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';
import type { ConfigProblem } from './config';

/** Readings and reminders by SMS over SMPP 3.4 (issue 22); undefined in HomewardConfig when no SMSC is set. */
export interface SmsConfig {
  /** The operator's SMS centre (SMSC); this gateway binds to it as a transceiver. */
  readonly smpp: {
    readonly host: string;
    readonly port: number;
    readonly systemId: string;
    readonly password: string;
    readonly systemType: string;
    readonly tls: boolean;
    /** enquire_link keep-alive period. */
    readonly enquireLinkMs: number;
    /** Reconnection backoff after the link drops or a bind fails. */
    readonly reconnect: { readonly initialMs: number; readonly maxMs: number; readonly factor: number };
  };
  /** The ward's number (or short code) replies and reminders come from. */
  readonly sender: string;
  /** Most texts submitted per second: the rate the operator's contract allows. */
  readonly ratePerSecond: number;
  /** Reminders go out only from `from` to before `to` (hours 0–24), local time in `timeZone`, unless the care plan says otherwise. */
  readonly reminderHours: { readonly from: number; readonly to: number };
  readonly timeZone: string;
  readonly templates: {
    /** To a number we do not know: says nothing about the ward or any patient. */
    readonly unknownSender: string;
    /** An overdue reading's reminder; `{reading}` becomes what is due ("your weight"). */
    readonly reminder: string;
  };
}

export const DEFAULT_SMS_TEMPLATES: SmsConfig['templates'] = {
  unknownSender: 'Sorry, this number cannot accept your message. If you need medical help, call 111, or 999 in an emergency.',
  reminder: 'Reminder from your virtual ward: {reading} is due. Please text it to this number, for example {example}.',
};

const toInt = ({ value }: { value: unknown }) => (value === undefined ? undefined : Number(value));

export class SmsEnvironmentDto {
  @IsOptional()
  @Matches(/^[A-Za-z0-9.-]{1,253}$/, { message: 'must be the SMSC host name or address' })
  HOMEWARD_SMPP_HOST?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  HOMEWARD_SMPP_PORT?: number;

  // SMPP 3.4 §5.2.1: system_id is a C-Octet String of at most 16 octets, password at most 9.
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(15)
  HOMEWARD_SMPP_SYSTEM_ID?: string;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  HOMEWARD_SMPP_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MaxLength(12)
  HOMEWARD_SMPP_SYSTEM_TYPE?: string;

  @IsOptional()
  @IsIn(['on', 'off'])
  HOMEWARD_SMPP_TLS?: 'on' | 'off';

  @IsOptional()
  @Matches(/^(\+?[0-9]{3,15}|[A-Za-z0-9 ]{1,11})$/, { message: 'must be a phone number (+447700900123), a short code, or an alphanumeric sender of up to 11 characters' })
  HOMEWARD_SMS_SENDER?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  HOMEWARD_SMS_RATE_PER_SECOND?: number;

  @IsOptional()
  @Matches(/^([01]?[0-9]|2[0-3])-([01]?[0-9]|2[0-4])$/, { message: 'must be hours from-to, e.g. 8-20' })
  HOMEWARD_SMS_REMINDER_HOURS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, { message: 'must be an IANA time zone, e.g. Europe/London' })
  HOMEWARD_SMS_TIME_ZONE?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  HOMEWARD_SMS_UNKNOWN_SENDER_TEXT?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  HOMEWARD_SMS_REMINDER_TEXT?: string;
}

export const SMS_VARIABLES: readonly string[] = [
  'HOMEWARD_SMPP_HOST',
  'HOMEWARD_SMPP_PORT',
  'HOMEWARD_SMPP_SYSTEM_ID',
  'HOMEWARD_SMPP_PASSWORD',
  'HOMEWARD_SMPP_SYSTEM_TYPE',
  'HOMEWARD_SMPP_TLS',
  'HOMEWARD_SMS_SENDER',
  'HOMEWARD_SMS_RATE_PER_SECOND',
  'HOMEWARD_SMS_REMINDER_HOURS',
  'HOMEWARD_SMS_TIME_ZONE',
  'HOMEWARD_SMS_UNKNOWN_SENDER_TEXT',
  'HOMEWARD_SMS_REMINDER_TEXT',
];

/** The SMS settings, or undefined when no SMSC host is set; every bad variable is reported. */
export function parseSmsConfig(raw: Readonly<Record<string, string>>): { config: SmsConfig | undefined; problems: ConfigProblem[] } {
  const dto = plainToInstance(SmsEnvironmentDto, raw);
  const problems: ConfigProblem[] = validateSync(dto, { forbidUnknownValues: true }).map((error) => ({
    variable: error.property,
    value: error.property === 'HOMEWARD_SMPP_PASSWORD' ? '***' : raw[error.property],
    problems: Object.values(error.constraints ?? {}),
  }));
  const given = SMS_VARIABLES.filter((name) => raw[name] !== undefined);
  if (dto.HOMEWARD_SMPP_HOST === undefined) {
    if (given.length > 0) problems.push({ variable: 'HOMEWARD_SMPP_HOST', value: undefined, problems: [`is needed for SMS (${given.join(', ')} set)`] });
    return { config: undefined, problems };
  }
  for (const name of ['HOMEWARD_SMPP_SYSTEM_ID', 'HOMEWARD_SMS_SENDER'] as const) {
    if (dto[name] === undefined) problems.push({ variable: name, value: undefined, problems: ['is needed too: SMS takes the SMSC host, a system id and the ward\'s sender number'] });
  }
  const [from, to] = (dto.HOMEWARD_SMS_REMINDER_HOURS ?? '9-20').split('-').map(Number) as [number, number];
  if (from >= to) problems.push({ variable: 'HOMEWARD_SMS_REMINDER_HOURS', value: dto.HOMEWARD_SMS_REMINDER_HOURS, problems: ['must start before it ends, e.g. 9-20'] });
  const timeZone = dto.HOMEWARD_SMS_TIME_ZONE ?? 'Europe/London';
  if (!validTimeZone(timeZone)) problems.push({ variable: 'HOMEWARD_SMS_TIME_ZONE', value: timeZone, problems: ['is not a time zone this system knows'] });
  const tls = dto.HOMEWARD_SMPP_TLS === 'on';
  return {
    problems,
    config: {
      smpp: {
        host: dto.HOMEWARD_SMPP_HOST,
        // IANA: 2775 for SMPP; 3550 is the usual SMPP-over-TLS port.
        port: dto.HOMEWARD_SMPP_PORT ?? (tls ? 3550 : 2775),
        systemId: dto.HOMEWARD_SMPP_SYSTEM_ID ?? '',
        password: dto.HOMEWARD_SMPP_PASSWORD ?? '',
        systemType: dto.HOMEWARD_SMPP_SYSTEM_TYPE ?? '',
        tls,
        enquireLinkMs: 30_000,
        reconnect: { initialMs: 1_000, maxMs: 60_000, factor: 2 },
      },
      sender: dto.HOMEWARD_SMS_SENDER ?? '',
      ratePerSecond: dto.HOMEWARD_SMS_RATE_PER_SECOND ?? 5,
      reminderHours: { from, to },
      timeZone,
      templates: {
        unknownSender: dto.HOMEWARD_SMS_UNKNOWN_SENDER_TEXT ?? DEFAULT_SMS_TEMPLATES.unknownSender,
        reminder: dto.HOMEWARD_SMS_REMINDER_TEXT ?? DEFAULT_SMS_TEMPLATES.reminder,
      },
    },
  };
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
