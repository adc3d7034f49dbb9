import { IsString, MaxLength, ValidateIf, type ValidationArguments, registerDecorator } from 'class-validator';

/** The longest advice a ward may set: a few sentences a patient can read on a phone. */
export const PATIENT_ADVICE_MAX_LENGTH = 500;

/**
 * What a patient is told when their own reading is in the red band and their ward has set no
 * advice of its own. Plain words, no scores or thresholds; safe for any ward and pathway.
 */
export const DEFAULT_PATIENT_ADVICE = 'One of your readings needs attention now. Call your virtual ward straight away. If you feel very unwell, call 999.';

/**
 * In an answer to a patient's own readings (manual entry's 201, a device's MQTT ack): present only
 * when a reading is in the red band. `message` is the ward's text (or the default) and nothing
 * else, so a patient never sees staff wording such as rule ids or scores.
 */
export interface PatientAdvice {
  readonly level: 'red';
  readonly message: string;
}

/** The answer of `POST /api/patients/{id}/readings`. */
export interface ManualReadingsAnswer {
  readonly stored: number;
  readonly duplicates: number;
  readonly readings: ReadonlyArray<{ readonly id: string; readonly vital: string; readonly value: number; readonly unit: string; readonly measuredAt: string; readonly status: readonly string[] }>;
  readonly advice?: PatientAdvice;
}

/** `GET /api/wards/{id}/patient-advice`: what the ward's patients are told, and whether the ward chose it. */
export interface WardPatientAdviceAnswer {
  readonly wardId: string;
  /** The ward's own text; null when it uses the default. */
  readonly configured: string | null;
  /** What a patient is told now: the ward's text, or the default. */
  readonly message: string;
}

/**
 * C0 and C1 controls (newlines and tabs included), and the bidirectional overrides and isolates,
 * which can make a message read differently from what the admin typed (a phone number reversed).
 */
function hasForbiddenCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return true;
  }
  return false;
}

/** Printable text only: no control characters, no bidi overrides, not blank. */
function IsPlainAdviceText(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlainAdviceText',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.trim() !== '' && !hasForbiddenCharacter(value),
        defaultMessage: (args?: ValidationArguments) => {
          const name = args?.property ?? 'message';
          return typeof args?.value === 'string' && args.value.trim() === ''
            ? `${name} must not be blank (send null to use the default advice)`
            : `${name} must be plain text on one line: no control characters (line breaks, tabs) or direction overrides`;
        },
      },
    });
}

/**
 * `PUT /api/wards/{id}/patient-advice` (admin): the words a patient of this ward reads when their
 * own reading is red, e.g. "Call the virtual ward on 01632 960 123 now; if you feel very unwell
 * call 999." null returns the ward to the default advice.
 */
export class WardPatientAdviceDto {
  @ValidateIf((_: unknown, value: unknown) => value !== null)
  @IsString()
  @MaxLength(PATIENT_ADVICE_MAX_LENGTH)
  @IsPlainAdviceText()
  message!: string | null;
}
