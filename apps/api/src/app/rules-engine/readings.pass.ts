import type { Alert } from '@homeward/domain';
import { type EngineCarePlan, TREND_VITALS, evaluatePatientRules, rulesLookBack, when } from '@homeward/rules';
import type { MonitoredAdmission, PageWrites, ReadingStreamPage, SqlClient, Storage, StoredReading } from '@homeward/storage';
import { type AlertWriter, type Proposal, proposalOf } from './alert-writer';
import { RULES_ENGINE_ACTOR, type RulesEngineEvent } from './rules-engine.events';
import type { RulesEngineOptions } from './rules-engine.options';
import type { SilenceAndDeviceChecks } from './silence-and-device.checks';
import { errorMessage } from './error-message';

/** A monitored patient of a page, as the page evaluates them. */
interface PatientOfPage {
  readonly admission: MonitoredAdmission;
  readonly plan: EngineCarePlan;
  /** The page's readings of this patient. */
  readonly fresh: readonly StoredReading[];
  /** How far back a moment's rules look (rulesLookBack of the plan: the reach, for the trend vitals). */
  readonly reach: number;
  /** How far back a moment's rules look at every vital (the current window). */
  readonly current: number;
  readonly times: readonly number[];
}

/**
 * The technical alert of a patient whose readings the clinical rules failed on (a fault in
 * Homeward, met by this patient's data or care plan): on the ward's worklist, severity medium as a
 * stalled pipeline's, and resolved only by a person who has reviewed the readings.
 */
export const RULES_FAILED_RULE = 'rules-failed';
export const RULES_FAILED_SUBJECT = 'clinical-rules';
/** The same alert's subject when the device and silence checks failed on the readings (the clinical rules ran). */
export const DEVICE_CHECKS_FAILED_SUBJECT = 'device-checks';
/** The system alert of such failures (SystemAlertKind, an event: it stays until a person resolves it), and its one source. */
export const RULES_EVALUATION_FAILED = 'rules-evaluation-failed';
export const RULES_EVALUATION_SOURCE = 'rules';
/** A system alert names at most this many patients (its `patients` count is the whole). */
const FAILED_PATIENTS_NAMED = 20;

/** The clinical rules at one moment (evaluatePatientRules). */
export type PatientRules = typeof evaluatePatientRules;

/** A window is read at most this many readings per patient (as inRange would be asked). */
const WINDOW_LIMIT = 100_000;
/**
 * How much of a page is read per step: patients per re-opened-moments statement, readings per
 * windows statement (a patient's whole window, up to WINDOW_LIMIT, always fits). A late page takes
 * smaller steps and yields to the fresh lane between them; a fresh page reads in as few as it can.
 * While no fresh reading flows, a step of 100 patients (two statements, their rows bounded) keeps
 * a page of late readings from many patients from costing two statements per ten of them.
 */
const FRESH_STEP = { patients: 1_000, rows: 100_000 };
const LATE_STEP = { patients: 100, rows: 20_000 };
/** Smaller still while live readings flow (ReadingStreamPage.firstLaneBusy): a statement of 20,000 rows took ~300 ms on a loaded machine. */
const LATE_STEP_WHILE_LIVE = { patients: 2, rows: 2_000 };

/**
 * The rules over one page of committed readings: per patient on a virtual ward, the pure rules at
 * every measurement moment the new readings can change, plus the technical checks of new
 * readings; the alerts they propose are written with the page (ReadingStreamConsumer commits them
 * with its cursor) and published after the commit.
 *
 * Set-based: whatever the page's patients need is read for all of them at once (admissions,
 * unresolved alerts, re-opened moments, then their windows a bounded number of rows per
 * statement), the rules run in memory, and the proposals are written through one raiseMany (their
 * episodes read in three statements). A page costs a handful of round trips, not several per
 * patient.
 */
export class ReadingsPass {
  constructor(
    private readonly storage: Storage,
    private readonly writer: AlertWriter,
    private readonly silence: SilenceAndDeviceChecks,
    private readonly publish: (event: RulesEngineEvent) => void,
    private readonly beforeCommit?: RulesEngineOptions['beforeCommit'],
    private readonly rules: PatientRules = evaluatePatientRules,
    private readonly logError: (message: string) => void = () => undefined,
  ) {}

