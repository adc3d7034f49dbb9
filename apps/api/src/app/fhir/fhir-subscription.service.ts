import { Inject, Injectable } from '@nestjs/common';
import type { Bundle, Subscription } from '@medplum/fhirtypes';
import { CodedFailure } from '@homeward/domain';
import { parseSubscription, searchsetBundle, subscriptionToFhir } from '@homeward/fhir';
import type { FhirSubscriptionRecord, Storage } from '@homeward/storage';
import { assertPatientAccess } from '../patients/patient-access';
import { STORAGE } from '../tokens';
import { UnreadableBody, fhirFailure } from './fhir-http';
import { FHIR_OPTIONS, type ResolvedFhirOptions } from './fhir.options';
import type { Caller } from './fhir.service';

/**
 * R4 rest-hook Subscriptions: made, listed, read and ended by the staff of the ward they watch
 * (ward isolation: another ward's subscription is 404, as if absent). A subscription of one patient
 * belongs to the patient's ward. Delivery is FhirSubscriptionDeliverer's.
 */
@Injectable()
export class FhirSubscriptionService {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(FHIR_OPTIONS) private readonly options: ResolvedFhirOptions,
  ) {}

  async create(caller: Caller, body: { json: unknown }): Promise<Subscription> {
    if (body.json instanceof UnreadableBody) throw fhirFailure(body.json.code, body.json.problems);
    const parsed = parseSubscription(body.json, { allowHttp: this.options.subscriptions.allowHttp });
    if (!parsed.ok) throw fhirFailure(parsed.problems.some((p) => p.path === 'Subscription.resourceType') ? 'fhir.not-a-resource' : 'fhir.invalid', parsed.problems);
    const request = parsed.value;
    let wardId = request.wardId;
    if (request.patientId) {
      await assertPatientAccess(this.storage, caller.user, request.patientId);
      wardId = (await this.storage.registry.activeAdmission(request.patientId))?.wardId ?? null;
    }
    if (!wardId || !caller.user.wardIds.includes(wardId)) throw new CodedFailure({ code: 'ward.not-found', message: 'There is no such ward among yours.' });
    const stored = await this.storage.fhirSubscriptions.create({
      criteria: request.criteria,
      resourceType: request.resourceType,
      wardId,
      patientId: request.patientId,
      endpoint: request.endpoint,
      headers: request.headers,
      payload: request.payload,
      reason: request.reason,
      createdAt: this.options.clock.now(),
      createdBy: caller.user.id,
    });
    caller.trail.about({ subjectId: stored.id, patientId: stored.patientId }).with({ criteria: stored.criteria });
    return subscriptionToFhir(stored);
  }

  async list(caller: Caller): Promise<Bundle> {
    const found = await this.storage.fhirSubscriptions.ofWards(caller.user.wardIds);
    caller.trail.with({ total: found.length });
    const resources = found.map(subscriptionToFhir);
    return searchsetBundle(resources, { url: `${caller.baseUrl}/Subscription`, total: resources.length, count: Math.max(1, resources.length), next: null, notes: [] }, caller.baseUrl);
  }

  async read(caller: Caller, id: string): Promise<Subscription> {
    const stored = await this.ofCallersWards(caller, id);
    caller.trail.about({ patientId: stored.patientId });
    return subscriptionToFhir(stored);
  }

  /** Ends it: status off, its pending notifications dropped; kept, so its history stays readable. */
  async end(caller: Caller, id: string): Promise<Subscription> {
    const stored = await this.ofCallersWards(caller, id);
    const ended = (await this.storage.fhirSubscriptions.setStatus(stored.id, 'off', this.options.clock.now())) ?? stored;
    caller.trail.about({ patientId: stored.patientId });
    return subscriptionToFhir(ended);
  }

  private async ofCallersWards(caller: Caller, id: string): Promise<FhirSubscriptionRecord> {
    const stored = /^[0-9a-f-]{36}$/i.test(id) ? await this.storage.fhirSubscriptions.get(id.toLowerCase()) : undefined;
    if (!stored || !caller.user.wardIds.includes(stored.wardId)) throw new CodedFailure({ code: 'subscription.not-found', message: `There is no Subscription ${id} on your wards.` });
    return stored;
  }
}
