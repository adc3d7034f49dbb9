import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger } from 'pino';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'pretty';

/**
 * Field names whose values never reach a log line: patient identifiers (NHS number, names, date
 * of birth, patient id, address, contact details), reading values and whole payloads or bodies
 * (which carry both), and credentials. Devices and requests are identified by their ids instead.
 * pino removes these at any of the first four levels of a logged object.
 */
export const REDACTED_LOG_KEYS: readonly string[] = [
  'nhsNumber',
  'nhs_number',
  'givenName',
  'given_name',
  'familyName',
  'family_name',
  'name',
  'dateOfBirth',
  'date_of_birth',
  'birthDate',
  'patientId',
  'patient_id',
  'patient',
  'address',
  'postcode',
  'email',
  'phone',
  'value',
  'values',
  'reading',
  'readings',
  'frames',
  'hex',
  'payload',
  'body',
  'query',
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
];

export const REDACTED = '[redacted]';

function redactionPaths(keys: readonly string[]): string[] {
  const paths: string[] = [];
  for (const key of keys) paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  return paths;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go; stderr by default, so a command's stdout stays clean for its own output. */
  readonly destination?: DestinationStream;
  /** Colours in pretty output (a terminal); off by default. */
  readonly colorize?: boolean;
}

/**
 * The one logger of a Homeward process: JSON lines for log collectors (the default when stderr is
 * not a terminal), or pino-pretty's human-friendly lines. Synchronous writes: a line logged just
 * before the process exits is not lost.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.format === 'pretty'
      ? pinoPretty({ sync: true, colorize: options.colorize ?? false, translateTime: 'SYS:isoDateTime', ignore: 'pid,hostname', destination: options.destination ?? 2 })
      : (options.destination ?? pino.destination({ fd: 2, sync: true }));
  return pino(
    {
      level: options.level,
      base: { service: 'homeward' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactionPaths(REDACTED_LOG_KEYS), censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** The plain `(message) => void` logger the gateway and storage take, over a pino logger. */
export function messageLogger(logger: Logger, level: 'info' | 'warn' | 'debug' = 'info'): (message: string) => void {
  return (message) => logger[level](message);
}
