import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { AdmitPatientDto, CarePlanDto, type ChartThreshold, CreatePatientDto, DischargeDto, RangeQueryDto, TransferPatientDto } from '@homeward/contracts';
import { CodedFailure, fieldFailure, type Alert, type Pathway, type Patient, parseNhsNumber } from '@homeward/domain';
import { type News2HistoryPoint, assembleHomeNews2, effectiveThresholds, mapCarePlan, news2History } from '@homeward/rules';
import type { AdmissionWithCarePlan, Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { assertPatientAccess } from '../patients/patient-access';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { type DeviceStatus, deviceStatus } from './device-status';
import { RulesEngineService } from '../rules-engine/rules-engine.service';
import { Answers, arrayOf } from '../http/answer-schemas';
import { ALERT } from '../worklist/worklist.answers';
import { ADMISSION, DEVICE_STATUS, DISCHARGED, NEWS2_POINT, PATIENT, PATIENT_RECORD, PATIENT_SUMMARY } from './registry.answers';

export interface PatientSummary extends Patient {
  readonly admission: AdmissionWithCarePlan | null;
}

export interface PatientRecord {
  readonly patient: Patient;
  readonly admission: AdmissionWithCarePlan | null;
  readonly devices: readonly DeviceStatus[];
  readonly thresholds: readonly ChartThreshold[];
  /** Parts of the stored care plan the rules engine could not read (they fall back to defaults). */
  readonly carePlanProblems: readonly string[];
}

const NEWS2_MAX_DAYS = 93;

/**
 * The patient registry: who is monitored, on which virtual ward and pathway, under which care
 * plan, with which devices. Nurses and clinicians see their wards' patients; an admin sees all;
 * a patient sees their own record. Every read and write of a patient is audited.
 */
@Controller('api/patients')
export class PatientsController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(RulesEngineService) private readonly engine: RulesEngineService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Roles('nurse', 'clinician', 'admin')
  @Audited('patient.list', 'ward')
  @Answers(arrayOf(PATIENT_SUMMARY))
  @Get()
  async list(@CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<PatientSummary[]> {
    const rows = await this.storage.registry.patientsWithAdmissions(user.role === 'admin' ? undefined : user.wardIds);
    trail.about({ subjectId: user.role === 'admin' ? 'all' : user.wardIds.join(',') }).with({ patients: rows.length });
    return rows.map(({ patient, admission }) => ({ ...patient, admission }));
  }

  @Roles('nurse', 'clinician', 'admin')
  @Audited('patient.create', 'patient')
  @Refuses('nhs-number.check-digit', 'patient.exists')
  @Answers(PATIENT)
  @Post()
  async create(@Body() body: CreatePatientDto, @Trail() trail: AuditTrail): Promise<Patient> {
    const nhsNumber = parseNhsNumber(body.nhsNumber);
    if (!nhsNumber.ok) throw new CodedFailure(nhsNumber.error); // the DTO checked it; kept for the type
    if (await this.storage.registry.findPatientByNhsNumber(nhsNumber.value)) {
      throw new CodedFailure({ code: 'patient.exists', message: 'A patient with this NHS number is already registered.' });
    }
    const patient = await this.storage.registry.createPatient({ nhsNumber: nhsNumber.value, givenName: body.givenName, familyName: body.familyName, dateOfBirth: body.dateOfBirth });
    trail.about({ subjectId: patient.id });
    return patient;
  }

  @Roles('patient', 'nurse', 'clinician', 'admin')
  @Audited('patient.read', 'patient', { param: 'id' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward', 'patient.not-found')
  @Answers(PATIENT_RECORD)
  @Get(':id')
  async record(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser): Promise<PatientRecord> {
    const patient = await this.visible(id, user);
    const admission = (await this.storage.registry.activeAdmissionWithCarePlan(id)) ?? null;
    const devices = await this.devices(id);
    if (!admission) return { patient, admission, devices, thresholds: [], carePlanProblems: [] };
    const mapped = mapCarePlan({ admissionId: admission.id, patientId: id, wardId: admission.wardId, pathway: admission.pathway, carePlan: admission.carePlan, admittedAt: admission.admittedAt });
    const thresholds = effectiveThresholds(mapped.carePlan).flatMap(({ thresholds: limits, override }) =>
      limits.map((t): ChartThreshold => ({ vital: t.vital, direction: t.direction, value: t.value, severity: t.severity, source: override ? 'override' : 'pathway' })),
    );
    return { patient, admission, devices, thresholds, carePlanProblems: mapped.problems };
  }

  @Roles('patient', 'nurse', 'clinician', 'admin')
  @Audited('device.list', 'patient', { param: 'id' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward', 'patient.not-found')
  @Answers(arrayOf(DEVICE_STATUS))
  @Get(':id/devices')
  async deviceList(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser): Promise<DeviceStatus[]> {
    await this.visible(id, user);
    return this.devices(id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('alert.list', 'patient', { param: 'id' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward')
  @Answers(arrayOf(ALERT))
  @Get(':id/alerts')
  async alerts(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser): Promise<Alert[]> {
    await assertPatientAccess(this.storage, user, id);
    return this.storage.alerts.forPatient(id, { includeResolved: true });
  }

  /** The NEWS2 chart: the home NEWS2 at each NEWS2 reading in the range, scored as the engine does. */
  @Roles('patient', 'nurse', 'clinician')
  @Audited('news2.read', 'patient', { param: 'id' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward', 'range.empty', 'range.too-long', 'news2.invalid-window')
  @Answers(arrayOf(NEWS2_POINT))
  @Get(':id/news2')
  async news2(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: RangeQueryDto, @CurrentUser() user: SignedInUser): Promise<News2HistoryPoint[]> {
    await assertPatientAccess(this.storage, user, id);
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (!(from < to)) throw new CodedFailure({ code: 'range.empty', message: '"from" must be before "to".' });
    if (to.getTime() - from.getTime() > NEWS2_MAX_DAYS * 86_400_000) throw new CodedFailure({ code: 'range.too-long', message: `Ask for at most ${NEWS2_MAX_DAYS} days of NEWS2 at a time.` });
    const admission = await this.storage.monitoring.activeAdmission(id);
    if (!admission) throw new CodedFailure({ code: 'patient.not-on-a-ward', message: 'NEWS2 is scored for patients on a virtual ward; this patient has no active admission.' });
    const { carePlan } = mapCarePlan(admission);
    const windowStart = new Date(from.getTime() - carePlan.news2.windowHours * 3_600_000);
    const readings = await this.storage.readings.inRange(id, { from: windowStart, to: new Date(to.getTime() + 1), vitals: ['respiration_rate', 'spo2', 'systolic_bp', 'heart_rate', 'body_temperature'], limit: 50_000 });
    const history = news2History(readings, carePlan, from, to);
    if (!history.ok) throw new CodedFailure(history.error);
    return history.value;
  }

  @Roles('nurse', 'clinician', 'admin')
  @Audited('admission.create', 'patient', { param: 'id' })
  @Refuses('ward.not-found', 'patient.not-found', 'patient.already-admitted', 'care-plan.invalid')
  @Answers(ADMISSION)
  @Post(':id/admissions')
  async admit(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AdmitPatientDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<AdmissionWithCarePlan> {
    if (user.role !== 'admin' && !user.wardIds.includes(body.wardId)) {
      throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${body.wardId} among your wards.` });
    }
    if (!(await this.storage.registry.getWard(body.wardId))) throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${body.wardId}.` });
    // Staff admit to their own wards only patients no other ward has had last: a patient another ward
    // is caring for, or discharged last, moves only by an admin's audited transfer. Such a patient and
    // an unknown id get the same answer, so nothing is learnt about other wards.
    const latest = await this.storage.registry.latestAdmission(id);
    const elsewhere = latest !== undefined && !(user.role === 'admin' || user.wardIds.includes(latest.wardId));
    if (elsewhere || !(await this.storage.registry.getPatient(id))) {
      throw new CodedFailure({ code: 'patient.not-found', message: `There is no patient ${id} you can admit; a patient of another ward is moved by an administrator's transfer.` });
    }
    if (latest && latest.dischargedAt === null) {
      const message = user.role === 'admin' && latest.wardId !== body.wardId ? 'This patient is on another ward: transfer them instead.' : 'This patient is already on your ward; discharge them first.';
      throw new CodedFailure({ code: 'patient.already-admitted', message });
    }
    const carePlan = body.carePlan ?? {};
    this.assertReadable(id, body.wardId, body.pathway as Pathway, carePlan);
    await this.storage.registry.admit({ patientId: id, wardId: body.wardId, pathway: body.pathway as Pathway, carePlan });
    trail.effective().with({ wardId: body.wardId, pathway: body.pathway, ...(latest && latest.wardId !== body.wardId ? { previousWardId: latest.wardId } : {}) });
    return this.current(id);
  }

  /** An admin moves a patient on a ward to another, with the same pathway and care plan: discharge and admission, audited as one transfer. */
  @Roles('admin')
  @Audited('admission.transfer', 'patient', { param: 'id' })
  @Refuses('patient.not-on-a-ward', 'ward.not-found', 'patient.already-admitted', 'patient.discharged')
  @Answers(ADMISSION)
  @Post(':id/transfer')
  @HttpCode(200)
  async transfer(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: TransferPatientDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<AdmissionWithCarePlan> {
    const current = await this.admitted(id, user);
    if (!(await this.storage.registry.getWard(body.wardId))) throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${body.wardId}.` });
    if (current.wardId === body.wardId) throw new CodedFailure({ code: 'patient.already-admitted', message: 'The patient is already on this ward.' });
    const ended = await this.storage.registry.discharge(current.id, this.clock.now(), `transferred: ${body.reason}`, 'transferred');
    if (!ended) throw new CodedFailure({ code: 'patient.discharged', message: 'The patient was discharged meanwhile.' });
    await this.storage.registry.admit({ patientId: id, wardId: body.wardId, pathway: current.pathway, carePlan: current.carePlan });
    trail.effective().with({ fromWardId: current.wardId, toWardId: body.wardId, reason: body.reason, previousAdmissionId: current.id });
    return this.current(id);
  }

  /** A care plan is a clinical decision: clinicians of the ward (or an admin) change it. */
  @Roles('clinician', 'admin')
  @Audited('care-plan.update', 'patient', { param: 'id' })
  @Refuses('patient.not-on-a-ward', 'care-plan.invalid', 'patient.discharged')
  @Answers(ADMISSION)
  @Put(':id/care-plan')
  async carePlan(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CarePlanDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<AdmissionWithCarePlan> {
    const admission = await this.admitted(id, user);
    this.assertReadable(id, admission.wardId, admission.pathway, body.carePlan);
    const updated = await this.storage.registry.updateCarePlan(admission.id, body.carePlan);
    if (!updated) throw new CodedFailure({ code: 'patient.discharged', message: 'The patient was discharged meanwhile.' });
    trail.with({ admissionId: admission.id });
    return updated;
  }

  @Roles('nurse', 'clinician', 'admin')
  @Audited('admission.discharge', 'patient', { param: 'id' })
  @Refuses('patient.not-on-a-ward', 'patient.discharged')
  @Answers(DISCHARGED)
  @Post(':id/discharge')
  @HttpCode(200)
  async discharge(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: DischargeDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<{ admissionId: string; dischargedAt: Date }> {
    const admission = await this.admitted(id, user);
    const done = await this.storage.registry.discharge(admission.id, this.clock.now(), body.reason, body.outcome);
    if (!done?.dischargedAt) throw new CodedFailure({ code: 'patient.discharged', message: 'The patient was discharged meanwhile.' });
    trail.with({ admissionId: admission.id, outcome: body.outcome ?? null });
    return { admissionId: done.id, dischargedAt: done.dischargedAt };
  }

  /** A care plan the engine could not read would silently fall back to defaults: refuse it instead. */
  private assertReadable(patientId: string, wardId: string, pathway: Pathway, carePlan: Record<string, unknown>): void {
    const now = this.clock.now();
    const mapped = mapCarePlan({ admissionId: 'new', patientId, wardId, pathway, carePlan, admittedAt: now });
    const scored = assembleHomeNews2([], mapped.carePlan, now); // refuses an undocumented SpO2 scale 2
    const problems = [...mapped.problems, ...(scored.ok ? [] : [scored.error.message])];
    // 422: well-formed JSON the DTO took, but not a plan the engine can follow as written (issue 17).
    if (problems.length > 0) throw fieldFailure('care-plan.invalid', problems.map((p) => `carePlan: ${p}`));
  }

  /** Visible to this user: their own record, a patient on their wards, or anyone for an admin. */
  private async visible(id: string, user: SignedInUser): Promise<Patient> {
    if (user.role !== 'admin') await assertPatientAccess(this.storage, user, id);
    const patient = await this.storage.registry.getPatient(id);
    if (!patient) throw new CodedFailure({ code: 'patient.not-found', message: `There is no patient ${id}.` });
    return patient;
  }

  private async admitted(id: string, user: SignedInUser): Promise<AdmissionWithCarePlan> {
    const admission = await this.storage.registry.activeAdmissionWithCarePlan(id);
    if (!admission || (user.role !== 'admin' && !user.wardIds.includes(admission.wardId))) {
      throw new CodedFailure({ code: 'patient.not-on-a-ward', message: 'No patient with this id is on your wards.' });
    }
    return admission;
  }

  private async current(id: string): Promise<AdmissionWithCarePlan> {
    const admission = await this.storage.registry.activeAdmissionWithCarePlan(id);
    if (!admission) throw new CodedFailure({ code: 'patient.discharged', message: 'The patient was discharged meanwhile.' });
    return admission;
  }

  /** Hubs and apps offline by the engine's definition and clock, as the hub-offline alert judges them. */
  private async devices(patientId: string): Promise<DeviceStatus[]> {
    const now = this.engine.now();
    const [devices, contacts] = await Promise.all([this.storage.registry.devicesOfPatient(patientId), this.storage.deviceState.contactsOf(patientId)]);
    return devices.map((d) => deviceStatus(d, now, contacts.find((c) => c.id === d.id)?.connection ?? null, this.engine.offlineAfterMinutes));
  }
}
