import type { Alert } from '@homeward/domain';
import { type EngineCarePlan, evaluatePatientRules, rulesLookBackMs } from '@homeward/rules';
import type { LaneCursors, MonitoredAdmission, PageWrites, ReadingStreamPage, Storage, StoredReading } from '@homeward/storage';
import { type AlertWriter, type Proposal, proposalOf } from './alert-writer';
import type { RulesEngineEvent } from './rules-engine.events';
import type { RulesEngineOptions } from './rules-engine.options';
import type { SilenceAndDeviceChecks } from './silence-and-device.checks';

/**
 * The rules over one page of committed readings: per patient on a virtual ward, the pure rules at
 * every measurement moment the new readings can change, plus the technical checks of new
 * readings; the alerts they propose are written with the page (ReadingStreamConsumer commits them
 * with its cursor) and published after the commit.
 */
export class ReadingsPass {
  constructor(
    private readonly storage: Storage,
    private readonly writer: AlertWriter,
    private readonly silence: SilenceAndDeviceChecks,
    private readonly publish: (event: RulesEngineEvent) => void,
    private readonly beforeCommit?: RulesEngineOptions['beforeCommit'],
  ) {}

  async onPage(page: ReadingStreamPage, now: Date): Promise<PageWrites> {
    const work: { admission: MonitoredAdmission; proposals: Proposal[]; answered: readonly Alert[] }[] = [];
    const byPatient = groupByPatient(page.readings);
    // One query for the page's admissions, not one per patient.
    const admissions = await this.storage.monitoring.activeAdmissionsOf([...byPatient.keys()]);
    for (const [patientId, fresh] of byPatient) {
      const admission = admissions.get(patientId);
      if (!admission) continue; // not on a virtual ward: stored, not monitored
      const plan = this.writer.planOf(admission);
      const checked = await this.silence.onReadings(admission, plan, fresh, now);
      work.push({ admission, proposals: [...(await this.evaluate(admission, plan, fresh, page.handled)), ...checked.proposals], answered: checked.answered });
    }
    const events: RulesEngineEvent[] = [];
    return {
      write: async (tx) => {
        events.length = 0; // a retried transaction starts again
        for (const { admission, proposals, answered } of work) {
          for (const proposal of proposals) {
            const event = await this.writer.raise(admission, proposal, now, tx);
            if (event) events.push(event);
          }
          events.push(...(await this.writer.resolveAnswered(answered, now, tx)));
        }
        await this.beforeCommit?.({ readings: page.readings.length, alerts: events.length, lane: page.lane });
      },
      committed: () => {
        for (const event of events) this.publish(event);
      },
    };
  }

  /**
   * The rules at every moment the new readings can change: each new reading's own measurement
   * time, and every later moment already evaluated (`handled`: at or before its lane's cursor when
   * the page was read) whose window reaches back to it: a late reading re-opens those. Later
   * moments still waiting after their cursor are left to their own page, which sees this page's
   * readings in its window; re-evaluating them here too made a backlog cost a whole window of
   * evaluations per reading.
   */
  private async evaluate(admission: MonitoredAdmission, plan: EngineCarePlan, fresh: readonly StoredReading[], handled: LaneCursors): Promise<Proposal[]> {
    const reach = rulesLookBackMs(plan.carePlan);
    const times = fresh.map((r) => r.measuredAt.getTime());
    const earliest = Math.min(...times);
    const latest = Math.max(...times);
    const reopened = (await this.storage.readings.momentsThrough(admission.patientId, { from: new Date(earliest + 1), to: new Date(latest + reach + 1) }, handled))
      .map((d) => d.getTime())
      .filter((t) => times.some((f) => t > f && t <= f + reach));
    const moments = [...new Set([...times, ...reopened])].sort((a, b) => a - b);
    const last = moments[moments.length - 1] ?? latest;
    const window = await this.storage.readings.inRange(admission.patientId, { from: new Date(earliest - reach), to: new Date(last + 1), limit: 100_000 });
    const proposals: Proposal[] = [];
    const seen = new Set<string>();
    for (const moment of moments) {
      for (const candidate of evaluatePatientRules(window, plan.carePlan, new Date(moment))) {
        const key = `${candidate.rule}|${candidate.subject}|${candidate.severity}|${candidate.readingIds.join(',')}|${candidate.measuredAt.getTime()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        proposals.push(proposalOf(candidate));
      }
    }
    return proposals;
  }
}

function groupByPatient(readings: readonly StoredReading[]): Map<string, StoredReading[]> {
  const groups = new Map<string, StoredReading[]>();
  for (const reading of readings) {
    const group = groups.get(reading.patientId);
    if (group) group.push(reading);
    else groups.set(reading.patientId, [reading]);
  }
  return groups;
}
