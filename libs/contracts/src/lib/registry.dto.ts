import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  type ValidationArguments,
  registerDecorator,
} from 'class-validator';
import { DEVICE_TYPES, DISCHARGE_OUTCOMES, type DischargeOutcome, PATHWAYS, ROLES, parseNhsNumber } from '@homeward/domain';
import { IsZonedTimestamp } from './zoned-timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ten digits whose last is the Modulus 11 check digit (NHS Data Dictionary); spaces allowed. */
export function IsNhsNumber(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNhsNumber',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseNhsNumber(value).ok,
        defaultMessage: (args?: ValidationArguments) => {
          const value = args?.value;
          if (typeof value !== 'string') return `${args?.property ?? 'nhsNumber'} must be an NHS number (10 digits)`;
          const parsed = parseNhsNumber(value);
          return parsed.ok ? '' : `${args?.property ?? 'nhsNumber'}: ${parsed.error.message}`;
        },
      },
    });
}

/** `POST /api/wards` */
export class CreateWardDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

/** `POST /api/wards/{id}/members` */
export class AddWardMemberDto {
  @Matches(UUID, { message: 'userId must be a user id' })
  userId!: string;
}

/** `POST /api/users` (admin). A password is generated and shown once unless one is given. */
export class CreateUserDto {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName!: string;

  @IsIn(ROLES as unknown as string[])
  role!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(UUID, { each: true, message: 'each of wardIds must be a ward id' })
  wardIds?: string[];

  /** For a patient's own account: their patient record. */
  @IsOptional()
  @Matches(UUID, { message: 'patientId must be a patient id' })
  patientId?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(256)
  password?: string;
}

/** `POST /api/patients` */
export class CreatePatientDto {
  @IsNhsNumber()
  nhsNumber!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  givenName!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  familyName!: string;

  /** A calendar date, YYYY-MM-DD. */
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dateOfBirth must be a date (YYYY-MM-DD)' })
  @IsISO8601({ strict: true }, { message: 'dateOfBirth must be a real date (YYYY-MM-DD)' })
  dateOfBirth!: string;
}

/** `POST /api/patients/{id}/admissions`: admit to a virtual ward on a pathway. */
export class AdmitPatientDto {
  @Matches(UUID, { message: 'wardId must be a ward id' })
  wardId!: string;

  @IsIn(PATHWAYS as unknown as string[])
  pathway!: string;

  /** The care plan as the rules engine reads it (see apps/api care-plan.mapper.ts). */
  @IsOptional()
  @IsObject()
  carePlan?: Record<string, unknown>;
}

/** `POST /api/patients/{id}/transfer` (admin): move a patient to another ward, keeping pathway and care plan. */
export class TransferPatientDto {
  @Matches(UUID, { message: 'wardId must be a ward id' })
  wardId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

/** `PUT /api/patients/{id}/care-plan` */
export class CarePlanDto {
  @IsObject()
  carePlan!: Record<string, unknown>;
}

/** `POST /api/patients/{id}/discharge` */
export class DischargeDto {
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;

  /** Where the patient went (the ward outcomes report); optional so older clients still discharge, shown as "not recorded". */
  @IsOptional()
  @IsIn(DISCHARGE_OUTCOMES.filter((o) => o !== 'transferred'), { message: 'outcome must be one of home, hospital-admission, death, other (a transfer is POST /transfer)' })
  outcome?: Exclude<DischargeOutcome, 'transferred'>;
}

/** `POST /api/devices`: register a device; its MQTT password is shown once. */
export class CreateDeviceDto {
  @IsIn(DEVICE_TYPES as unknown as string[])
  type!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  serial!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  @IsOptional()
  @Matches(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, { message: 'bleAddress must look like aa:bb:cc:dd:ee:ff' })
  bleAddress?: string;

  @IsOptional()
  @Matches(UUID, { message: 'patientId must be a patient id' })
  patientId?: string;
}

/** `POST /api/devices/{id}/assign`: to a patient, or `null` to take it back. */
export class AssignDeviceDto {
  @ValidateIf((_, value) => value !== null)
  @Matches(UUID, { message: 'patientId must be a patient id or null' })
  patientId!: string | null;
}

/** `GET /api/patients/{id}/news2?from=&to=` and other plain ranges. */
export class RangeQueryDto {
  @IsZonedTimestamp()
  from!: string;

  @IsZonedTimestamp()
  to!: string;
}

/** `GET /api/audit` (admin) */
export class AuditQueryDto {
  @IsOptional()
  @Matches(UUID, { message: 'patientId must be a patient id' })
  patientId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @IsOptional()
  @Matches(/^[a-z0-9.-]+$/, { message: 'action must be an action name such as alert.resolve or alert' })
  action?: string;

  @IsOptional()
  @IsZonedTimestamp()
  from?: string;

  @IsOptional()
  @IsZonedTimestamp()
  to?: string;

  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be an audit entry id' })
  before?: string;

  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: 'limit must be a whole number' })
  limit?: string;
}
