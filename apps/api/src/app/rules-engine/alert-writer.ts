import type { Alert, AlertSeverityBand } from '@homeward/domain';
import { type AlertCandidate, type EngineCarePlan, mapCarePlan } from '@homeward/rules';
import type { MonitoredAdmission, RaiseAlertInput, RaiseAlertResult, SqlClient, Storage } from '@homeward/storage';
import { DEFAULT_ESCALATE_AFTER_MINUTES, DEFAULT_REMIND_EVERY_MINUTES, type MinutesBySeverity, type RulesEngineOptions } from './rules-engine.options';
import { RULES_ENGINE_ACTOR, type RulesEngineEvent } from './rules-engine.events';
import { resolveReason } from './silence-and-device.checks';

/** A proposal from any rule, ready for AlertRepository.raise. */
export type Proposal = Omit<RaiseAlertInput, 'wardId' | 'at' | 'escalationDueAt' | 'nextReminderAt' | 'by'>;

/**
 * The engine's side effects on alerts, shared by the readings pass and the timer pass: raise a
 * proposal on the ward's timers, resolve what has cleared, read a care plan (its problems logged
 * once per admission and set of problems, not every pass).
 */
export class AlertWriter {
  private readonly reportedPlanProblems = new Set<string>();

  constructor(
    private readonly storage: Storage,
    private readonly options: Pick<RulesEngineOptions, 'escalateAfterMinutes' | 'remindEveryMinutes' | 'wards'>,
    private readonly warn: (message: string) => void,
  ) {}

  planOf(admission: MonitoredAdmission): EngineCarePlan {
    const plan = mapCarePlan(admission);
    const problems = `${admission.admissionId}: ${plan.problems.join('; ')}`;
    if (plan.problems.length > 0 && !this.reportedPlanProblems.has(problems)) {
      this.reportedPlanProblems.add(problems);
      this.warn(`care plan of admission ${admission.admissionId}: ${plan.problems.join('; ')} (pathway defaults used for those parts)`);
    }
    return plan;
  }

  /** Raises (or updates, re-opens as worsened) through decideAlert in AlertRepository.raise. */
  async raise(admission: MonitoredAdmission, proposal: Proposal, now: Date, tx: SqlClient): Promise<RulesEngineEvent | undefined> {
    return eventOf(await this.storage.alerts.raise(this.inputOf(admission, proposal, now), tx));
  }

  /**
   * raise for many proposals, in order, with the same alerts, events and trail, through
   * AlertRepository.raiseMany (their episodes read in three statements): the event of each, or undefined.
   */
  async raiseMany(proposals: readonly { readonly admission: MonitoredAdmission; readonly proposal: Proposal }[], now: Date, tx: SqlClient): Promise<(RulesEngineEvent | undefined)[]> {
    const results = await this.storage.alerts.raiseMany(
      proposals.map(({ admission, proposal }) => this.inputOf(admission, proposal, now)),
      tx,
    );
    return results.map(eventOf);
  }

  /** A proposal on the ward's timers for its severity, by the engine, as of now. */
  private inputOf(admission: MonitoredAdmission, proposal: Proposal, now: Date): RaiseAlertInput {
    const escalate = this.minutes('escalate', proposal.severity, admission.wardId);
    const remind = this.minutes('remind', proposal.severity, admission.wardId);
    return {
      ...proposal,
      wardId: admission.wardId,
      at: now,
      escalationDueAt: escalate === null ? null : new Date(now.getTime() + escalate * 60_000),
      nextReminderAt: remind === null ? null : new Date(now.getTime() + remind * 60_000),
      by: RULES_ENGINE_ACTOR,
    };
  }

  /** Resolves alerts whose condition has cleared: silences, technical problems (SELF_RESOLVING_RULES). */
  async resolveAnswered(answered: readonly Alert[], now: Date, tx: SqlClient): Promise<RulesEngineEvent[]> {
    const events: RulesEngineEvent[] = [];
    for (const alert of answered) {
      const resolved = await this.storage.alerts.transition(
        alert.id,
        { action: 'resolve', by: RULES_ENGINE_ACTOR, at: now, outcome: 'reading-received', selfResolving: true, reason: resolveReason(alert.rule) },
        tx,
      );
      if (resolved.ok) events.push({ type: 'resolved', alert: resolved.value });
    }
    return events;
  }

  /** The ward's timer for a severity, else the engine's, else the default. */
  minutes(kind: 'escalate' | 'remind', severity: AlertSeverityBand, wardId: string): number | null {
    const key = kind === 'escalate' ? 'escalateAfterMinutes' : 'remindEveryMinutes';
    const defaults: MinutesBySeverity = kind === 'escalate' ? DEFAULT_ESCALATE_AFTER_MINUTES : DEFAULT_REMIND_EVERY_MINUTES;
    const ward = this.options.wards?.[wardId]?.[key]?.[severity];
    if (ward !== undefined) return ward;
    const engine = this.options[key]?.[severity];
    return engine !== undefined ? engine : defaults[severity];
  }
}

export function proposalOf(candidate: AlertCandidate): Proposal {
  const received = candidate.readings.map((r) => r.receivedAt.getTime());
  return {
    patientId: candidate.patientId,
    rule: candidate.rule,
    subject: candidate.subject,
    severity: candidate.severity,
    explanation: candidate.explanation,
    details: candidate.details,
    latestValue: latestValueOf(candidate),
    measuredAt: candidate.measuredAt,
    readingIds: candidate.readingIds,
    evidenceReceivedAt: received.length > 0 ? new Date(Math.max(...received)) : candidate.measuredAt,
  };
}

/** The number a nurse scans first: the NEWS2 score, the vital's value, the latest weight. */
function latestValueOf(candidate: AlertCandidate): number | null {
  const d = candidate.details;
  for (const key of ['score', 'value', 'latestKg']) {
    const value = d[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

function eventOf(result: RaiseAlertResult): RulesEngineEvent | undefined {
  return result.kind === 'raised' || result.kind === 'repeated' || result.kind === 'worsened' ? { type: result.kind, alert: result.alert } : undefined;
}
