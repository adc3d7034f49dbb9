import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

/** One Bluetooth device a home hub reads, as registered in Homeward. */
export class HubDeviceDto {
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'deviceId must be the device id from `homeward device add`' })
  deviceId!: string;

  @IsString()
  @MaxLength(128)
  serial!: string;

  @IsOptional()
  @Matches(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, { message: 'bleAddress must look like aa:bb:cc:dd:ee:ff' })
  bleAddress?: string;
}

/** The hub's devices file (HOMEWARD_HUB_DEVICES_FILE): `{ "devices": [...] }`. */
export class HubDevicesFileDto {
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => HubDeviceDto)
  devices!: HubDeviceDto[];
}
