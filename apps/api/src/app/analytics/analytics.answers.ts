import { anyObject, arrayOf, dateTime, integer, mapOf, nullable, number, object, oneOf, string, uuid } from '../http/answer-schemas';

/** The ward reports (issue 21) and the care-plan backtest, as JSON schemas; a CSV download is text. */
const RATE_ROW = object({ key: string, count: integer, perPatientDay: nullable(number) });
const DURATION = object({ count: integer, p50Minutes: nullable(number), p90Minutes: nullable(number) });
const ADHERENCE_ROW = object({ key: string, expected: integer, received: integer, counted: integer, adherence: nullable(number) });
const DEFINITIONS = arrayOf(object({ term: string, meaning: string }));
const REPORT_HEADER = { wardId: uuid, wardName: string, from: dateTime, to: dateTime, generatedAt: dateTime };

export const CSV = { type: 'string', description: 'CSV (format=csv), one row per line, a header first' };

export const ALERT_BURDEN_REPORT = object({
  ...REPORT_HEADER,
  readingSource: oneOf('continuous-aggregate', 'readings-table'),
  patientDays: number,
  patients: integer,
  alerts: object({ total: integer, perPatientDay: nullable(number), byKind: arrayOf(RATE_ROW), byRule: arrayOf(RATE_ROW), bySeverity: arrayOf(RATE_ROW), byPathway: arrayOf(RATE_ROW) }),
  response: object({ acknowledge: DURATION, resolve: DURATION }),
  escalations: object({ alertsEscalated: integer, byTimer: integer, byPerson: integer }),
  resolutions: object({ resolvedByPerson: integer, noActionNeeded: integer, noActionNeededShare: nullable(number), byOutcome: arrayOf(object({ key: string, count: integer })) }),
  adherence: object({ overall: ADHERENCE_ROW, byVital: arrayOf(ADHERENCE_ROW), byPathway: arrayOf(ADHERENCE_ROW) }),
  silence: object({ episodes: integer, byRule: arrayOf(RATE_ROW) }),
  technicalByDeviceModel: arrayOf(object({ model: string, deviceType: string, devices: integer, technicalAlerts: integer, byRule: arrayOf(object({ rule: string, count: integer })), rejectedMessages: integer })),
  definitions: DEFINITIONS,
});

export const WARD_OUTCOMES_REPORT = object({
  ...REPORT_HEADER,
  months: arrayOf(
    object({
      month: string,
      patientDays: number,
      admissions: integer,
      discharges: integer,
      dischargeOutcomes: mapOf(integer),
      escalationsToHospitalOrUrgentCare: integer,
      escalationsToGp: integer,
      lengthOfStay: object({ discharges: integer, meanDays: nullable(number), medianDays: nullable(number) }),
      readmissionsWithin30Days: integer,
    }),
  ),
  definitions: DEFINITIONS,
});

/** One alert of a plan's replayed history (BacktestAlert of rule-backtest.ts). */
const BACKTEST_ALERT = object({
  patientId: uuid,
  rule: string,
  subject: string,
  severity: string,
  severityHistory: arrayOf(object({ at: dateTime, severity: string })),
  state: string,
  openedAt: dateTime,
  acknowledgedAt: nullable(dateTime),
  escalatedAt: nullable(dateTime),
  resolvedAt: nullable(dateTime),
  outcome: nullable(string),
  firstMeasuredAt: dateTime,
  latestMeasuredAt: dateTime,
  occurrences: integer,
  readingIds: arrayOf(string),
  explanation: string,
  liveAlertIds: arrayOf(uuid),
});

/** Findings and their comparison are described in the backtest guide; here their outline. */
export const BACKTEST_REPORT = object({
  wardId: uuid,
  wardName: string,
  from: dateTime,
  to: dateTime,
  patientDays: number,
  current: anyObject,
  proposed: anyObject,
  differences: arrayOf(object({ patientId: uuid, appear: arrayOf(anyObject), disappear: arrayOf(anyObject) })),
  catches: arrayOf(anyObject),
  findings: object({ current: arrayOf(anyObject), proposed: arrayOf(anyObject) }),
  alerts: object({ current: arrayOf(BACKTEST_ALERT), proposed: arrayOf(BACKTEST_ALERT) }),
  alertBurden: object({ current: anyObject, proposed: anyObject }),
}, { timerTicks: oneOf('recorded', 'partly-recorded', 'inferred') });
