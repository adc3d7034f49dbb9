import { HttpStatus, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Bundle, BundleEntry, Observation, OperationOutcome, Resource } from '@medplum/fhirtypes';
import {
  BLOOD_PRESSURE_VITALS,
  type FhirProblem,
  type ImportedObservation,
  type StoredReadingLike,
  alertToFlag,
  deviceToFhir,
  everythingBundle,
  news2ToObservation,
  observationToReadings,
  operationOutcome,
  patientToFhir,
  problem,
  readingsToObservations,
  searchsetBundle,
  transactionToReadings,
  underPath,
} from '@homeward/fhir';
import type { IngestPipeline } from '@homeward/ingest';
import { mapCarePlan, news2History } from '@homeward/rules';
import type { Storage } from '@homeward/storage';
import type { SignedInUser } from '../auth/access.decorators';
import { assertPatientAccess } from '../patients/patient-access';
import { INGEST, STORAGE } from '../tokens';
import { FhirProblemException, InvalidJson } from './fhir-http';
import { gatewayOf } from './fhir-provenance';

/** $everything exports at most this many readings; more is a sign the caller wants paging (search). */
const EVERYTHING_MAX_READINGS = 50_000;

export interface Caller {
  readonly user: SignedInUser;
  readonly ip: string;
  /** e.g. http://127.0.0.1:3000/fhir, for fullUrl and links. */
  readonly baseUrl: string;
}

export interface CreateResult {
  readonly status: 200 | 201;
  readonly body: Resource;
  readonly location: string | null;
}

/**
 * FHIR R4 over Homeward's storage and ingest pipeline. Same access rules as /api (a patient sees
 * their own record, nurses and clinicians their wards' patients; another ward's patient is 404),
 * every read and write audited, and imports go through the pipeline like any other source.
 */
