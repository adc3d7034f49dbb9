import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/auth';
import { AssignDeviceDto, CreateDeviceDto } from '@homeward/contracts';
import { CodedFailure, type Device, type DeviceType } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { STORAGE } from '../tokens';
import { Answers } from '../http/answer-schemas';
import { DEVICE, REGISTERED_DEVICE } from './registry.answers';

export interface RegisteredDevice {
  readonly device: Device;
  /** MQTT credentials: username is the device id. Shown once; only a SHA-256 hash of the random 256-bit secret is kept. */
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

  @Audited('device.create', 'device')
  @Refuses('patient.not-on-a-ward', 'patient.not-found', 'device.exists')
  @Answers(REGISTERED_DEVICE)
  @Post()
  async register(@Body() body: CreateDeviceDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<RegisteredDevice> {
    if (body.patientId) await this.assertPatientOnMyWards(body.patientId, user);
    else if (user.role !== 'admin') throw new CodedFailure({ code: 'patient.not-on-a-ward', message: 'Nurses register devices for a patient on their wards: give patientId.' });
    const password = generateDeviceSecret();
    // A serial (or Bluetooth address) already registered is refused by storage as device.exists.
    const device = await this.storage.registry.registerDevice({
      type: body.type as DeviceType,
      serial: body.serial,
      model: body.model ?? null,
      bleAddress: body.bleAddress ?? null,
      patientId: body.patientId ?? null,
      credentialsHash: await hashDeviceSecret(password),
    });
    trail.about({ subjectId: device.id, patientId: device.patientId });
    return { device, mqtt: { clientId: device.id, username: device.id, password } };
  }

  @Audited('device.assign', 'device', { param: 'id' })
  @Refuses('device.not-found', 'patient.not-on-a-ward', 'patient.not-found')
  @Answers(DEVICE)
  @Post(':id/assign')
  @HttpCode(200)
  async assign(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AssignDeviceDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Device> {
    const device = await this.storage.registry.getDevice(id);
    if (!device) throw new CodedFailure({ code: 'device.not-found', message: `There is no device ${id}.` });
    if (device.patientId) await this.assertPatientOnMyWards(device.patientId, user, 'device.not-found');
    else if (user.role !== 'admin') throw new CodedFailure({ code: 'device.not-found', message: `There is no device ${id} on your wards.` });
    if (body.patientId) await this.assertPatientOnMyWards(body.patientId, user);
    const updated = await this.storage.registry.assignDevice(id, body.patientId);
    if (!updated) throw new CodedFailure({ code: 'device.not-found', message: `There is no device ${id}.` });
    // One record for each patient the device leaves or reaches, so each one's audit trail shows it.
    trail.about({ patientIds: [...new Set([device.patientId, body.patientId].filter((p): p is string => p !== null))] }).with({ from: device.patientId, to: body.patientId });
    return updated;
  }

  private async assertPatientOnMyWards(patientId: string, user: SignedInUser, code = 'patient.not-on-a-ward'): Promise<void> {
    if (user.role === 'admin') {
      if (!(await this.storage.registry.getPatient(patientId))) throw new CodedFailure({ code: 'patient.not-found', message: `There is no patient ${patientId}.` });
      return;
    }
    const admission = await this.storage.registry.activeAdmission(patientId);
    if (!admission || !user.wardIds.includes(admission.wardId)) throw new CodedFailure({ code, message: 'No such patient or device on your wards.' });
  }
}
