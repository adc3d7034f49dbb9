import type { Storage } from '@homeward/storage';
import type { AlertWriter } from './alert-writer';
import { RULES_ENGINE_ACTOR, type RulesEngineEvent } from './rules-engine.events';
import type { SilenceAndDeviceChecks } from './silence-and-device.checks';

/**
 * The engine's timer pass, as of `now`: open alerts escalate and remind on their severity's (the
 * ward's) timers; then silence and device problems of every admitted patient (the plan's expected
 * readings or the pathway's schedule) are judged against the clock, and cleared ones resolve.
 */
export class TimerPass {
  constructor(
    private readonly storage: Storage,
    private readonly writer: AlertWriter,
    private readonly silence: SilenceAndDeviceChecks,
    private readonly publish: (event: RulesEngineEvent) => void,
  ) {}

  /**
   * `between` runs after each admission's silence checks: the engine lets announced fresh readings
   * be evaluated there (a live red reading does not wait for the whole pass) and answers how many
   * it evaluated; the pass then re-reads its facts, so a reading evaluated meanwhile is seen.
   */
  async run(now: Date, between?: () => Promise<number>): Promise<void> {
    await this.escalate(now);
    await this.remind(now);
    await this.checkSilence(now, between);
  }

  private async escalate(now: Date): Promise<void> {
    const { alerts } = this.storage;
    for (const alert of await alerts.dueForEscalation(now)) {
      const minutes = this.writer.minutes('escalate', alert.severity, alert.wardId);
      const escalated = await alerts.transition(alert.id, {
        action: 'escalate',
        by: RULES_ENGINE_ACTOR,
        at: now,
        reason: `${capitalise(alert.severity)}-severity alert not acknowledged within ${minutes ?? '?'} minutes of being raised.`,
      });
      if (escalated.ok) this.publish({ type: 'escalated', alert: escalated.value });
    }
  }

  private async remind(now: Date): Promise<void> {
    const { alerts } = this.storage;
    for (const alert of await alerts.dueForReminder(now)) {
      const every = this.writer.minutes('remind', alert.severity, alert.wardId);
      const waited = Math.round((now.getTime() - alert.openedAt.getTime()) / 60_000);
      const reminded = await alerts.recordReminder(alert.id, {
        by: RULES_ENGINE_ACTOR,
        at: now,
        nextReminderAt: every === null ? null : new Date(now.getTime() + every * 60_000),
        note: `Still ${alert.state} ${waited} minutes after it was raised.`,
      });
      if (reminded) this.publish({ type: 'reminded', alert: reminded });
    }
  }

  private async checkSilence(now: Date, between?: () => Promise<number>): Promise<void> {
    let facts = await this.silence.passFacts(now);
    for (const admission of await this.storage.monitoring.activeAdmissions()) {
      if (between && (await between()) > 0) facts = await this.silence.passFacts(now);
      const { proposals, answered } = await this.silence.onTimer(admission, this.writer.planOf(admission), now, facts);
      if (proposals.length === 0 && answered.length === 0) continue;
      const events: RulesEngineEvent[] = [];
      await this.storage.db.transaction(async (tx) => {
        for (const proposal of proposals) {
          const event = await this.writer.raise(admission, proposal, now, tx);
          if (event) events.push(event);
        }
        events.push(...(await this.writer.resolveAnswered(answered, now, tx)));
      });
      for (const event of events) this.publish(event);
    }
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
