import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Resource } from '@medplum/fhirtypes';
import { BLOOD_PRESSURE_VITALS, alertToFlag, readingsToObservations } from '@homeward/fhir';
import { type ClaimedSubscriptionDelivery, type PageWrites, ReadingStreamConsumer, type ReadingStreamPage, type Storage, type StoredReading } from '@homeward/storage';
import { decideAfterAttempt } from '../notifications/delivery-schedule';
import type { SendOutcome } from '../notifications/notification-channel';
import { STORAGE } from '../tokens';
import { FHIR_OPTIONS, type ResolvedFhirOptions } from './fhir.options';
import { FhirService } from './fhir.service';
import { sendRestHook } from './rest-hook';

/** The readings-stream cursor of the deliverer (reading_consumers). */
export const SUBSCRIPTION_CONSUMER = 'fhir-subscriptions';
const BATCH = 20;

/** What one pass did, for tests and logs. */
export interface SubscriptionPass {
  readonly queued: number;
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

/**
 * Pushes new Observations and Flags to the rest-hook Subscriptions that ask for them. A pass, at
 * the injected clock's now: takes requested subscriptions on (active); queues the readings
 * committed since the last pass (its own cursor on the readings stream, moved in the transaction
 * that queues them) and the alerts opened since each Flag subscription was made, once per
 * subscription; then sends what is due, one attempt each, retrying with the escalation
 * deliveries' schedule (decideAfterAttempt: capped exponential backoff, Retry-After honoured).
 * A failure puts the subscription in error with the error kept; the next delivery makes it active.
 */
@Injectable()
export class FhirSubscriptionDeliverer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('FhirSubscriptions');
  private readonly stream: ReadingStreamConsumer;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(FHIR_OPTIONS) private readonly options: ResolvedFhirOptions,
    @Inject(FhirService) private readonly fhir: FhirService,
  ) {
    // From the stream's end: an install's history is never read, only what is committed from the
    // deliverer's first pass on (and only what a subscription's patients receive after it was made is sent).
    this.stream = new ReadingStreamConsumer(storage, { consumer: SUBSCRIPTION_CONSUMER, pageSize: options.subscriptions.pageSize, startAt: 'end' });
  }

  onApplicationBootstrap(): void {
    if (!this.options.subscriptions.enabled) return;
    this.timer = setInterval(() => void this.runDue().catch((error: unknown) => this.logger.error(`subscription pass failed: ${describe(error)}`)), this.options.subscriptions.pollIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.queue.catch(() => undefined);
  }

  /** One pass at the clock's now (passes never overlap). */
  runDue(): Promise<SubscriptionPass> {
    const result = this.queue.then(() => this.pass());
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async pass(): Promise<SubscriptionPass> {
    const now = this.options.clock.now();
    await this.storage.fhirSubscriptions.activateRequested(now);
    // No Observation subscription: nothing to read the readings for, so the cursors jump to the end
    // and no page is read, not even of what is committed meanwhile (under load, a drain from the
    // end would read every reading as it arrives).
    await this.stream.ensureCursors();
    const watched = await this.storage.fhirSubscriptions.skipStreamWhileUnwatched(this.stream.cursorNames());
    let queued = 0;
    if (watched) await this.stream.drain(async (page) => this.queueObservations(page, now, (n) => (queued += n)));
    queued += await this.storage.fhirSubscriptions.queueFlags(now);
    const totals = { queued, attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    const leaseMs = this.options.subscriptions.requestTimeoutMs * 3;
    for (;;) {
      const claimed = await this.storage.fhirSubscriptions.claimDue(this.options.clock.now(), { leaseMs, limit: BATCH });
      for (const outcome of await Promise.all(claimed.map((d) => this.attempt(d)))) {
        totals.attempted += 1;
        if (outcome === 'delivered') totals.delivered += 1;
        else if (outcome === 'retry') totals.retrying += 1;
        else if (outcome === 'failed') totals.failed += 1;
      }
      if (claimed.length < BATCH) return totals;
    }
  }

  /**
   * A page of committed readings as Observations, queued with the cursor's move. A BP panel is one
   * Observation, also when its readings fall on two pages: each BP reading's partners (same
   * patient, device and instant) are looked up, so both pages name the same whole panel, queued
   * once (a delivery is unique per subscription and resource).
   */
  private async queueObservations(page: ReadingStreamPage, now: Date, count: (n: number) => void): Promise<PageWrites> {
    const pressures = page.readings.filter((r) => (BLOOD_PRESSURE_VITALS as readonly string[]).includes(r.vital)).map((r) => r.id);
    const partners = pressures.length > 0 ? await this.storage.observationSearch.resultsOf(pressures, BLOOD_PRESSURE_VITALS) : new Map<string, StoredReading[]>();
    const readings = new Map(page.readings.map((r) => [r.id, r]));
    for (const group of partners.values()) for (const reading of group) if (!readings.has(reading.id)) readings.set(reading.id, reading);
    const byPatient = new Map<string, StoredReading[]>();
    for (const reading of readings.values()) byPatient.set(reading.patientId, [...(byPatient.get(reading.patientId) ?? []), reading]);
    const resources: Array<{ resourceId: string; patientId: string; receivedAt: Date }> = [];
    for (const [patientId, readings] of byPatient) {
      const receivedAt = new Map(readings.map((r) => [r.id, r.receivedAt]));
      for (const observation of readingsToObservations(readings)) {
        if (!observation.id) continue;
        const firstId = /^bp-(\d+)/.exec(observation.id)?.[1] ?? observation.id;
        resources.push({ resourceId: observation.id, patientId, receivedAt: receivedAt.get(firstId) ?? now });
      }
    }
    return { write: async (tx) => count(await this.storage.fhirSubscriptions.queueObservations(tx, resources, now)) };
  }

  private async attempt(delivery: ClaimedSubscriptionDelivery): Promise<'delivered' | 'retry' | 'failed' | 'lost'> {
    const attempt = delivery.attempts + 1;
    const at = this.options.clock.now();
    const outcome = await this.send(delivery, at);
    const decision = decideAfterAttempt({ attempt, result: outcome, now: at, policy: this.options.subscriptions.retry, random: this.options.subscriptions.random });
    const error = decision.outcome === 'failed' && decision.reason === 'max-attempts' ? `${outcome.error ?? 'failed'}; gave up after ${attempt} attempts` : outcome.error;
    const recorded = await this.storage.fhirSubscriptions.recordAttempt(delivery, {
      attempt,
      at,
      statusCode: outcome.statusCode,
      error,
      outcome: decision.outcome,
      nextAttemptAt: decision.outcome === 'retry' ? decision.nextAttemptAt : null,
    });
    // Ids only: an endpoint's URL or headers may carry the EPR's credentials.
    const what = `Subscription/${delivery.subscriptionId} ${delivery.resourceType}/${delivery.resourceId} attempt ${attempt}`;
    if (!recorded) return 'lost';
    if (decision.outcome === 'retry') this.logger.warn(`${what} failed (${outcome.error ?? 'unknown'}); next at ${decision.nextAttemptAt.toISOString()}`);
    else if (decision.outcome === 'failed') this.logger.error(`${what} failed (${error ?? 'unknown'}); given up`);
    return decision.outcome;
  }

  private async send(delivery: ClaimedSubscriptionDelivery, at: Date): Promise<SendOutcome> {
    const resource = await this.resourceOf(delivery);
    if (!resource?.id) return { ok: false, retryable: false, statusCode: null, error: `${delivery.resourceType}/${delivery.resourceId} is no longer there`, payloadHash: null };
    return sendRestHook({ endpoint: delivery.endpoint, headers: delivery.headers, payload: delivery.payload, resource: resource as Resource & { id: string }, at }, this.options.subscriptions.requestTimeoutMs);
  }

  private async resourceOf(delivery: ClaimedSubscriptionDelivery): Promise<Resource | undefined> {
    if (delivery.resourceType === 'Observation') return this.fhir.storedObservation(delivery.resourceId);
    const alert = await this.storage.alerts.get(delivery.resourceId);
    return alert ? alertToFlag(alert) : undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
