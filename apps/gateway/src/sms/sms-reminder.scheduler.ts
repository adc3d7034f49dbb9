import type { SmsConfig } from '@homeward/config';
import { PATHWAYS, type Pathway } from '@homeward/domain';
import { carePlanReminderHours, mapCarePlan, smsRemindersDue } from '@homeward/rules';
import type { Repositories } from '@homeward/storage';
import type { OutgoingText } from './sms-outbox';

export interface SmsReminderSchedulerOptions {
  readonly repositories: Pick<Repositories, 'sms' | 'readings'>;
  readonly send: (text: OutgoingText) => Promise<unknown>;
  readonly config: Pick<SmsConfig, 'reminderHours' | 'timeZone' | 'templates'>;
  readonly now: () => Date;
  readonly log: (message: string) => void;
}

/**
 * Reminders by SMS: every pass, for each admitted patient who can be texted, asks the pure
 * decision (smsRemindersDue in @homeward/rules) which overdue readings to remind of now, and
 * queues those texts with their once-only key; the store refuses a key it has seen, so a
 * reminder goes out once however many passes (or gateways) there are. A patient's reply is an
 * ordinary text, so it counts as the reading.
 */
export class SmsReminderScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: SmsReminderSchedulerOptions) {}

  /** One pass; resolves with the number of reminders queued. */
  async runOnce(): Promise<number> {
    const { repositories, config } = this.options;
    const now = this.options.now();
    let queued = 0;
    for (const recipient of await repositories.sms.reminderRecipients()) {
      if (!(PATHWAYS as readonly string[]).includes(recipient.pathway)) continue;
      const { expectedReadings } = mapCarePlan({ patientId: recipient.patientId, pathway: recipient.pathway as Pathway, carePlan: recipient.carePlan });
      const latest = await repositories.readings.latestPerVital(recipient.patientId, { asOf: now });
      const due = smsRemindersDue({
        patientId: recipient.patientId,
        expected: expectedReadings,
        latest,
        admittedAt: recipient.admittedAt,
        now,
        hours: carePlanReminderHours(recipient.carePlan) ?? config.reminderHours,
        timeZone: config.timeZone,
      });
      for (const reminder of due) {
        for (const number of recipient.numbers) {
          const body = config.templates.reminder.replaceAll('{reading}', reminder.reading).replaceAll('{example}', reminder.example);
          const sent = await this.options.send({ number, body, kind: 'reminder', patientId: recipient.patientId, reminderKey: `${reminder.key}:${number}` });
          if (sent) queued++;
        }
      }
    }
    return queued;
  }

  /** Passes every `intervalMs` (one at a time); a failed pass is logged and the next one tries again. */
  start(intervalMs = 5 * 60_000): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((error: unknown) => {
          this.options.log(`SMS reminders: pass failed: ${String(error)}`);
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
