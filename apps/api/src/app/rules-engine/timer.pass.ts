import type { Storage } from '@homeward/storage';
import type { AlertWriter } from './alert-writer';
import { RULES_ENGINE_ACTOR, type RulesEngineEvent } from './rules-engine.events';
import type { SilenceAndDeviceChecks } from './silence-and-device.checks';
import { errorMessage } from './error-message';

/** The system alert of timed checks that failed (SystemAlertKind), and its one source. */
export const TIMED_CHECKS_FAILING = 'timed-checks-failing';
export const TIMED_CHECKS_SOURCE = 'rules-timers';
/** A system alert names at most this many failed checks (its `failed` count is the whole). */
const FAILURES_NAMED = 20;

/**
 * A timed check that failed in a pass: the pass went on with every other alert and patient. The
 * step's listing failed when there is neither an alert nor an admission.
 */
export interface TimedCheckFailure {
  readonly check: 'escalation' | 'reminder' | 'silence-and-devices';
  readonly alertId?: string;
  readonly admissionId?: string;
  readonly patientId?: string;
  readonly error: string;
}

/**
 * The engine's timer pass, as of `now`: open alerts escalate and remind on their severity's (the
 * ward's) timers; then silence and device problems of every admitted patient (the plan's expected
 * readings or the pathway's schedule) are judged against the clock, and cleared ones resolve.
 *
 * Each alert's escalation or reminder and each admission's checks stand alone: one that fails (a
 * lock timeout on one alert, one patient's data the checks cannot read) is logged, named in the
 * `timed-checks-failing` system alert every member of staff sees, and tried again next pass,
 * while the rest of the ward is still checked. The first pass with no failure resolves that alert.
 */
export class TimerPass {
  constructor(
    private readonly storage: Storage,
    private readonly writer: AlertWriter,
    private readonly silence: SilenceAndDeviceChecks,
    private readonly publish: (event: RulesEngineEvent) => void,
    private readonly logError: (message: string) => void = () => undefined,
  ) {}

  /**
   * `between` runs after each admission's silence checks: the engine lets announced fresh readings
   * be evaluated there (a live red reading does not wait for the whole pass) and answers how many
   * it evaluated; the pass then re-reads its facts, so a reading evaluated meanwhile is seen.
   * The checks that failed, each already logged and reported.
   */
  async run(now: Date, between?: () => Promise<number>): Promise<readonly TimedCheckFailure[]> {
    const failures: TimedCheckFailure[] = [];
    const attempt = async (failure: Omit<TimedCheckFailure, 'error'>, check: () => Promise<void>) => {
      try {
        await check();
      } catch (error) {
        failures.push({ ...failure, error: errorMessage(error) });
      }
    };
    await attempt({ check: 'escalation' }, () => this.escalate(now, attempt));
    await attempt({ check: 'reminder' }, () => this.remind(now, attempt));
    await attempt({ check: 'silence-and-devices' }, () => this.checkSilence(now, attempt, between));
    await this.report(failures, now);
    return failures;
  }

  private async escalate(now: Date, attempt: Attempt): Promise<void> {
    const { alerts } = this.storage;
    for (const alert of await alerts.dueForEscalation(now)) {
      await attempt({ check: 'escalation', alertId: alert.id, patientId: alert.patientId }, async () => {
        const minutes = this.writer.minutes('escalate', alert.severity, alert.wardId);
        const escalated = await alerts.transition(alert.id, {
          action: 'escalate',
          by: RULES_ENGINE_ACTOR,
          at: now,
          reason: `${capitalise(alert.severity)}-severity alert not acknowledged within ${minutes ?? '?'} minutes of being raised.`,
        });
        if (escalated.ok) this.publish({ type: 'escalated', alert: escalated.value });
      });
    }
  }

