import { parseArgs } from 'node:util';
import { alertBurdenCsv, wardAnalytics, wardOutcomesCsv } from '@homeward/api';
import { type AlertBurdenReport, type RateRow, type WardOutcomesReport, zonedTimestampProblem } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { withStorage } from '../storage-and-topics';

const USAGE = 'homeward analytics <alert-burden|outcomes> --ward <ward id> --from <date> --to <date> [--csv | --json]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 2026-11-01 (UTC midnight) or a full ISO 8601 time with its zone (the API's rule, zonedTimestampProblem); null otherwise. */
export function parseReportDate(text: string): Date | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const date = new Date(`${text}T00:00:00Z`);
    // Date rolls 2026-02-30 over to 2 March: a day that does not exist is refused, not moved.
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text ? date : null;
  }
  return zonedTimestampProblem(text) === undefined ? new Date(text) : null;
}

/**
 * A ward's alert burden or monthly outcomes over a period (issue 21), as text, CSV or JSON: the
 * same reports as GET /api/analytics/wards/{id}/…, read straight from the database.
 */
export const analyticsCommand: Command = {
  summary: 'A ward\'s alert burden or monthly outcomes: homeward analytics outcomes --ward <id> --from 2026-10-01 --to 2026-12-01 [--csv|--json]',
  usage: USAGE,
  async run(context: CliContext): Promise<number> {
    let parsed: { values: { ward?: string; from?: string; to?: string; csv?: boolean; json?: boolean }; positionals: string[] };
    try {
      parsed = parseArgs({
        args: [...context.args],
        options: { ward: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, csv: { type: 'boolean' }, json: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      context.err(`${describeFailure(error)}\nUsage: ${USAGE}`);
      return 2;
    }
    const { values, positionals } = parsed;
    const kind = positionals[0];
    const problems: string[] = [];
    if (positionals.length !== 1 || (kind !== 'alert-burden' && kind !== 'outcomes')) problems.push('name one report: alert-burden or outcomes');
    if (!values.ward || !UUID.test(values.ward)) problems.push('--ward must be a ward id');
    const from = values.from === undefined ? null : parseReportDate(values.from);
    const to = values.to === undefined ? null : parseReportDate(values.to);
    if (!from) problems.push('--from must be a date (2026-10-01) or an ISO 8601 time with its zone');
    if (!to) problems.push('--to must be a date (2026-12-01) or an ISO 8601 time with its zone');
    if (values.csv && values.json) problems.push('choose --csv or --json, not both');
    if (problems.length > 0 || !from || !to || !values.ward) {
      context.err(`${problems.join('\n')}\nUsage: ${USAGE}`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    const wardId = values.ward;
    return withStorage(config, context, () => undefined, async (storage) => {
      try {
        const request = { wardId, from, to, now: new Date() };
        if (kind === 'alert-burden') {
          const report = await wardAnalytics(storage, 'alert-burden', request);
          context.out(values.json ? JSON.stringify(report, null, 2) : values.csv ? alertBurdenCsv(report).trimEnd() : renderBurden(report));
        } else {
          const report = await wardAnalytics(storage, 'outcomes', request);
          context.out(values.json ? JSON.stringify(report, null, 2) : values.csv ? wardOutcomesCsv(report).trimEnd() : renderOutcomes(report));
        }
        await storage.audit.record({ actorType: 'system', actorId: 'homeward analytics', action: `analytics.${kind}`, subjectType: 'ward', subjectId: wardId, details: { from: from.toISOString(), to: to.toISOString() } });
        return 0;
      } catch (error) {
        if (error instanceof CodedFailure) {
          context.err(`${error.error.message}\n[${error.error.code}]`);
          return 1;
        }
        throw error;
      }
    }, 'homeward analytics');
  },
};

const figure = (value: number | null, unit = '') => (value === null ? '–' : `${value}${unit}`);
const rateRows = (rows: readonly RateRow[]) => rows.map((r) => `    ${r.key.padEnd(26)} ${String(r.count).padStart(5)}   ${figure(r.perPatientDay)} per patient-day`);

export function renderBurden(r: AlertBurdenReport): string {
  const share = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000) / 10} %`);
  return [
    `Alert burden, ${r.wardName}, ${r.from} to ${r.to}`,
    `  ${r.patients} patients, ${r.patientDays} patient-days; ${r.alerts.total} alerts (${figure(r.alerts.perPatientDay)} per patient-day)`,
    '  By kind:', ...rateRows(r.alerts.byKind),
    '  By rule:', ...rateRows(r.alerts.byRule),
    '  By severity:', ...rateRows(r.alerts.bySeverity),
    '  By pathway (per patient-day of the pathway):', ...rateRows(r.alerts.byPathway),
    `  Time to acknowledge: p50 ${figure(r.response.acknowledge.p50Minutes, ' min')}, p90 ${figure(r.response.acknowledge.p90Minutes, ' min')} (${r.response.acknowledge.count} alerts)`,
    `  Time to resolve:     p50 ${figure(r.response.resolve.p50Minutes, ' min')}, p90 ${figure(r.response.resolve.p90Minutes, ' min')} (${r.response.resolve.count} alerts)`,
    `  Escalations: ${r.escalations.alertsEscalated} alerts escalated (${r.escalations.byTimer} by the timer, ${r.escalations.byPerson} by a person)`,
    `  Resolved as no action needed: ${r.resolutions.noActionNeeded} of ${r.resolutions.resolvedByPerson} resolved by a person (${share(r.resolutions.noActionNeededShare)})`,
    `  Reading adherence: ${r.adherence.overall.counted} of ${r.adherence.overall.expected} expected readings (${share(r.adherence.overall.adherence)}); ${r.adherence.overall.received} received`,
    ...r.adherence.byVital.map((v) => `    ${v.key.padEnd(26)} ${String(v.counted).padStart(5)} / ${v.expected}  ${share(v.adherence)}`),
    `  Silence episodes: ${r.silence.episodes}`, ...rateRows(r.silence.byRule),
    '  Technical problems per device model:',
    ...(r.technicalByDeviceModel.length === 0 ? ['    none'] : r.technicalByDeviceModel.map((m) => `    ${`${m.model} (${m.deviceType})`.padEnd(40)} ${m.devices} devices, ${m.technicalAlerts} technical alerts, ${m.rejectedMessages} refused messages`)),
    `  Reading counts from ${r.readingSource === 'continuous-aggregate' ? 'the readings_hourly continuous aggregate (TimescaleDB)' : 'the readings table (PostgreSQL)'}.`,
  ].join('\n');
}

export function renderOutcomes(r: WardOutcomesReport): string {
  const header = 'month    patient-days  admitted  discharged  home  hospital  death  transferred  other  not-recorded  escalated(hosp/GP)  LOS mean/median  readmitted<30d';
  return [
    `Ward outcomes, ${r.wardName}, ${r.from} to ${r.to}`,
    header,
    ...r.months.map((m) =>
      [
        m.month.padEnd(8),
        String(m.patientDays).padStart(12),
        String(m.admissions).padStart(9),
        String(m.discharges).padStart(11),
        String(m.dischargeOutcomes.home).padStart(5),
        String(m.dischargeOutcomes['hospital-admission']).padStart(9),
        String(m.dischargeOutcomes.death).padStart(6),
        String(m.dischargeOutcomes.transferred).padStart(12),
        String(m.dischargeOutcomes.other).padStart(6),
        String(m.dischargeOutcomes['not-recorded']).padStart(13),
        `${m.escalationsToHospitalOrUrgentCare}/${m.escalationsToGp}`.padStart(19),
        `${figure(m.lengthOfStay.meanDays)}/${figure(m.lengthOfStay.medianDays)} d`.padStart(16),
        String(m.readmissionsWithin30Days).padStart(15),
      ].join(' '),
    ),
  ].join('\n');
}