  /**
   * One patient's clinical rules failing (an exception from the rules on their readings) does not
   * hold up the page: the other patients' alerts are written, and that patient gets the
   * `rules-failed` alert naming the readings nobody has checked, so the nurse reviews them by hand.
   * The failure is logged and reported as the `rules-evaluation-failed` system alert. So with the
   * device and silence checks on their readings (the `rules-failed` alert about `device-checks`).
   * A failure of the store is not a patient's: the page fails and is tried again, as before.
   */
  async onPage(page: ReadingStreamPage, now: Date): Promise<PageWrites> {
    const patients = await this.monitoredOf(page.readings);
    const ids = patients.map((p) => p.admission.patientId);
    const failed = new Map<string, string>();
    const [unresolved, evaluated] = await Promise.all([this.storage.alerts.unresolvedForPatients(ids), this.evaluate(patients, page, failed)]);
    const checksFailed = new Map<string, string>();
    const work: { admission: MonitoredAdmission; proposals: Proposal[]; answered: readonly Alert[] }[] = [];
    for (const { admission, plan, fresh } of patients) {
      const patientId = admission.patientId;
      // Reads the store only for a patient with a silence open (rare); the rest is in memory.
      const checked = await this.silence.onReadings(admission, plan, fresh, now, unresolved.get(patientId) ?? []);
      if (checked.failed) checksFailed.set(patientId, checked.failed.error);
      const error = failed.get(patientId);
      // What the rules found at the moments before the one that failed stands, beside the failure.
      const proposals = [
        ...(evaluated.get(patientId) ?? []),
        ...(error === undefined ? [] : [rulesFailedProposal(patientId, fresh, error, now, 'clinical')]),
        ...checked.proposals,
        ...(checked.failed ? [rulesFailedProposal(patientId, fresh, checked.failed.error, now, checked.failed.part)] : []),
      ];
      work.push({ admission, proposals, answered: checked.answered });
    }
    for (const [patientId, error] of failed) this.logError(`clinical rules failed for patient ${patientId} (${page.lane} page): ${error}; raised ${RULES_FAILED_RULE} for their readings`);
    for (const [patientId, error] of checksFailed) this.logError(`device and silence checks failed for patient ${patientId} (${page.lane} page): ${error}; raised ${RULES_FAILED_RULE} (${DEVICE_CHECKS_FAILED_SUBJECT}) for their readings`);
    const failures = [...[...failed].map(([id, error]) => [id, `clinical rules ${error}`] as const), ...[...checksFailed].map(([id, error]) => [id, `device and silence checks: ${error}`] as const)];
    const events: RulesEngineEvent[] = [];
    return {
      write: async (tx) => {
        events.length = 0; // a retried transaction starts again
        // With the page: a page rolled back (and evaluated again) reports nothing of its own.
        if (failures.length > 0) await this.reportFailures(failures, now, tx);
        const raised = await this.writer.raiseMany(
          work.flatMap(({ admission, proposals }) => proposals.map((proposal) => ({ admission, proposal }))),
          now,
          tx,
        );
        let next = 0;
        // Published per patient as before: its raises, then what it answered.
        for (const { proposals, answered } of work) {
          for (const event of raised.slice(next, next + proposals.length)) if (event) events.push(event);
          next += proposals.length;
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
   * Reports the page's failures as the `rules-evaluation-failed` system alert (an event every
   * member of staff sees until a person resolves it), in the page's transaction: it accumulates
   * the patients (up to FAILED_PATIENTS_NAMED named, all counted) until someone resolves it.
   */
  private async reportFailures(failed: readonly (readonly [string, string])[], now: Date, tx: SqlClient): Promise<void> {
    const seen = (known: readonly string[], count: number, errors: readonly string[]) => {
      const fresh = [...new Set(failed.map(([patientId]) => patientId))].filter((id) => !known.includes(id));
      const patients = count + fresh.length;
      return {
        summary:
          `Homeward's rules failed on the readings of ${patients} patient${patients === 1 ? '' : 's'}: each has a "rules failed" alert on their ward's worklist, ` +
          'and their readings must be reviewed by hand. Tell the on-call engineer (the log names the fault).',
        details: {
          patients,
          patientIds: [...known, ...fresh].slice(0, FAILED_PATIENTS_NAMED),
          errors: [...new Set([...errors, ...failed.map(([, error]) => error)])].slice(0, FAILED_PATIENTS_NAMED),
        },
      };
    };
    await this.storage.systemAlerts.report({ kind: RULES_EVALUATION_FAILED, source: RULES_EVALUATION_SOURCE, ...seen([], 0, []) }, now, RULES_ENGINE_ACTOR, {
      client: tx,
      mergeWith: (current) => {
        const known = Array.isArray(current.details['patientIds']) ? (current.details['patientIds'] as unknown[]).filter((id): id is string => typeof id === 'string') : [];
        const count = typeof current.details['patients'] === 'number' ? current.details['patients'] : known.length;
        const errors = Array.isArray(current.details['errors']) ? (current.details['errors'] as unknown[]).filter((e): e is string => typeof e === 'string') : [];
        return seen(known, count, errors);
      },
    });
  }

  /** The page's patients on a virtual ward (one query for their admissions), with their plans. */
  private async monitoredOf(readings: readonly StoredReading[]): Promise<PatientOfPage[]> {
    const byPatient = groupByPatient(readings);
    const admissions = await this.storage.monitoring.activeAdmissionsOf([...byPatient.keys()]);
    const patients: PatientOfPage[] = [];
    for (const [patientId, fresh] of byPatient) {
      const admission = admissions.get(patientId);
      if (!admission) continue; // not on a virtual ward: stored, not monitored
      const plan = this.writer.planOf(admission);
      const lookBack = rulesLookBack(plan.carePlan);
      patients.push({ admission, plan, fresh, reach: lookBack.reachMs, current: lookBack.currentMs, times: fresh.map((r) => r.measuredAt.getTime()) });
    }
    return patients;
  }

  /**
   * The rules at every moment the new readings can change: each new reading's own measurement
   * time, and every later moment already evaluated (`handled`: at or before its lane's cursor when
   * the page was read) whose window reaches back to it: a late reading re-opens those. Later
   * moments still waiting after their cursor are left to their own page, which sees this page's
   * readings in its window; re-evaluating them here too made a backlog cost a whole window of
   * evaluations per reading. By patient. A late page yields to waiting fresh pages after each
   * patient (ReadingStreamPage.yieldToFirstLane).
   */
  private async evaluate(patients: readonly PatientOfPage[], page: ReadingStreamPage, failed: Map<string, string>): Promise<Map<string, Proposal[]>> {
    const proposals = new Map<string, Proposal[]>();
    // A late page reads in smaller steps, so the fresh lane it yields to never waits for a long statement.
    const late = page.lane === 'late';
    const step = !late ? FRESH_STEP : page.firstLaneBusy ? LATE_STEP_WHILE_LIVE : LATE_STEP;
    for (let i = 0; i < patients.length; i += step.patients) {
      const chunk = patients.slice(i, i + step.patients);
      const span = (p: PatientOfPage) => ({ earliest: Math.min(...p.times), latest: Math.max(...p.times) });
      const reopened = await this.storage.readings.momentsThroughMany(
        chunk.map((p) => ({ patientId: p.admission.patientId, from: new Date(span(p).earliest + 1), to: new Date(span(p).latest + p.reach + 1) })),
        page.handled,
      );
      const moments = new Map<string, number[]>();
      const ranges = chunk.map((p) => {
        const { earliest, latest } = span(p);
        const later = (reopened.get(p.admission.patientId) ?? []).map((d) => d.getTime()).filter((t) => p.times.some((f) => t > f && t <= f + p.reach));
        const all = [...new Set([...p.times, ...later])].sort((a, b) => a - b);
        moments.set(p.admission.patientId, all);
        const last = all[all.length - 1] ?? latest;
        // Every vital of the current window, and before it only the trend vitals (rulesLookBack):
        // the same candidates from far fewer rows for most patients.
        return { patientId: p.admission.patientId, from: new Date(earliest - p.current), earlierFrom: new Date(earliest - p.reach), to: new Date(last + 1) };
      });
      const plans = new Map(chunk.map((p) => [p.admission.patientId, p.plan]));
      await page.yieldToFirstLane();
      await this.storage.readings.eachWindow(
        ranges,
        WINDOW_LIMIT,
        async (patientId, window) => {
          const plan = plans.get(patientId);
          // A late patient's moments can take a second of CPU (a backfill re-opens days of them): the
          // page yields between moments too, not only between patients.
          if (plan) {
            const outcome = await proposalsAt(this.rules, window, plan, moments.get(patientId) ?? [], late ? page.yieldToFirstLane : undefined);
            proposals.set(patientId, outcome.proposals);
            if (outcome.error !== undefined) failed.set(patientId, outcome.error);
          }
          await page.yieldToFirstLane();
        },
        step.rows,
        { vitals: TREND_VITALS },
      );
    }
    return proposals;
  }

}

/**
 * The pure rules at each moment over one window, each distinct candidate once; `between` runs
 * after each moment. An exception from the rules is this patient's failure (`error`, with what
 * the moments before it proposed); one from `between` (the fresh lane's page) is not, and goes on up.
 */
async function proposalsAt(
  rules: PatientRules,
  window: readonly StoredReading[],
  plan: EngineCarePlan,
  moments: readonly number[],
  between?: () => Promise<void>,
): Promise<{ readonly proposals: Proposal[]; readonly error?: string }> {
  const proposals: Proposal[] = [];
  const seen = new Set<string>();
  for (const moment of moments) {
    try {
      const found: Proposal[] = [];
      for (const candidate of rules(window, plan.carePlan, new Date(moment))) {
        const key = `${candidate.rule}|${candidate.subject}|${candidate.severity}|${candidate.readingIds.join(',')}|${candidate.measuredAt.getTime()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        found.push(proposalOf(candidate));
      }
      proposals.push(...found);
    } catch (error) {
      return { proposals, error: `at ${new Date(moment).toISOString()}: ${errorMessage(error)}` };
    }
    await between?.();
  }
  return { proposals };
}

/**
 * The technical alert for a patient whose page readings the rules failed on. `clinical`: NEWS2,
 * limits and trends did not run on them (medium, as a stalled pipeline). `device`: those ran, but
 * the device and silence checks did not (clock, late delivery, a silence the readings end), so a
 * silence may still show and a device problem go unflagged (low, as the device problems).
 * `answers`: the device problems were looked for too, but not which open silence or device alert
 * the readings end, so such an alert may still show (low).
 */
function rulesFailedProposal(patientId: string, fresh: readonly StoredReading[], error: string, now: Date, part: 'clinical' | 'device' | 'answers'): Proposal {
  const latest = new Date(fresh.reduce((t, r) => Math.max(t, r.measuredAt.getTime()), 0));
  const received = new Date(fresh.reduce((t, r) => Math.max(t, r.receivedAt.getTime()), 0));
  const count = fresh.length;
  const readings = `${count} reading${count === 1 ? '' : 's'} from this patient (latest measured ${when(latest, now)})`;
  return {
    patientId,
    rule: RULES_FAILED_RULE,
    subject: part === 'clinical' ? RULES_FAILED_SUBJECT : DEVICE_CHECKS_FAILED_SUBJECT,
    severity: part === 'clinical' ? 'medium' : 'low',
    explanation:
      part === 'clinical'
        ? `Technical alert: Homeward's clinical rules failed on ${readings}, so ${count === 1 ? 'it has' : 'they have'} not been checked for NEWS2, limits or trends. ` +
          'No alert does not mean this patient is well: review these readings yourself, and tell the on-call engineer.'
        : part === 'device'
          ? `Technical alert: Homeward's device checks failed on ${readings}. NEWS2, limits and trends were checked, but not the device's clock or late delivery, ` +
            'and a "no readings" alert these readings answer may still show. Check the device and the patient\'s latest readings yourself, and tell the on-call engineer.'
          : `Technical alert: Homeward's device checks failed on ${readings}. NEWS2, limits, trends, the device's clock and late delivery were checked, ` +
            'but a "no readings" or device alert these readings answer may still show. Check the patient\'s open alerts against their latest readings yourself, and tell the on-call engineer.',
    // Every unchecked reading stays its evidence (allEvidence: not the latest few a technical alert keeps).
    details: { technical: true, allEvidence: true, uncheckedReadings: count, error, failedAt: now.toISOString(), latestReceivedAt: received.toISOString() },
    latestValue: null,
    measuredAt: latest,
    readingIds: fresh.map((r) => r.id),
    // The evidence is the failure, found now: a person who resolved an earlier one has not seen these readings.
    evidenceReceivedAt: now,
  };
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