  private async remind(now: Date, attempt: Attempt): Promise<void> {
    const { alerts } = this.storage;
    for (const alert of await alerts.dueForReminder(now)) {
      await attempt({ check: 'reminder', alertId: alert.id, patientId: alert.patientId }, async () => {
        const every = this.writer.minutes('remind', alert.severity, alert.wardId);
        const waited = Math.round((now.getTime() - alert.openedAt.getTime()) / 60_000);
        const reminded = await alerts.recordReminder(alert.id, {
          by: RULES_ENGINE_ACTOR,
          at: now,
          nextReminderAt: every === null ? null : new Date(now.getTime() + every * 60_000),
          note: `Still ${alert.state} ${waited} minutes after it was raised.`,
        });
        if (reminded) this.publish({ type: 'reminded', alert: reminded });
      });
    }
  }

  private async checkSilence(now: Date, attempt: Attempt, between?: () => Promise<number>): Promise<void> {
    let facts = await this.silence.passFacts(now);
    let evaluateFresh = between;
    for (const admission of await this.storage.monitoring.activeAdmissions()) {
      try {
        if (evaluateFresh && (await evaluateFresh()) > 0) facts = await this.silence.passFacts(now);
      } catch (error) {
        // Not a timed check: the readings stay unevaluated for the engine's next drain, which retries them.
        evaluateFresh = undefined;
        this.logError(`evaluating fresh readings between timed checks failed, left to the next drain: ${errorMessage(error)}`);
      }
      await attempt({ check: 'silence-and-devices', admissionId: admission.admissionId, patientId: admission.patientId }, async () => {
        const { proposals, answered } = await this.silence.onTimer(admission, this.writer.planOf(admission), now, facts);
        if (proposals.length === 0 && answered.length === 0) return;
        const events: RulesEngineEvent[] = [];
        await this.storage.db.transaction(async (tx) => {
          for (const proposal of proposals) {
            const event = await this.writer.raise(admission, proposal, now, tx);
            if (event) events.push(event);
          }
          events.push(...(await this.writer.resolveAnswered(answered, now, tx)));
        });
        for (const event of events) this.publish(event);
      });
    }
  }

  /** Logs each failure and keeps the system alert in step: reported while checks fail, cleared by a pass without failures. */
  private async report(failures: readonly TimedCheckFailure[], now: Date): Promise<void> {
    for (const failure of failures) this.logError(`timed check failed (${describeFailure(failure)}), tried again next pass: ${failure.error}`);
    try {
      if (failures.length === 0) {
        await this.storage.systemAlerts.clear(TIMED_CHECKS_FAILING, TIMED_CHECKS_SOURCE, now, RULES_ENGINE_ACTOR, 'The timed checks ran for every alert and patient again.');
        return;
      }
      const patients = new Set(failures.map((f) => f.patientId ?? 'unknown')).size;
      const whole = failures.some((f) => f.patientId === undefined);
      await this.storage.systemAlerts.report(
        {
          kind: TIMED_CHECKS_FAILING,
          source: TIMED_CHECKS_SOURCE,
          summary:
            `Homeward's timed checks (escalations, reminders, silence and device checks) failed ` +
            (whole ? 'for part of the ward' : `for ${patients} patient${patients === 1 ? '' : 's'}`) +
            ': their escalation, reminder, silence or device alerts may be missing or late. Review those patients yourself and tell the on-call engineer.',
          details: { failed: failures.length, failures: failures.slice(0, FAILURES_NAMED) },
        },
        now,
        RULES_ENGINE_ACTOR,
      );
    } catch (error) {
      this.logError(`could not record the timed checks' state as a system alert: ${errorMessage(error)}`);
    }
  }
}

type Attempt = (failure: Omit<TimedCheckFailure, 'error'>, check: () => Promise<void>) => Promise<void>;

function describeFailure(failure: TimedCheckFailure): string {
  const what = failure.alertId ? `alert ${failure.alertId}` : failure.admissionId ? `admission ${failure.admissionId}` : 'listing';
  return `${failure.check}, ${what}${failure.patientId ? `, patient ${failure.patientId}` : ''}`;
}


function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