@Injectable()
export class FhirService {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(INGEST) private readonly ingest: IngestPipeline,
  ) {}

  async patient(caller: Caller, id: string) {
    await assertPatientAccess(this.storage, caller.user, id);
    const patient = await this.storage.registry.getPatient(id);
    if (!patient) throw new NotFoundException({ code: 'patient.not-found', message: `There is no patient ${id}.` });
    await this.audit(caller, id, 'fhir.patient.read');
    return patientToFhir(patient);
  }

  /**
   * One Observation by its id: a reading's store id, or `bp-<id>-<id>[-<id>]` for a BP panel. Only
   * the whole result answers: the id of one side of a panel (or a panel id missing a side) is 404.
   */
  async observation(caller: Caller, id: string): Promise<Observation> {
    const news2 = /^news2-([0-9a-f-]{36})-(\d{1,15})$/.exec(id);
    if (news2) return this.news2Observation(caller, id, news2[1] as string, new Date(Number(news2[2])));
    const first = /^\d{1,18}$/.test(id) ? id : /^bp-\d{1,18}(-\d{1,18}){0,2}$/.test(id) ? id.slice(3).split('-')[0] : undefined;
    const readings = first ? await this.storage.observationSearch.resultOf(first, BLOOD_PRESSURE_VITALS) : [];
    const patientId = readings[0]?.patientId;
    const notFound = new NotFoundException({ code: 'observation.not-found', message: `There is no Observation ${id} on your wards.` });
    if (!patientId) throw notFound;
    await assertPatientAccess(this.storage, caller.user, patientId);
    const observation = readingsToObservations(readings, { gatewayDeviceFor: await this.gateways(patientId) }).find((o) => o.id === id);
    if (!observation) throw notFound;
    await this.audit(caller, patientId, 'fhir.observation.read', { id });
    return observation;
  }

  /** A NEWS2 as the engine scored it at that moment (recomputed from the readings, as in $everything). */
  private async news2Observation(caller: Caller, id: string, patientId: string, at: Date): Promise<Observation> {
    await assertPatientAccess(this.storage, caller.user, patientId);
    const admission = await this.storage.monitoring.activeAdmission(patientId);
    const notFound = new NotFoundException({ code: 'observation.not-found', message: `There is no NEWS2 Observation ${id}.` });
    if (!admission) throw notFound;
    const { carePlan } = mapCarePlan(admission);
    const readings = await this.storage.readings.inRange(patientId, { from: new Date(at.getTime() - carePlan.news2.windowHours * 3_600_000), to: new Date(at.getTime() + 1), limit: 50_000 });
    const history = news2History(readings, carePlan, at, at);
    const point = history.ok ? history.value[0] : undefined;
    if (!point) throw notFound;
    await this.audit(caller, patientId, 'fhir.observation.read', { id });
    return news2ToObservation(patientId, point);
  }

  /** A device issued to a patient the caller may see. */
  async device(caller: Caller, id: string) {
    const device = await this.storage.registry.getDevice(id);
    if (!device?.patientId) throw new NotFoundException({ code: 'device.not-found', message: `There is no device ${id} issued to a patient on your wards.` });
    await assertPatientAccess(this.storage, caller.user, device.patientId);
    await this.audit(caller, device.patientId, 'fhir.device.read', { id });
    return deviceToFhir(device);
  }

  /** $everything: the patient, their devices, every reading as Observations, NEWS2 and alerts as Flags. */
  async everything(caller: Caller, id: string): Promise<Bundle> {
    const patient = await this.patient(caller, id);
    const [devices, readings, alerts, admission] = await Promise.all([
      this.storage.registry.devicesOfPatient(id),
      this.storage.readings.inRange(id, { from: new Date(0), to: new Date(Date.now() + 86_400_000), limit: EVERYTHING_MAX_READINGS }),
      this.storage.alerts.forPatient(id, { includeResolved: true }),
      this.storage.monitoring.activeAdmission(id),
    ]);
    const observations = readingsToObservations(readings, { gatewayDeviceFor: gatewayOf(devices) });
    const news2: Observation[] = [];
    const first = readings[0];
    const last = readings[readings.length - 1];
    if (admission && first && last) {
      const history = news2History(readings, mapCarePlan(admission).carePlan, first.measuredAt, last.measuredAt);
      if (history.ok) news2.push(...history.value.map((point) => news2ToObservation(id, point)));
    }
    await this.audit(caller, id, 'fhir.patient.everything', { readings: readings.length, alerts: alerts.length });
    const resources: Resource[] = [patient, ...devices.map(deviceToFhir), ...observations, ...news2, ...alerts.map(alertToFlag)];
    return everythingBundle(resources, `${caller.baseUrl}/Patient/${id}/$everything`, caller.baseUrl);
  }

  /** POST /fhir/Observation: one Observation (a vital or a BP panel), conditional create on its identifier. */
  async createObservation(caller: Caller, body: { raw: Uint8Array; json: unknown }): Promise<CreateResult> {
    const receivedAt = new Date();
    const mapped = body.json instanceof InvalidJson ? null : observationToReadings(body.json);
    if (!mapped || !mapped.ok) {
      const problems = mapped ? mapped.problems : [problem('fhir.invalid-json', `The body is not JSON: ${(body.json as InvalidJson).reason}`, 'Observation', 'structure')];
      await this.refuse(caller, body.raw, 'api:POST /fhir/Observation', problems, receivedAt);
      const structural = !mapped || problems.some((p) => p.path === 'Observation.resourceType');
      throw new FhirProblemException(problems, structural ? HttpStatus.BAD_REQUEST : HttpStatus.UNPROCESSABLE_ENTITY);
    }
    const observation = mapped.value;
    await assertPatientAccess(this.storage, caller.user, observation.patientId);
    const deviceProblems = await this.checkDevice(observation, 'Observation');
    if (deviceProblems.length > 0) {
      await this.refuse(caller, body.raw, 'api:POST /fhir/Observation', deviceProblems, receivedAt);
      throw new FhirProblemException(deviceProblems);
    }
    const result = await this.store(caller, observation, body.raw, 'api:POST /fhir/Observation', receivedAt);
    await this.audit(caller, observation.patientId, 'fhir.observation.create', { stored: result.stored, duplicates: result.duplicates });
    return result.response;
  }

  /** POST /fhir: a transaction (or batch) Bundle of Observation creates. Checked whole before anything is stored. */
  async transaction(caller: Caller, body: { raw: Uint8Array; json: unknown }): Promise<Bundle> {
    const receivedAt = new Date();
    const parsed = body.json instanceof InvalidJson ? null : transactionToReadings(body.json);
    if (!parsed || !parsed.ok) {
      const problems = parsed ? parsed.problems : [problem('fhir.invalid-json', `The body is not JSON: ${(body.json as InvalidJson).reason}`, 'Bundle', 'structure')];
      await this.refuse(caller, body.raw, 'api:POST /fhir', problems, receivedAt);
      const structural = !parsed || problems.some((p) => p.path === 'Bundle.resourceType' || p.path === 'Bundle.type');
      throw new FhirProblemException(problems, structural ? HttpStatus.BAD_REQUEST : HttpStatus.UNPROCESSABLE_ENTITY);
    }
    for (const patientId of new Set(parsed.value.map((i) => i.observation.patientId))) await assertPatientAccess(this.storage, caller.user, patientId);
    const deviceProblems: FhirProblem[] = [];
    for (const item of parsed.value) deviceProblems.push(...underPath(await this.checkDevice(item.observation, 'Observation'), `Bundle.entry[${item.index}].resource`, 'Observation'));
    if (deviceProblems.length > 0) {
      await this.refuse(caller, body.raw, 'api:POST /fhir', deviceProblems, receivedAt);
      throw new FhirProblemException(deviceProblems);
    }
    const entries: BundleEntry[] = [];
    const perPatient = new Map<string, { stored: number; duplicates: number }>();
    for (const item of parsed.value) {
      const result = await this.store(caller, item.observation, body.raw, `api:POST /fhir entry[${item.index}]`, receivedAt);
      const counts = perPatient.get(item.observation.patientId) ?? { stored: 0, duplicates: 0 };
      perPatient.set(item.observation.patientId, { stored: counts.stored + result.stored, duplicates: counts.duplicates + result.duplicates });
      entries.push({
        ...(result.response.status === 201 ? { resource: result.response.body } : {}),
        response: {
          status: result.response.status === 201 ? '201 Created' : '200 OK',
          ...(result.response.location ? { location: result.response.location } : {}),
          ...(result.response.status === 200 ? { outcome: result.response.body as OperationOutcome } : {}),
        },
      });
    }
    for (const [patientId, counts] of perPatient) await this.audit(caller, patientId, 'fhir.transaction', { ...counts, type: parsed.type });
    return { resourceType: 'Bundle', type: parsed.type === 'batch' ? 'batch-response' : 'transaction-response', entry: entries };
  }

  private async store(caller: Caller, observation: ImportedObservation, raw: Uint8Array, topic: string, receivedAt: Date): Promise<{ response: CreateResult; stored: number; duplicates: number }> {
    const outcome = await this.ingest.submit({
      source: 'fhir',
      patientId: observation.patientId,
      deviceId: observation.deviceId,
      receivedAt,
      deviceClockAt: observation.deviceClockAt(receivedAt),
      readings: observation.readings.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, deviceTime: r.deviceTime, status: r.status })),
      raw: { payload: raw, topic },
    });
    if (outcome.rejected.length > 0) {
      // The mapper checks what the pipeline checks, so this is a disagreement between them; still say exactly what.
      throw new FhirProblemException(outcome.rejected.map((r) => problem(r.error.code, r.error.message, 'Observation.value[x]', 'business-rule')));
    }
    if (outcome.stored.length === 0) {
      const already: OperationOutcome = operationOutcome([
        { code: 'fhir.duplicate', message: 'Already stored (same duplicate-detection identifier: device or patient, vital, time and value); not stored again.', path: 'Observation.identifier', type: 'duplicate', severity: 'information' },
      ]);
      return { response: { status: 200, body: already, location: null }, stored: 0, duplicates: outcome.duplicates.length };
    }
    const [created] = readingsToObservations(outcome.stored as StoredReadingLike[], { gatewayDeviceFor: await this.gateways(observation.patientId) });
    if (!created) throw new Error('stored readings made no Observation');
    return { response: { status: 201, body: created, location: `${caller.baseUrl}/Observation/${created.id ?? ''}` }, stored: outcome.stored.length, duplicates: outcome.duplicates.length };
  }

  /** The device must be a registered device of this patient (a reading is filed under its device). */
  private async checkDevice(observation: ImportedObservation, resource: string): Promise<FhirProblem[]> {
    if (!observation.deviceId) return [];
    const device = await this.storage.registry.getDevice(observation.deviceId);
    if (device && device.patientId === observation.patientId) return [];
    return [problem('fhir.device-unknown', `Device/${observation.deviceId} is not a device issued to this patient; register it first, or leave device out.`, `${resource}.device.reference`, 'business-rule')];
  }

  private async refuse(caller: Caller, raw: Uint8Array, topic: string, problems: readonly FhirProblem[], receivedAt: Date): Promise<void> {
    const [first] = problems;
    await this.ingest.recordRejection({
      source: 'fhir',
      deviceId: null,
      topic,
      payload: raw,
      receivedAt,
      error: {
        code: problems.length === 1 && first ? first.code : 'fhir.invalid',
        message: problems.map((p) => `${p.path}: ${p.message}`).join(' '),
        details: { issues: problems.map((p) => ({ code: p.code, path: p.path, message: p.message })), by: caller.user.id },
      },
    });
  }

  private async gateways(patientId: string): Promise<(reading: StoredReadingLike) => string | null> {
    return gatewayOf(await this.storage.registry.devicesOfPatient(patientId));
  }

  private audit(caller: Caller, patientId: string, action: string, details?: Record<string, unknown>): Promise<unknown> {
    return this.storage.audit.record({ actorType: 'user', actorId: caller.user.id, action, subjectType: 'patient', subjectId: patientId, patientId, ip: caller.ip, ...(details ? { details } : {}) });
  }
}
