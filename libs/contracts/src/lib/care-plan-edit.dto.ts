import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ALERT_SEVERITY_BANDS, type AlertSeverityBand, VITAL_KEYS, type VitalKey } from '@homeward/domain';
import { IsZonedTimestamp } from './zoned-timestamp';

/** One limit a clinician sets for one vital: alert when a reading is at or below (or above) it. */
export class CarePlanLimitDto {
  @IsIn(['at-or-below', 'at-or-above'], { message: 'direction must be at-or-below or at-or-above' })
  direction!: 'at-or-below' | 'at-or-above';

  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'value must be a number' })
  value!: number;

  @IsIn(ALERT_SEVERITY_BANDS, { message: `severity must be one of ${ALERT_SEVERITY_BANDS.join(', ')}` })
  severity!: AlertSeverityBand;
}

/** A vital's personal limits; they replace the pathway's limits for that vital. */
export class CarePlanVitalLimitsDto {
  @IsIn(VITAL_KEYS, { message: 'vital must be a known vital' })
  vital!: VitalKey;

  @IsArray()
  @ArrayMaxSize(4)
  @ValidateNested({ each: true })
  @Type(() => CarePlanLimitDto)
  limits!: CarePlanLimitDto[];
}

export class CarePlanScheduleDto {
  @IsIn(VITAL_KEYS, { message: 'vital must be a known vital' })
  vital!: VitalKey;

  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'everyHours must be a number' })
  @Min(1, { message: 'everyHours must be from 1 to 168' })
  @Max(168, { message: 'everyHours must be from 1 to 168' })
  everyHours!: number;
}

export class CarePlanWeightGainDto {
  @IsBoolean()
  enabled!: boolean;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  kg!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  days!: number;

  /** Absent: the rule's default severity. */
  @IsOptional()
  @IsIn(ALERT_SEVERITY_BANDS, { message: `severity must be one of ${ALERT_SEVERITY_BANDS.join(', ')}` })
  severity?: AlertSeverityBand;
}

/** SpO2 drop from the patient's own baseline (libs/rules spo2-baseline-drop.rule); ranges are checked with field-level messages. */
export class CarePlanSpo2BaselineDto {
  @IsBoolean()
  enabled!: boolean;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  days!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  minReadings!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  minDropPoints!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  spreadMultiplier!: number;

  @IsIn(ALERT_SEVERITY_BANDS, { message: `severity must be one of ${ALERT_SEVERITY_BANDS.join(', ')}` })
  severity!: AlertSeverityBand;
}

/**
 * The clinical part of a care-plan edit: the SpO2 scale, personal limits, schedule and the trend
 * rules (weight gain, SpO2 drop from baseline). Saved with a reason and a review date (CarePlanEditDto), or tried on past readings first
 * (CarePlanBacktestDto). Personal limits replace the pathway's for the vitals listed; the
 * pathway's stand for the rest.
 */
export class CarePlanProposalDto {
  @IsIn([1, 2], { message: 'spo2Scale must be 1 or 2' })
  spo2Scale!: 1 | 2;

  /** Scale 2 only when the clinician confirms hypercapnic respiratory failure with a target of 88–92 %. */
  @IsOptional()
  @IsBoolean()
  scale2Confirmed?: boolean;

  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => CarePlanVitalLimitsDto)
  limits!: CarePlanVitalLimitsDto[];

  /** Absent: the pathway's schedule. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => CarePlanScheduleDto)
  schedule?: CarePlanScheduleDto[];

  @IsOptional()
  @ValidateNested()
  @Type(() => CarePlanWeightGainDto)
  weightGain?: CarePlanWeightGainDto;

  /** Absent: the SpO2 baseline rule stays as it is. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CarePlanSpo2BaselineDto)
  spo2Baseline?: CarePlanSpo2BaselineDto;
}

/**
 * `PUT /api/patients/{id}/care-plan/edit`: the care-plan editor's form. Every change says who
 * (the signed-in clinician) and why (`reason`), and when it must be reviewed.
 */
export class CarePlanEditDto extends CarePlanProposalDto {
  @IsString()
  @MinLength(3, { message: 'reason: say why the plan changes (at least a few words)' })
  @MaxLength(2000)
  reason!: string;

  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'reviewBy must be a date (YYYY-MM-DD)' })
  reviewBy!: string;

  /**
   * The plan's version the editor showed (CarePlanEditorView.version). A save based on an older
   * version is refused (care-plan.stale, 409) rather than overwriting another clinician's change.
   */
  @IsInt({ message: 'basedOnVersion must be the version of the plan you edited' })
  @Min(1, { message: 'basedOnVersion must be the version of the plan you edited' })
  basedOnVersion!: number;
}

/** What a plan is built from: the proposal with its reason and review date (a save adds the version it was based on; a try has none). */
export type CarePlanEditChoices = Omit<CarePlanEditDto, 'basedOnVersion'>;

/**
 * `POST /api/patients/{id}/care-plan/backtest`: the editor's proposal, not saved, replayed on the
 * patient's readings of [from, to) beside the stored plan (at most 93 days). No reason or review
 * date yet: nothing is decided.
 */
export class CarePlanBacktestDto extends CarePlanProposalDto {
  @IsZonedTimestamp()
  from!: string;

  @IsZonedTimestamp()
  to!: string;
}
