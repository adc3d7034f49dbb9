import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ALERT_OUTCOMES, SYSTEM_ALERT_OUTCOMES } from '@homeward/domain';

const PERSON_OUTCOMES = ALERT_OUTCOMES.filter((o) => !SYSTEM_ALERT_OUTCOMES.includes(o));

export class AcknowledgeAlertDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class EscalateAlertDto {
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

export class ResolveAlertDto {
  /** What was done; "reading-received" is the system's own outcome and not offered to people. */
  @IsIn(PERSON_OUTCOMES as unknown as string[])
  outcome!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class AssignAlertDto {
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'userId must be a user id' })
  userId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class AlertNoteDto {
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  note!: string;
}
