import type { Alert, AlertActor } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import type { Clock } from './clock';

export const PIPELINE_STALL_RULE = 'pipeline-stalled';
export const PIPELINE_STALL_SUBJECT = 'rules-pipeline';
/** The one system alert of the pipeline (all processes report the same). */
export const PIPELINE_STALL_SYSTEM_SOURCE = 'rules';
export const PIPELINE_MONITOR_ACTOR: AlertActor = { type: 'system', id: 'pipeline-monitor' };

export interface PipelineStallSettings {
  /** The rules engine's consumer name (its cursor, or its partitions' cursors). */
  readonly consumer: string;
  /** The engine's partitions, when rules workers split patients; undefined: one cursor. */
  readonly partitions: number | undefined;
  /** Readings waiting unevaluated longer than this mean the pipeline has stalled. */
  readonly stallAfterMs: number;
  readonly clock: Clock;
}

export interface StallCheckResult {
  readonly raised: readonly Alert[];
  readonly resolved: readonly Alert[];
  /** Patients whose readings wait unevaluated beyond the limit (confirmed or not yet). */
  readonly waiting: number;
}

/**
 * The pipeline-stall technical alert. Readings reach the store (gateway → ingest) and are then
 * evaluated by the rules engine; if that path stalls (workers dead, engine failing every pass,
 * a transaction holding the stream back) the worklist would look calm while nobody is checking
 * the readings. So, per monitored patient whose readings have waited unevaluated longer than
 * `stallAfterMs`, an alert goes on the patient's ward worklist telling the nurse the absence of
 * alerts means nothing; it resolves itself once that patient's readings are evaluated again.
 *
 * A patient must be found waiting at two successive checks before the alert is raised, so a
 * batch of old readings uploaded late (a hub back online) and evaluated a moment later does not
 * raise it. Safe to run in several processes at once: raising is idempotent per episode.
 *
 * Besides the patients' alerts, one `pipeline-stalled` system alert (GET /api/system-alerts,
 * for every member of staff, patients on a virtual ward or not) is open while any patient's
 * readings are confirmed waiting, and resolved by the check that finds none.
 */
export class PipelineStallMonitor {
  /** Patients waiting at the last check → the oldest waiting reading's arrival (ms). */
  private suspects = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    private readonly settings: PipelineStallSettings,
  ) {}

  async check(): Promise<StallCheckResult> {
    const { alerts, monitoring, partitions } = this.storage;
    const now = this.settings.clock.now();
    const waiting = await partitions.unevaluated(this.settings.consumer, this.settings.partitions, new Date(now.getTime() - this.settings.stallAfterMs));
    const previous = this.suspects;
    this.suspects = new Map(waiting.map((w) => [w.patientId, w.oldestReceivedAt.getTime()]));

    const raised: Alert[] = [];
    const open = await alerts.unresolvedOfRule(PIPELINE_STALL_RULE);
    const openFor = new Set(open.map((a) => a.patientId));
    for (const stalled of waiting) {
      if (!previous.has(stalled.patientId) || openFor.has(stalled.patientId)) continue;
      const admission = await monitoring.activeAdmission(stalled.patientId);
      if (!admission) continue; // not on a virtual ward: nobody relies on its alerts
      const minutes = Math.max(1, Math.round((now.getTime() - stalled.oldestReceivedAt.getTime()) / 60_000));
      const result = await alerts.raise({
        patientId: stalled.patientId,
        wardId: admission.wardId,
        rule: PIPELINE_STALL_RULE,
        subject: PIPELINE_STALL_SUBJECT,
        severity: 'medium',
        explanation:
          `Technical alert: ${stalled.count} reading${stalled.count === 1 ? '' : 's'} from this patient arrived up to ${minutes} min ago ` +
          'but the rules have not checked them, because Homeward\'s processing has stalled. No alert does not mean this patient is well: ' +
          'review their latest readings yourself and tell the on-call engineer.',
        details: { technical: true, unevaluatedReadings: stalled.count, oldestReceivedAt: stalled.oldestReceivedAt.toISOString(), stallAfterSeconds: this.settings.stallAfterMs / 1000 },
        latestValue: null,
        measuredAt: stalled.oldestReceivedAt,
        readingIds: [],
        // A nurse who resolved this stall's alert is not asked again for the same waiting readings.
        evidenceReceivedAt: stalled.oldestReceivedAt,
        at: now,
        escalationDueAt: null,
        nextReminderAt: null,
        by: PIPELINE_MONITOR_ACTOR,
      });
      if (result.kind === 'raised') raised.push(result.alert);
    }

    const resolved: Alert[] = [];
    const stillWaiting = new Set(waiting.map((w) => w.patientId));
    for (const alert of open.filter((a) => !stillWaiting.has(a.patientId))) {
      const done = await alerts.transition(alert.id, {
        action: 'resolve',
        by: PIPELINE_MONITOR_ACTOR,
        at: now,
        outcome: 'reading-received',
        selfResolving: true,
        reason: 'The rules are checking this patient\'s readings again.',
      });
      if (done.ok) resolved.push(done.value);
    }
    await this.reportSystemProblem(waiting.filter((w) => previous.has(w.patientId)), now);
    return { raised, resolved, waiting: waiting.length };
  }

  private async reportSystemProblem(confirmed: ReadonlyArray<{ readonly count: number; readonly oldestReceivedAt: Date }>, now: Date): Promise<void> {
    const by = PIPELINE_MONITOR_ACTOR;
    if (confirmed.length === 0) {
      await this.storage.systemAlerts.clear(PIPELINE_STALL_RULE, PIPELINE_STALL_SYSTEM_SOURCE, now, by, 'The rules are checking the readings again.');
      return;
    }
    const readings = confirmed.reduce((sum, w) => sum + w.count, 0);
    const oldest = Math.min(...confirmed.map((w) => w.oldestReceivedAt.getTime()));
    const minutes = Math.max(1, Math.round((now.getTime() - oldest) / 60_000));
    await this.storage.systemAlerts.report(
      {
        kind: PIPELINE_STALL_RULE,
        source: PIPELINE_STALL_SYSTEM_SOURCE,
        summary:
          `Homeward's rules have not checked ${readings} reading${readings === 1 ? '' : 's'} from ${confirmed.length} patient${confirmed.length === 1 ? '' : 's'} ` +
          `for up to ${minutes} min: the worklist may be missing alerts. Review patients' latest readings yourself and tell the on-call engineer.`,
        details: { patientsWaiting: confirmed.length, unevaluatedReadings: readings, oldestReceivedAt: new Date(oldest).toISOString(), stallAfterSeconds: this.settings.stallAfterMs / 1000 },
      },
      now,
      by,
    );
  }
}
