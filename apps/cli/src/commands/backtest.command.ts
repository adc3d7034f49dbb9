import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type RuleBacktestReport, wardBacktest } from '@homeward/api';
import type { RateRow } from '@homeward/contracts';
import { CodedFailure, PATHWAYS, type Pathway } from '@homeward/domain';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { withStorage } from '../storage-and-topics';
import { parseReportDate } from './analytics.command';

const USAGE = 'homeward backtest --ward <ward id> --from <date> --to <date> --care-plan <file.json> [--patient <id>] [--pathway <name>] [--json]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a proposed care plan would have found on a ward's stored readings, beside what the stored
 * plans find, through the live rule code (issue 21 item 1, the part built on the pure rules: see
 * rule-backtest.ts for what it compares). Reads only; writes no alert. --patient and --pathway
 * choose whose plan is replaced (everyone on the ward when neither is given).
 */
export const backtestCommand: Command = {
  summary: 'Try a care plan on a ward\'s past readings: homeward backtest --ward <id> --from 2026-10-01 --to 2026-11-01 --care-plan plan.json [--json]',
  usage: USAGE,
  async run(context: CliContext): Promise<number> {
    let values: { ward?: string; from?: string; to?: string; 'care-plan'?: string; patient?: string; pathway?: string; json?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...context.args],
        options: { ward: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'care-plan': { type: 'string' }, patient: { type: 'string' }, pathway: { type: 'string' }, json: { type: 'boolean' } },
        strict: true,
      }));
    } catch (error) {
      context.err(`${describeFailure(error)}\nUsage: ${USAGE}`);
      return 2;
    }
    const problems: string[] = [];
    if (!values.ward || !UUID.test(values.ward)) problems.push('--ward must be a ward id');
    const from = values.from === undefined ? null : parseReportDate(values.from);
    const to = values.to === undefined ? null : parseReportDate(values.to);
    if (!from) problems.push('--from must be a date (2026-10-01) or an ISO 8601 time with its zone');
    if (!to) problems.push('--to must be a date (2026-11-01) or an ISO 8601 time with its zone');
    if (values.patient !== undefined && !UUID.test(values.patient)) problems.push('--patient must be a patient id');
    if (values.pathway !== undefined && !(PATHWAYS as readonly string[]).includes(values.pathway)) problems.push(`--pathway must be one of ${PATHWAYS.join(', ')}`);
    let plan: Record<string, unknown> | undefined;
    if (!values['care-plan']) problems.push('--care-plan must name a JSON file holding the care plan to try');
    else {
      try {
        const parsed: unknown = JSON.parse(readFileSync(resolve(context.cwd, values['care-plan']), 'utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) problems.push('--care-plan: the file must hold a JSON object (a care plan, as PUT /api/patients/{id}/care-plan takes)');
        else plan = parsed as Record<string, unknown>;
      } catch (error) {
        problems.push(`--care-plan: ${describeFailure(error)}`);
      }
    }
    if (problems.length > 0 || !from || !to || !values.ward || !plan) {
      context.err(`${problems.join('\n')}\nUsage: ${USAGE}`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    const { ward, patient, pathway } = values;
    const proposedPlan = plan;
    return withStorage(config, context, () => undefined, async (storage) => {
      try {
        const report = await wardBacktest(storage, {
          wardId: ward,
          from,
          to,
          carePlan: proposedPlan,
          ...(patient === undefined ? {} : { patientId: patient }),
          ...(pathway === undefined ? {} : { pathway: pathway as Pathway }),
          ...(values.json ? {} : backtestProgress(context)),
        });
        context.progress?.done();
        context.out(values.json ? JSON.stringify(report, null, 2) : renderBacktest(report, report.wardName));
        await storage.audit.record({ actorType: 'system', actorId: 'homeward backtest', action: 'analytics.backtest', subjectType: 'ward', subjectId: ward, details: { from: from.toISOString(), to: to.toISOString(), patient: patient ?? null, pathway: pathway ?? null } });
        return 0;
      } catch (error) {
        if (error instanceof CodedFailure) {
          context.err(`${error.error.message}\n[${error.error.code}]`);
          return error.error.code === 'ward.not-found' ? 1 : 2;
        }
        throw error;
      }
    }, 'homeward backtest');
  },
};

const TIMER_TICKS = {
  recorded: "at the engine's recorded ticks",
  'partly-recorded': "at the engine's recorded ticks from the first one on; before it inferred (alerts may open up to one timer interval earlier than live)",
  inferred: 'no recorded ticks: inferred (alerts may open up to one timer interval earlier than live)',
} as const;

export function renderBacktest(r: RuleBacktestReport, wardName: string): string {
  const figure = (v: number | null) => (v === null ? '–' : String(v));
  const keys = [...new Set([...r.current.byRule, ...r.proposed.byRule].map((x) => x.key))].sort();
  const severities = [...new Set([...r.current.bySeverity, ...r.proposed.bySeverity].map((x) => x.key))].sort();
  const side = (list: readonly RateRow[], key: string) => list.find((x) => x.key === key);
  const line = (label: string, a: RateRow | undefined, b: RateRow | undefined) =>
    `    ${label.padEnd(22)} ${String(a?.count ?? 0).padStart(6)} (${a ? figure(a.perPatientDay) : '0'}/pd)   ${String(b?.count ?? 0).padStart(6)} (${b ? figure(b.perPatientDay) : '0'}/pd)`;
  return [
    `Backtest, ${wardName}, ${r.from} to ${r.to}: ${r.patientDays} patient-days`,
    `  Timer pass (silence and device checks): ${TIMER_TICKS[r.timerTicks ?? 'inferred']}`,
    `  Rule findings (a rule firing at a reading; not alert episodes)      stored plans      proposed plan`,
    `    ${'all'.padEnd(22)} ${String(r.current.findings).padStart(6)} (${figure(r.current.perPatientDay)}/pd)   ${String(r.proposed.findings).padStart(6)} (${figure(r.proposed.perPatientDay)}/pd)`,
    ...keys.map((k) => line(k, side(r.current.byRule, k), side(r.proposed.byRule, k))),
    ...severities.map((k) => line(`severity ${k}`, side(r.current.bySeverity, k), side(r.proposed.bySeverity, k))),
    `  Alerts (episodes, as the engine raises them; recorded acknowledgements, escalations and resolutions replayed)`,
    `    ${'all'.padEnd(22)} ${String(r.alertBurden.current.alerts).padStart(6)} (${figure(r.alertBurden.current.perPatientDay)}/pd)   ${String(r.alertBurden.proposed.alerts).padStart(6)} (${figure(r.alertBurden.proposed.perPatientDay)}/pd)`,
    ...[...new Set([...r.alertBurden.current.byRule, ...r.alertBurden.proposed.byRule].map((x) => x.key))].sort().map((k) => line(k, side(r.alertBurden.current.byRule, k), side(r.alertBurden.proposed.byRule, k))),
    ...[...new Set([...r.alertBurden.current.bySeverity, ...r.alertBurden.proposed.bySeverity].map((x) => x.key))].sort().map((k) => line(`severity ${k}`, side(r.alertBurden.current.bySeverity, k), side(r.alertBurden.proposed.bySeverity, k))),
    `    recorded actions replayed: ${r.alertBurden.current.actionsReplayed} on the stored plans' alerts, ${r.alertBurden.proposed.actionsReplayed} on the proposed plan's (${r.alertBurden.proposed.actionsUnmatched} found no alert of their episode)`,
    `  Differences by patient (findings that would appear / disappear):`,
    ...(r.differences.length === 0 ? ['    none'] : r.differences.map((d) => `    ${d.patientId}: +${d.appear.length} / −${d.disappear.length}${d.appear[0] ? `, first new ${d.appear[0].rule} ${d.appear[0].severity} at ${d.appear[0].at} (readings ${d.appear[0].readingIds.join(', ')})` : ''}`)),
    `  Past alerts resolved as needing clinical action (${r.catches.length}):`,
    ...r.catches.map(
      (c) =>
        `    ${c.alertId} ${c.rule} (${c.outcome}): stored plans ${c.currentAt ?? 'not found'}, proposed ${c.proposedAt ?? (c.currentAt ? 'MISSED' : 'not found')}${c.shiftHours === null ? '' : c.shiftHours === 0 ? ' (same time)' : ` (${Math.abs(c.shiftHours)} h ${c.shiftHours < 0 ? 'earlier' : 'later'})`}`,
    ),
  ].join('\n');
}

/** A bar of `width` cells for done of total: "[#########-----------]  45 %". */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)} %`;
}

/**
 * Progress of reading then replaying the admissions: on a terminal one bar rewritten in place
 * (redrawn at most once per percent), elsewhere a line per admission read and per tenth replayed.
 */
function backtestProgress(context: CliContext): { onProgress: (done: number, total: number) => void; onReplayProgress: (done: number, total: number) => void } {
  const { progress } = context;
  if (!progress) {
    return {
      onProgress: (done, total) => context.err(`reading ${done}/${total} admissions`),
      onReplayProgress: (done, total) => {
        if (done === total || Math.floor((done * 10) / total) > Math.floor(((done - 1) * 10) / total)) context.err(`replayed ${done}/${total} admissions`);
      },
    };
  }
  let shown = '';
  const draw = (phase: string) => (done: number, total: number) => {
    const percent = `${phase} ${Math.floor((done * 100) / Math.max(1, total))}`;
    if (percent === shown && done !== total) return;
    shown = percent;
    progress.show(`${phase} ${progressBar(done, total)} ${done}/${total} admissions`);
  };
  return { onProgress: draw('reading  '), onReplayProgress: draw('replaying') };
}

