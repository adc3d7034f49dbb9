import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { HomewardMetrics } from '@homeward/observability';
import { type ClaimedDelivery, DELIVERIES_CHANNEL, type EscalationChannelKind, type Storage } from '@homeward/storage';
import { METRICS } from '../observability/observability.tokens';
import { type Clock, SYSTEM_CLOCK } from '../clock';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, decideAfterAttempt } from './delivery-schedule';
import { EscalationStreamService } from './escalation-stream.service';
import type { NotificationChannel, SendOutcome } from './notification-channel';
import { NOTIFICATIONS_OPTIONS, NOTIFICATIONS_STORAGE, type NotificationOptions } from './notifications.options';
import { WebhookChannel } from './webhook.channel';

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const BATCH = 20;

/** What one pass did, for tests and logs. */
export interface DeliveryPass {
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

/**
 * Sends the escalation deliveries queued in PostgreSQL. Each pass claims the deliveries due at the
 * clock's now (a lease, so several api processes share the work and a dead one's claims come due
 * again), sends each once through its contact's channel, and records the attempt with what comes
 * next, decided by decideAfterAttempt. Nothing is held in memory between passes: a restart resumes
 * whatever is pending. Woken at commit by the queueing transaction's notification; polls as a fallback.
 */
@Injectable()
export class NotificationDelivererService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EscalationDeliverer');
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly leaseMs: number;
  private readonly channels: ReadonlyMap<EscalationChannelKind, NotificationChannel>;
  private queue: Promise<unknown> = Promise.resolve();
  private passQueued = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private running = false;

