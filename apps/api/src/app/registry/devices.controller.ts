import { Body, ConflictException, Controller, HttpCode, Inject, Ip, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { generateSecret, hashSecret } from '@homeward/auth';
import { AssignDeviceDto, CreateDeviceDto } from '@homeward/contracts';
import type { Device, DeviceType } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';

export interface RegisteredDevice {
  readonly device: Device;
  /** MQTT credentials: username is the device id. Shown once; only a scrypt hash is kept. */
  readonly mqtt: { readonly clientId: string; readonly username: string; readonly password: string };
}

/**
 * Devices and who has them (the API twin of `homeward device add`). An admin registers any device;
 * a nurse issues devices to patients on their own wards and takes them back.
 */
@Roles('nurse', 'admin')
@Controller('api/devices')
export class DevicesController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Post()
  async register(@Body() body: CreateDeviceDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<RegisteredDevice> {
    if (body.patientId) await this.assertPatientOnMyWards(body.patientId, user);
    else if (user.role !== 'admin') throw new NotFoundException({ code: 'patient.not-on-a-ward', message: 'Nurses register devices for a patient on their wards: give patientId.' });
    const password = generateSecret();
    let device: Device;
    try {
      device = await this.storage.registry.registerDevice({
        type: body.type as DeviceType,
        serial: body.serial,
        model: body.model ?? null,
        bleAddress: body.bleAddress ?? null,
        patientId: body.patientId ?? null,
        credentialsHash: await hashSecret(password),
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new ConflictException({ code: 'device.exists', message: 'A device of this type with this serial (or this Bluetooth address) is already registered.' });
      throw error;
    }
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'device.create', subjectType: 'device', subjectId: device.id, patientId: device.patientId, ip });
    return { device, mqtt: { clientId: device.id, username: device.id, password } };
  }

  @Post(':id/assign')
  @HttpCode(200)
  async assign(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AssignDeviceDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Device> {
    const device = await this.storage.registry.getDevice(id);
    if (!device) throw new NotFoundException({ code: 'device.not-found', message: `There is no device ${id}.` });
    if (device.patientId) await this.assertPatientOnMyWards(device.patientId, user, 'device.not-found');
    else if (user.role !== 'admin') throw new NotFoundException({ code: 'device.not-found', message: `There is no device ${id} on your wards.` });
    if (body.patientId) await this.assertPatientOnMyWards(body.patientId, user);
    const updated = await this.storage.registry.assignDevice(id, body.patientId);
    if (!updated) throw new NotFoundException({ code: 'device.not-found', message: `There is no device ${id}.` });
    const details = { from: device.patientId, to: body.patientId };
    for (const patientId of new Set([device.patientId, body.patientId].filter((p): p is string => p !== null))) {
      await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'device.assign', subjectType: 'device', subjectId: id, patientId, ip, details });
    }
    return updated;
  }

  private async assertPatientOnMyWards(patientId: string, user: SignedInUser, code = 'patient.not-on-a-ward'): Promise<void> {
    if (user.role === 'admin') {
      if (!(await this.storage.registry.getPatient(patientId))) throw new NotFoundException({ code: 'patient.not-found', message: `There is no patient ${patientId}.` });
      return;
    }
    const admission = await this.storage.registry.activeAdmission(patientId);
    if (!admission || !user.wardIds.includes(admission.wardId)) throw new NotFoundException({ code, message: 'No such patient or device on your wards.' });
  }
}
