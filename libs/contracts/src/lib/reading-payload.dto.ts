// class-transformer's @Type reads design-time metadata: the polyfill must load before any DTO.
import 'reflect-metadata';
import type { PatientAdvice } from './patient-advice.dto';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { READING_STATUS_FLAGS, VITAL_KEYS } from '@homeward/domain';
import { DEFAULT_MAX_DEVICE_CLOCK_AHEAD_MS } from './device-time-bounds';
import { IsZonedTimestamp } from './zoned-timestamp';

/** A value of a vital, in any unit accepted for it (converted to the canonical one on ingest). */
export class ReadingValueDto {
  @IsIn(VITAL_KEYS as unknown as string[])
  vital!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @IsString()
  @MaxLength(32)
  unit!: string;
}

/** One reading as a hub or patient app sends it over MQTT. */
export class ReadingItemDto extends ReadingValueDto {
  /** When the device says it measured, ISO 8601 with zone; omit if the device has no clock. */
  @IsOptional()
  @IsISO8601({ strict: true })
  deviceTime?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsIn(READING_STATUS_FLAGS as unknown as string[], { each: true })
  status?: string[];
}

/** A raw GATT characteristic value, decoded by the gateway with libs/gatt (so hubs can stay simple). */
export class GattFrameDto {
  @IsString()
  @MaxLength(64)
  characteristic!: string;

  @IsString()
  @Matches(/^(?:[0-9a-fA-F]{2}\s?){1,512}$/, { message: 'hex must be pairs of hexadecimal digits' })
  hex!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  deviceTime?: string;
}

/**
 * The body of `homeward/v1/devices/{id}/readings`. `sentAt` is the device's clock when it sent
 * the message: with the receipt time it forms the coincident timestamp that corrects the
 * device clock (HL7 PHD IG).
 */
export class ReadingsPayloadDto {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  messageId?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  sentAt?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ReadingItemDto)
  readings?: ReadingItemDto[];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => GattFrameDto)
  frames?: GattFrameDto[];
}

/** What the gateway answers on `homeward/v1/devices/{id}/acks` for each readings message. */
export interface ReadingsAck {
  readonly messageId: string | null;
  readonly status: 'accepted' | 'partially-accepted' | 'rejected';
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: ReadonlyArray<{ readonly index: number | null; readonly code: string; readonly message: string; readonly details?: Record<string, unknown> }>;
  /** Present when a reading of the message (stored or duplicate) is in the red band: for the patient app to show. */
  readonly advice?: PatientAdvice;
}

/** The retained body of `homeward/v1/devices/{id}/status`. */
export class DeviceStatusDto {
  @IsIn(['online', 'offline'])
  state!: 'online' | 'offline';

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  battery?: number;

  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

/** One reading typed in by a patient, carer or nurse (REST, and the dashboard's entry form). */
export class ManualReadingDto extends ReadingValueDto {
  /** When it was measured (ISO 8601 with zone); a week ahead at most, as for a device clock. */
  @IsZonedTimestamp({ maxFutureMs: DEFAULT_MAX_DEVICE_CLOCK_AHEAD_MS })
  measuredAt!: string;
}

/** The body of `POST /api/patients/{id}/readings`. */
export class ManualReadingsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ManualReadingDto)
  readings!: ManualReadingDto[];
}
