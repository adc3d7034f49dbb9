import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `POST /api/carers`: a carer, optionally with the sign-in account (role carer) they use. */
export class CreateCarerDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName!: string;

  @IsOptional()
  @Matches(UUID, { message: 'userId must be a user id' })
  userId?: string;
}

/**
 * `POST /api/carers/{id}/links`: the carer may act for the patient, on the patient's consent or a
 * clinician's best-interest decision (Mental Capacity Act 2005 s.4), with its date and reason.
 */
export class CreateCarerLinkDto {
  @Matches(UUID, { message: 'patientId must be a patient id' })
  patientId!: string;

  @IsIn(['consent', 'best-interest'])
  basis!: 'consent' | 'best-interest';

  @IsISO8601({ strict: true }, { message: 'decidedOn must be a date (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'decidedOn must be a date (YYYY-MM-DD)' })
  decidedOn!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;
}

/** `PUT /api/carers/{id}/phone-number`, `PUT /api/patients/{id}/phone-number`: a number staff have verified. */
export class VerifiedPhoneNumberDto {
  @Matches(/^\+[1-9][0-9]{6,14}$/, { message: 'number must be in international form, e.g. +447700900123' })
  number!: string;
}

/** A carer's link as the API shows it. */
export interface CarerLinkView {
  readonly id: string;
  readonly carerId: string;
  readonly patientId: string;
  readonly basis: 'consent' | 'best-interest';
  readonly decidedOn: string;
  readonly reason: string;
  readonly decidedBy: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly endReason: 'revoked' | 'discharged' | null;
}

/** `GET /api/carer/patients`: whom the signed-in carer may act for now, and the words they see. */
export interface CaredForPatient {
  readonly patientId: string;
  readonly givenName: string;
  readonly familyName: string;
  /** The ward's advice to the patient (what the patient would be told), never staff wording. */
  readonly advice: string;
}