  constructor(
    @Inject(NOTIFICATIONS_STORAGE) private readonly storage: Storage,
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: NotificationOptions,
    stream: EscalationStreamService,
    @Optional() @Inject(METRICS) private readonly metrics?: HomewardMetrics,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.random = options.random ?? Math.random;
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    // A claim outlives the slowest attempt, so a live deliverer never loses one it is still sending.
    this.leaseMs = Math.max(options.leaseMs ?? 0, timeoutMs * 3);
    const webhook = new WebhookChannel({ timeoutMs, publicUrl: options.publicUrl });
    this.channels = new Map<EscalationChannelKind, NotificationChannel>([
      [webhook.kind, webhook],
      [stream.kind, stream],
    ]);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.enabled !== false) await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Listens for queued deliveries, polls, and runs a first pass at once (what was pending before a restart). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.storage.db.listen) {
      try {
        this.stopListening = await this.storage.db.listen(DELIVERIES_CHANNEL, () => this.wake());
      } catch (error) {
        this.logger.warn(`cannot LISTEN ${DELIVERIES_CHANNEL} (${describe(error)}); polling only`);
      }
    }
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? DEFAULT_POLL_MS);
    this.pollTimer.unref();
    this.wake();
  }

  /** Stops waking and waits for the pass in progress; what it did not reach stays pending. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    const stopListening = this.stopListening;
    this.stopListening = undefined;
    await stopListening?.().catch(() => undefined);
    await this.queue.catch(() => undefined);
  }

  /** Sends everything due at the clock's now, one attempt each; resolves with what happened. */
  runDue(): Promise<DeliveryPass> {
    const result = this.queue.then(() => this.pass());
    this.queue = result.catch(() => undefined);
    return result;
  }

  private wake(): void {
    if (!this.running || this.passQueued) return;
    this.passQueued = true;
    void this.queue.then(() => {
      this.passQueued = false;
      if (!this.running) return undefined;
      return this.runDue().catch((error: unknown) => this.logger.error(`delivery pass failed: ${describe(error)}`));
    });
  }

  private async pass(): Promise<DeliveryPass> {
    const totals = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    for (;;) {
      const claimed = await this.storage.notifications.claimDue(this.clock.now(), { leaseMs: this.leaseMs, limit: BATCH });
      if (claimed.length === 0) return totals;
      const outcomes = await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
      for (const outcome of outcomes) {
        totals.attempted += 1;
        if (outcome === 'delivered') totals.delivered += 1;
        else if (outcome === 'retry') totals.retrying += 1;
        else if (outcome === 'failed') totals.failed += 1;
      }
      if (claimed.length < BATCH) return totals;
    }
  }

  private async attempt(delivery: ClaimedDelivery): Promise<'delivered' | 'retry' | 'failed' | 'lost'> {
    const attempt = delivery.attempts + 1;
    const at = this.clock.now();
    const started = performance.now();
    const outcome = await this.send(delivery, attempt, at);
    const decision = decideAfterAttempt({ attempt, result: outcome, now: at, policy: this.policy, random: this.random });
    const recorded = await this.storage.notifications.recordAttempt(delivery.id, {
      attempt,
      at,
      statusCode: outcome.statusCode,
      error: decision.outcome === 'failed' && decision.reason === 'max-attempts' ? `${outcome.error ?? 'failed'}; gave up after ${attempt} attempts` : outcome.error,
      durationMs: performance.now() - started,
      outcome: decision.outcome,
      nextAttemptAt: decision.outcome === 'retry' ? decision.nextAttemptAt : null,
      payloadHash: outcome.payloadHash,
    });
    // Ids only: a webhook URL may carry a token, and the secret never leaves the channel.
    const what = `escalation delivery ${delivery.id} (alert ${delivery.alertId}, contact ${delivery.contactId}, ${delivery.channel}) attempt ${attempt}`;
    if (!recorded) {
      this.logger.warn(`${what}: already recorded by another deliverer (its claim had lapsed)`);
      return 'lost';
    }
    this.metrics?.escalationDeliveryAttempts.inc({ channel: delivery.channel, outcome: decision.outcome });
    if (decision.outcome === 'retry') this.logger.warn(`${what} failed (${outcome.error ?? 'unknown'}); next at ${decision.nextAttemptAt.toISOString()}`);
    else if (decision.outcome === 'failed') this.logger.error(`${what} failed (${outcome.error ?? 'unknown'}); given up`);
    await this.reportToStaff(delivery, decision.outcome, attempt, outcome.statusCode, at);
    return decision.outcome;
  }

  /**
   * An escalation that reached nobody on a contact is a system alert every member of staff sees
   * (`escalation-delivery-failing`, one per contact), resolved by the next delivery to that contact
   * that succeeds. Failing to record it never fails the delivery pass.
   */
  private async reportToStaff(delivery: ClaimedDelivery, outcome: 'delivered' | 'retry' | 'failed', attempts: number, statusCode: number | null, at: Date): Promise<void> {
    const source = `${delivery.channel}:${delivery.contactId}`;
    const by = { type: 'system', id: 'escalation-deliverer' } as const;
    try {
      if (outcome === 'delivered') await this.storage.systemAlerts.clear('escalation-delivery-failing', source, at, by, 'A later escalation reached this contact.');
      else if (outcome === 'failed')
        await this.storage.systemAlerts.report(
          {
            kind: 'escalation-delivery-failing',
            source,
            summary:
              `An escalated alert could not be delivered to a ward's ${delivery.channel} escalation contact (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}): ` +
              'escalations may be reaching nobody there. Check the escalated alerts on the worklist and ask an admin to check the contact.',
            details: { channel: delivery.channel, contactId: delivery.contactId, alertId: delivery.alertId, deliveryId: delivery.id, attempts, statusCode },
          },
          at,
          by,
        );
    } catch (error) {
      this.logger.error(`could not record the escalation delivery problem as a system alert: ${describe(error)}`);
    }
  }

  private async send(delivery: ClaimedDelivery, attempt: number, at: Date): Promise<SendOutcome> {
    if (delivery.contactRemoved) return { ok: false, retryable: false, statusCode: null, error: 'the contact was removed before delivery', payloadHash: null };
    const channel = this.channels.get(delivery.channel);
    if (!channel) return { ok: false, retryable: false, statusCode: null, error: `no ${delivery.channel} channel in this process`, payloadHash: null };
    try {
      return await channel.send({ deliveryId: delivery.id, attempt, at, snapshot: delivery.payload, url: delivery.url, secret: delivery.secret });
    } catch (error) {
      return { ok: false, retryable: true, statusCode: null, error: describe(error), payloadHash: null };
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
