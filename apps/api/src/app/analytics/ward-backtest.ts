import { CodedFailure, type Pathway } from '@homeward/domain';
import { MALFORMED_FRAMES_WINDOW_MS, mapCarePlan, rulesLookBackMs } from '@homeward/rules';
import type { Storage } from '@homeward/storage';
import { DAY_MS } from './analytics-figures';
import type { BacktestAdmission, BacktestPeriod, RuleBacktestReport } from './rule-backtest';
import { ruleBacktestInThreads } from './rule-backtest.threads';

/** A quarter: the window a clinician tries a change on ("last month", "last quarter"). */
export const BACKTEST_MAX_DAYS = 93;

export interface WardBacktestRequest {
  readonly wardId: string;
  readonly from: Date;
  readonly to: Date;
  /** The care plan to try, as stored plans are written (PUT /api/patients/{id}/care-plan). */
  readonly carePlan: Readonly<Record<string, unknown>>;
  /** Whose plan is replaced: one patient, the patients of one pathway, or (neither) the whole ward. */
  readonly patientId?: string;
  readonly pathway?: Pathway;
  /** Called as each admission's readings are read: done of total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called as each admission's replay finishes: done of total. */
  readonly onReplayProgress?: (done: number, total: number) => void;
  /** The engine's hubOfflineAfterMinutes, when not the default. */
  readonly offlineAfterMinutes?: number;
  /** Worker threads for the replay (ruleBacktestInThreads; default: the machine's available parallelism). */
  readonly threads?: number;
}

/**
 * The use case behind `homeward backtest` and POST /api/analytics/wards/{id}/backtest: check the
 * request, read the ward's admissions, their readings (with the plans' look-back before the period)
 * and the past resolved alerts, and replay (rule-backtest.ts, on worker threads when the ward is
 * large: rule-backtest.threads.ts). Reads only.
 */
export async function wardBacktest(storage: Pick<Storage, 'analytics' | 'readings'>, request: WardBacktestRequest): Promise<RuleBacktestReport & { readonly wardId: string; readonly wardName: string }> {
  const { wardId, from, to, carePlan } = request;
  if (!(from < to)) throw new CodedFailure({ code: 'analytics.range-invalid', message: 'from must be before to.', details: {} });
  if (to.getTime() - from.getTime() > BACKTEST_MAX_DAYS * DAY_MS) {
    throw new CodedFailure({ code: 'analytics.range-too-long', message: `A backtest covers at most ${BACKTEST_MAX_DAYS} days.`, details: { maxDays: BACKTEST_MAX_DAYS } });
  }
  // The engine would fall back to defaults for a part it cannot read: refuse instead, as the care-plan endpoint does.
  const unread = mapCarePlan({ patientId: 'backtest', pathway: request.pathway ?? 'general', carePlan }).problems;
  if (unread.length > 0) throw new CodedFailure({ code: 'backtest.care-plan-unreadable', message: `The care plan cannot be read as it is: ${unread.join('; ')}.`, details: { problems: unread } });
  const snapshot = await storage.analytics.wardSnapshot(wardId, from, to);
  if (!snapshot) throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${wardId}.`, details: { wardId } });
  const selected = snapshot.admissions.filter((a) => (request.patientId === undefined || a.patientId === request.patientId) && (request.pathway === undefined || a.pathway === request.pathway));
  const admissions: BacktestAdmission[] = [];
  for (const [i, admission] of selected.entries()) {
    const proposed = { patientId: admission.patientId, pathway: admission.pathway, carePlan };
    const lookBack = Math.max(rulesLookBackMs(mapCarePlan(admission).carePlan), rulesLookBackMs(mapCarePlan(proposed).carePlan));
    const start = Math.max(from.getTime(), admission.admittedAt.getTime()) - lookBack;
    const end = Math.min(to.getTime(), (admission.dischargedAt ?? to).getTime());
    const readings = await storage.readings.inRange(admission.patientId, { from: new Date(start), to: new Date(end), limit: 1_000_000 });
    // The latest of each vital before the look-back too: the silence rules count from it (latestPerVital).
    const before = (await storage.readings.latestPerVital(admission.patientId, { asOf: new Date(start - 1) })).filter((r) => r.measuredAt.getTime() < start);
    admissions.push({ admission, readings: [...before, ...readings], proposed });
    request.onProgress?.(i + 1, selected.length);
  }
  const patients = new Set(selected.map((a) => a.patientId));
  // What people did to the alerts in the period, replayed on both plans' alerts (rule-backtest.ts).
  const trail = await storage.analytics.alertTrail([...patients], from, to);
  // The silence and technical rules' facts at past moments, and the alerts already open at `from`.
  const devices = await storage.analytics.deviceHistory([...patients], to);
  const malformed = await storage.analytics.malformedFrameHistory([...patients], new Date(from.getTime() - MALFORMED_FRAMES_WINDOW_MS), to);
  const open = await storage.analytics.alertsOpenAt([...patients], from);
  for (const [i, item] of admissions.entries()) {
    const patientId = item.admission.patientId;
    const mine = new Set(devices.filter((d) => d.patientId === patientId).map((d) => d.id));
    admissions[i] = {
      ...item,
      actions: trail.actions.filter((a) => a.patientId === patientId),
      suppressions: trail.suppressions.filter((s) => s.patientId === patientId),
      timer: { devices: devices.filter((d) => mine.has(d.id)), malformed: malformed.filter((m) => mine.has(m.deviceId)), ...(request.offlineAfterMinutes === undefined ? {} : { offlineAfterMinutes: request.offlineAfterMinutes }) },
      openAtStart: open.filter((a) => a.patientId === patientId),
    };
  }
  const actioned = (await storage.analytics.resolvedAlerts(wardId, from, to)).filter((a) => patients.has(a.patientId));
  // When the engine's timer pass ran (rules_timer_ticks): the record from its first tick on; before that, inferred.
  const recorded = await storage.analytics.timerTicks(from, to);
  const first = recorded.lastBefore ?? recorded.ticks[0];
  const period: BacktestPeriod = first ? { from, to, timerTicks: recorded.ticks.map((t) => t.getTime()), ticksRecordedFrom: first.getTime() } : { from, to };
  const report = await ruleBacktestInThreads(admissions, actioned, period, {
    ...(request.threads === undefined ? {} : { threads: request.threads }),
    ...(request.onReplayProgress ? { onProgress: request.onReplayProgress } : {}),
  });
  return { wardId, wardName: snapshot.wardName, ...report };
}
