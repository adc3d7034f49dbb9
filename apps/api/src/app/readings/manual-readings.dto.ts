import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsNumber, IsString, MaxLength, ValidateNested } from 'class-validator';
import { VITAL_KEYS } from '@homeward/domain';

/** One reading typed in by a patient, carer or nurse. */
export class ManualReadingDto {
  @IsIn(VITAL_KEYS as unknown as string[])
  vital!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @IsString()
  @MaxLength(32)
  unit!: string;

  /** When it was measured (ISO 8601 with zone). */
  @IsISO8601({ strict: true })
  measuredAt!: string;
}

export class ManualReadingsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ManualReadingDto)
  readings!: ManualReadingDto[];
}
