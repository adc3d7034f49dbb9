import { Inject, Injectable } from '@nestjs/common';
import { CodedFailure } from '@homeward/domain';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { BLOOD_PRESSURE_VITALS, type StoredReadingLike, alertToFlag, deviceToFhir, everythingBundle, news2ToObservation, operationOutcome, patientToFhir, readingsToObservations } from '@homeward/fhir';
import { mapCarePlan, news2History } from '@homeward/rules';
import type { Storage, StoredReading } from '@homeward/storage';
import type { SignedInUser } from '../auth/access.decorators';
import type { AuditTrail } from '../audit/audit.decorators';
import { assertPatientAccess } from '../patients/patient-access';
import { STORAGE } from '../tokens';
import { gatewayOf } from './fhir-provenance';
import { FHIR_OPTIONS, type ResolvedFhirOptions } from './fhir.options';

/** $everything exports at most this many readings; more is a sign the caller wants paging (search). */
const EVERYTHING_MAX_READINGS = 50_000;

export interface Caller {
  readonly user: SignedInUser;
  /** The request's audit record (the AuditInterceptor writes it): the services name the patients and details. */
  readonly trail: AuditTrail;
  /** e.g. http://127.0.0.1:3000/fhir, for fullUrl and links. */
  readonly baseUrl: string;
}

/**
 * FHIR R4 over Homeward's storage and ingest pipeline. Same access rules as /api (a patient sees
 * their own record, nurses and clinicians their wards' patients; another ward's patient is 404),
 * every read and write audited (the services name the patients on the request's AuditTrail; the
 * AuditInterceptor writes one record per patient from the route's @Audited), and imports go through the pipeline like any other source.
 */
@Injectable()
export class FhirService {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(FHIR_OPTIONS) private readonly options: ResolvedFhirOptions,
  ) {}

  async patient(caller: Caller, id: string) {
    await assertPatientAccess(this.storage, caller.user, id);
    const patient = await this.storage.registry.getPatient(id);
    if (!patient) throw new CodedFailure({ code: 'patient.not-found', message: `There is no patient ${id}.` });
    caller.trail.aboutPatient(id);
    return patientToFhir(patient);
  }

  /**
   * One Observation by its id: a reading's store id, or `bp-<id>-<id>[-<id>]` for a BP panel. Only
   * the whole result answers: the id of one side of a panel (or a panel id missing a side) is 404.
   */
  async observation(caller: Caller, id: string): Promise<Observation> {
    const news2 = /^news2-([0-9a-f-]{36})-(\d{1,15})$/.exec(id);
    if (news2) return this.news2Observation(caller, id, news2[1] as string, new Date(Number(news2[2])));
    const readings = await this.resultOf(id);
    const patientId = readings[0]?.patientId;
    const notFound = new CodedFailure({ code: 'observation.not-found', message: `There is no Observation ${id} on your wards.` });
    if (!patientId) throw notFound;
    await assertPatientAccess(this.storage, caller.user, patientId);
    const observation = readingsToObservations(readings, { gatewayDeviceFor: await this.gateways(patientId) }).find((o) => o.id === id);
    if (!observation) throw notFound;
    caller.trail.aboutPatient(patientId, { id });
    return observation;
  }

  /**
   * A reading's (or BP panel's) Observation by id, whoever's it is: for the subscription deliverer,
   * which delivers only what a subscription of the patient's ward asked for. Undefined if absent.
   */
  async storedObservation(id: string): Promise<Observation | undefined> {
    const readings = await this.resultOf(id);
    const patientId = readings[0]?.patientId;
    if (!patientId) return undefined;
    return readingsToObservations(readings, { gatewayDeviceFor: await this.gateways(patientId) }).find((o) => o.id === id);
  }

  /** The readings of the result an Observation id names (a panel whole), or none. */
  private resultOf(id: string): Promise<StoredReading[]> {
    const first = /^\d{1,18}$/.test(id) ? id : /^bp-\d{1,18}(-\d{1,18}){0,2}$/.test(id) ? id.slice(3).split('-')[0] : undefined;
    return first ? this.storage.observationSearch.resultOf(first, BLOOD_PRESSURE_VITALS) : Promise.resolve([]);
  }

  /** A NEWS2 as the engine scored it at that moment (recomputed from the readings, as in $everything). */
  private async news2Observation(caller: Caller, id: string, patientId: string, at: Date): Promise<Observation> {
    await assertPatientAccess(this.storage, caller.user, patientId);
    const admission = await this.storage.monitoring.activeAdmission(patientId);
    const notFound = new CodedFailure({ code: 'observation.not-found', message: `There is no NEWS2 Observation ${id}.` });
    if (!admission) throw notFound;
    const { carePlan } = mapCarePlan(admission);
    const readings = await this.storage.readings.inRange(patientId, { from: new Date(at.getTime() - carePlan.news2.windowHours * 3_600_000), to: new Date(at.getTime() + 1), limit: 50_000 });
    const history = news2History(readings, carePlan, at, at);
    const point = history.ok ? history.value[0] : undefined;
    if (!point) throw notFound;
    caller.trail.aboutPatient(patientId, { id });
    return news2ToObservation(patientId, point);
  }

  /** A device issued to a patient the caller may see. */
  async device(caller: Caller, id: string) {
    const device = await this.storage.registry.getDevice(id);
    if (!device?.patientId) throw new CodedFailure({ code: 'device.not-found', message: `There is no device ${id} issued to a patient on your wards.` });
    await assertPatientAccess(this.storage, caller.user, device.patientId);
    caller.trail.aboutPatient(device.patientId, { id });
    return deviceToFhir(device);
  }

  /** $everything: the patient, their devices, every reading as Observations, NEWS2 and alerts as Flags. */
  async everything(caller: Caller, id: string): Promise<Bundle> {
    const patient = await this.patient(caller, id);
    const [devices, readings, alerts, admission] = await Promise.all([
      this.storage.registry.devicesOfPatient(id),
      this.storage.readings.inRange(id, { from: new Date(0), to: new Date(this.options.clock.now().getTime() + 86_400_000), limit: EVERYTHING_MAX_READINGS }),
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
    caller.trail.aboutPatient(id, { readings: readings.length, alerts: alerts.length });
    const resources: Resource[] = [patient, ...devices.map(deviceToFhir), ...observations, ...news2, ...alerts.map(alertToFlag)];
    const bundle = everythingBundle(resources, `${caller.baseUrl}/Patient/${id}/$everything`, caller.baseUrl);
    if (readings.length < EVERYTHING_MAX_READINGS) return bundle;
    // Stopped at the bound: said in the Bundle, never silently.
    const cut = operationOutcome([
      { code: 'fhir.everything-truncated', message: `$everything holds the first ${EVERYTHING_MAX_READINGS} readings only; page through the rest with GET Observation?patient=${id}&date=ge${readings[readings.length - 1]?.measuredAt.toISOString() ?? ''}.`, path: 'Bundle', type: 'too-costly', severity: 'warning' },
    ]);
    return { ...bundle, entry: [...(bundle.entry ?? []), { resource: cut, search: { mode: 'outcome' } }] };
  }

  private async gateways(patientId: string): Promise<(reading: StoredReadingLike) => string | null> {
    return gatewayOf(await this.storage.registry.devicesOfPatient(patientId));
  }

}
