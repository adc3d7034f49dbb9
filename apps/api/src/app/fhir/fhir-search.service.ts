import { Inject, Injectable } from '@nestjs/common';
import type { Bundle, Flag, Patient as FhirPatient } from '@medplum/fhirtypes';
import { CodedFailure, type NhsNumber, type Patient } from '@homeward/domain';
import {
  BLOOD_PRESSURE_VITALS,
  type FlagSearch,
  type ObservationSearch,
  type PatientSearch,
  alertToFlag,
  encodeSearchCursor,
  patientToFhir,
  problem,
  readingsToObservations,
  searchsetBundle,
} from '@homeward/fhir';
import type { Storage } from '@homeward/storage';
import { assertPatientAccess } from '../patients/patient-access';
import { STORAGE } from '../tokens';
import { fhirFailure } from './fhir-http';
import { gatewayOf } from './fhir-provenance';
import type { Caller } from './fhir.service';

/**
 * The FHIR searches: Observation (keyset paging over a snapshot), Patient by NHS number, Flag.
 * Same access rules as reads: a search never shows what the caller may not see (a patient on
 * another ward is simply not found by a Patient search).
 */
@Injectable()
export class FhirSearchService {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  async observations(caller: Caller, search: ObservationSearch): Promise<Bundle> {
    const patientId = this.patientOf(caller, search.patientId);
    await assertPatientAccess(this.storage, caller.user, patientId);
    const page = search.matchesNothing
      ? { readings: [], total: 0, snapshot: search.cursor?.snapshot ?? '0', next: null }
      : await this.storage.observationSearch.search({
          patientId,
          groupedVitals: BLOOD_PRESSURE_VITALS,
          tokens: search.tokens,
          times: search.dates,
          snapshot: search.cursor?.snapshot ?? null,
          after: search.cursor ? { micros: search.cursor.afterMicros, id: search.cursor.afterId } : null,
          offset: search.offset,
          limit: search.count,
        });
    const observations = readingsToObservations(page.readings, { gatewayDeviceFor: gatewayOf(await this.storage.registry.devicesOfPatient(patientId)) });
    caller.trail.aboutPatient(patientId, { total: page.total, returned: observations.length });
    const query = new URLSearchParams(search.applied);
    query.set('patient', patientId);
    const at = [search.cursor ? `_cursor=${encodeSearchCursor(search.cursor)}` : '', search.offset > 0 ? `_offset=${search.offset}` : ''].filter(Boolean).join('&');
    return searchsetBundle(
      observations,
      {
        url: `${caller.baseUrl}/Observation?${query.toString()}`,
        total: page.total,
        count: search.count,
        at,
        next: page.next ? `_cursor=${encodeSearchCursor({ snapshot: page.snapshot, afterMicros: page.next.micros, afterId: page.next.id })}` : null,
        notes: search.notes,
      },
      caller.baseUrl,
    );
  }

  /** Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|…: the caller's own patients only. */
  async patients(caller: Caller, search: PatientSearch): Promise<Bundle> {
    const found: Patient[] = [];
    if (!search.matchesNothing) {
      const byNhs = await Promise.all(search.nhsNumbers.map((n) => this.storage.registry.findPatientByNhsNumber(n as NhsNumber)));
      const patientsById = await this.storage.registry.getPatients(search.ids);
      const byId = search.ids.map((id) => patientsById.get(id));
      const candidates = [...byNhs, ...byId].filter((p): p is Patient => p !== undefined);
      // Both given: the same patient must satisfy both (ANDed).
      const wanted = search.nhsNumbers.length > 0 && search.ids.length > 0 ? candidates.filter((p) => search.ids.includes(p.id) && search.nhsNumbers.includes(p.nhsNumber.replace(/\s/g, ''))) : candidates;
      for (const patient of new Map(wanted.map((p) => [p.id, p])).values()) if (await this.maySee(caller, patient.id)) found.push(patient);
    }
    for (const patient of found) caller.trail.aboutPatient(patient.id);
    const resources: FhirPatient[] = found.map(patientToFhir);
    return searchsetBundle(resources, { url: `${caller.baseUrl}/Patient?${search.applied.toString()}`, total: resources.length, count: Math.max(1, resources.length), next: null, notes: search.notes }, caller.baseUrl);
  }

  /** Flag?patient=…[&status=active]: the patient's alerts, newest first. */
  async flags(caller: Caller, search: FlagSearch): Promise<Bundle> {
    const patientId = this.patientOf(caller, search.patientId);
    await assertPatientAccess(this.storage, caller.user, patientId);
    const alerts = search.matchesNothing ? [] : await this.storage.alerts.forPatient(patientId, { includeResolved: search.status !== 'active' });
    const flags: Flag[] = alerts.map(alertToFlag).filter((f) => search.status === null || f.status === search.status);
    caller.trail.aboutPatient(patientId, { total: flags.length });
    const query = new URLSearchParams(search.applied);
    query.set('patient', patientId);
    return searchsetBundle(flags, { url: `${caller.baseUrl}/Flag?${query.toString()}`, total: flags.length, count: Math.max(1, flags.length), next: null, notes: search.notes }, caller.baseUrl);
  }

  /** One alert as a Flag. */
  async flag(caller: Caller, id: string): Promise<Flag> {
    const alert = /^[0-9a-f-]{36}$/i.test(id) ? await this.storage.alerts.get(id.toLowerCase()) : undefined;
    if (!alert) throw new CodedFailure({ code: 'flag.not-found', message: `There is no Flag ${id} on your wards.` });
    await assertPatientAccess(this.storage, caller.user, alert.patientId);
    caller.trail.aboutPatient(alert.patientId, { id });
    return alertToFlag(alert);
  }

  private patientOf(caller: Caller, asked: string | null): string {
    const patientId = asked ?? (caller.user.role === 'patient' ? caller.user.patientId : null);
    if (!patientId) throw fhirFailure('fhir.search-patient', [problem('fhir.search-patient', 'Say whose records: patient=<id>.', 'patient', 'required')]);
    return patientId;
  }

  private async maySee(caller: Caller, patientId: string): Promise<boolean> {
    try {
      await assertPatientAccess(this.storage, caller.user, patientId);
      return true;
    } catch {
      return false;
    }
  }

}
