import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ALERT_SEVERITY_BANDS, type AlertSeverityBand, PATHWAYS, type Pathway } from '@homeward/domain';
import { WORKLIST_KINDS, type WorklistKind } from './worklist-query.dto';

export const PATIENT_WORKLIST_SORTS = ['severity', 'waiting', 'measured', 'name'] as const;
export type PatientWorklistSort = (typeof PATIENT_WORKLIST_SORTS)[number];
export const PATIENT_WORKLIST_DEFAULT_PAGE_SIZE = 25;
export const PATIENT_WORKLIST_MAX_PAGE_SIZE = 200;

const digits = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value);
/** `?severity=high,medium` or `?severity=high&severity=medium`: one list either way. */
const list = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value);
const flag = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * `GET /api/worklist/patients`: one row per patient with unresolved alerts on my wards, paged,
 * with the total and the counts per severity. Filters narrow the alerts first; a patient is listed
 * when any of their alerts passes, at the highest severity among those that pass.
 */
export class PatientWorklistQueryDto {
  @IsOptional()
  @Transform(digits)
  @IsInt({ message: 'page must be a whole number from 1' })
  @Min(1, { message: 'page must be a whole number from 1' })
  page?: number;

  @IsOptional()
  @Transform(digits)
  @IsInt({ message: `pageSize must be a whole number from 1 to ${PATIENT_WORKLIST_MAX_PAGE_SIZE}` })
  @Min(1, { message: `pageSize must be a whole number from 1 to ${PATIENT_WORKLIST_MAX_PAGE_SIZE}` })
  @Max(PATIENT_WORKLIST_MAX_PAGE_SIZE, { message: `pageSize must be a whole number from 1 to ${PATIENT_WORKLIST_MAX_PAGE_SIZE}` })
  pageSize?: number;

  @IsOptional()
  @IsIn(PATIENT_WORKLIST_SORTS, { message: `sort must be one of ${PATIENT_WORKLIST_SORTS.join(', ')}` })
  sort?: PatientWorklistSort;

  @IsOptional()
  @Transform(list)
  @ArrayMaxSize(ALERT_SEVERITY_BANDS.length)
  @IsIn(ALERT_SEVERITY_BANDS, { each: true, message: `severity must be one or more of ${ALERT_SEVERITY_BANDS.join(', ')}` })
  severity?: AlertSeverityBand[];

  @IsOptional()
  @IsIn(PATHWAYS, { message: `pathway must be one of ${PATHWAYS.join(', ')}` })
  pathway?: Pathway;

  @IsOptional()
  @IsIn(WORKLIST_KINDS, { message: `kind must be one of ${WORKLIST_KINDS.join(', ')}` })
  kind?: WorklistKind;

  /** Only alerts assigned to the signed-in user. */
  @IsOptional()
  @Transform(flag)
  @IsIn([true, false], { message: 'mine must be true or false' })
  mine?: boolean;

  /** Only escalated alerts. */
  @IsOptional()
  @Transform(flag)
  @IsIn([true, false], { message: 'escalated must be true or false' })
  escalated?: boolean;

  /** Part of a name, or an NHS number (spaces ignored). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export const BULK_ALERT_ACTIONS = ['acknowledge', 'assign'] as const;
export const BULK_ALERTS_MAX = 500;

/** `POST /api/worklist/bulk`: acknowledge or assign many alerts after one confirmation. */
export class BulkAlertActionDto {
  @IsIn(BULK_ALERT_ACTIONS, { message: `action must be one of ${BULK_ALERT_ACTIONS.join(', ')}` })
  action!: (typeof BULK_ALERT_ACTIONS)[number];

  @IsArray({ message: 'alertIds must be a list of alert ids' })
  @ArrayMinSize(1, { message: 'choose at least one alert' })
  @ArrayMaxSize(BULK_ALERTS_MAX, { message: `at most ${BULK_ALERTS_MAX} alerts at once` })
  @Matches(/^[0-9a-f-]{36}$/i, { each: true, message: 'alertIds must be alert ids' })
  alertIds!: string[];

  /** For assign: the ward member who takes them. */
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'userId must be a user id' })
  userId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
