import { ALERT_SEVERITY_BANDS, type AlertSeverityBand, type Pathway, isVitalKey } from '@homeward/domain';
import { carePlanReminderHours } from '../silence/sms-reminder.decision';
import type {
  CarePlan,
  ClinicianDecision,
  ExpectedReading,
  News2CarePlan,
  Spo2BaselineSettings,
  Spo2ScaleDecision,
  SupplementalOxygen,
  ThresholdDirection,
  ThresholdOverride,
  WeightGainSettings,
} from '../model/care-plan.model';
import { PATHWAY_SILENCE_SEVERITY, pathwaySchedule } from '../rules/pathway-schedules.defaults';

/** What the mapper reads of an admission (the store's MonitoredAdmission fits). */
export interface StoredCarePlan {
  readonly patientId: string;
  readonly pathway: Pathway;
  /** admissions.care_plan as stored (jsonb). */
  readonly carePlan: Readonly<Record<string, unknown>>;
  /** Not read; allowed so an admission record can be passed as it is. */
  readonly admissionId?: string;
  readonly wardId?: string;
  readonly admittedAt?: Date;
}

export interface EngineCarePlan {
  readonly carePlan: CarePlan;
  /** The plan's own list, or the pathway's schedule when it lists none (`expectedReadingsFrom`). */
  readonly expectedReadings: readonly ExpectedReading[];
  readonly expectedReadingsFrom: 'care-plan' | 'pathway';
  /** What in the stored plan could not be read; those parts fall back to the pathway's defaults. */
  readonly problems: readonly string[];
}

/** Default home NEWS2 window: RCP chart 2's minimum monitoring for a score of 0 is 12-hourly. */
export const NEWS2_WINDOW_HOURS_DEFAULT = 12;
export const OVERDUE_GRACE_HOURS_DEFAULT = 1;

type Json = Readonly<Record<string, unknown>>;

/**
 * admissions.care_plan (jsonb, written by clinicians through the api) → the CarePlan of
 * @homeward/rules plus the readings it expects. The stored shape is CarePlan's, with dates as ISO
 * strings:
 *
 *   { "news2": { "windowHours": 24, "spo2Scale": { "scale": 2, "decidedBy", "decidedAt", "reason" },
 *                "supplementalOxygen": "none", "alertFrom": "low-medium" },
 *     "currentWithinHours": 24, "thresholdOverrides": [...], "weightGain": {...}, "spo2Baseline": {...},
 *     "expectedReadings": [{ "vital": "body_weight", "everyHours": 24, "graceHours": 2, "severity": "low" }] }
 *
 * Without `expectedReadings` (or with one that cannot be read) the pathway's schedule applies
 * (pathway-schedules.defaults.ts), so no patient's silence goes unnoticed; an explicit empty list
 * is a clinician's decision that nothing is expected. A listed reading without a severity takes
 * the pathway's silence severity (medium on the high-risk pathways).
 *
 * Each part is read on its own: a bad part is reported in `problems` and left to the pathway
 * default, so one typo does not take a patient off monitoring. A scale-2 decision is passed on as
 * written, even incomplete, because the NEWS2 rule must refuse an undocumented one loudly rather
 * than fall back to scale 1 here.
 */
export function mapCarePlan(admission: StoredCarePlan): EngineCarePlan {
  const raw = admission.carePlan;
  const problems: string[] = [];
  unknownKeys(raw, KEYS.carePlan, '', problems);
  if (raw['smsReminderHours'] !== undefined && !carePlanReminderHours(raw)) {
    problems.push('smsReminderHours must be { "from": 0–23, "to": 1–24 } in whole hours, from before to; the service\'s reminder hours are used');
  }
  const news2Raw = objectAt(raw, 'news2', problems) ?? {};
  unknownKeys(news2Raw, KEYS.news2, 'news2', problems);

  const news2: { -readonly [K in keyof News2CarePlan]: News2CarePlan[K] } = {
    windowHours: positiveAt(news2Raw, 'news2.windowHours', 'windowHours', problems) ?? NEWS2_WINDOW_HOURS_DEFAULT,
    spo2Scale: spo2Scale(news2Raw['spo2Scale'], problems),
    supplementalOxygen: oneOf<SupplementalOxygen>(news2Raw['supplementalOxygen'], ['none', 'continuous', 'intermittent'], 'news2.supplementalOxygen', problems) ?? 'none',
  };
  const alertFrom = oneOf(news2Raw['alertFrom'], ALERT_SEVERITY_BANDS, 'news2.alertFrom', problems);
  if (alertFrom) news2.alertFrom = alertFrom;

  const carePlan: { -readonly [K in keyof CarePlan]: CarePlan[K] } = { patientId: admission.patientId, pathway: admission.pathway, news2 };
  const currentWithinHours = positiveAt(raw, 'currentWithinHours', 'currentWithinHours', problems);
  if (currentWithinHours !== undefined) carePlan.currentWithinHours = currentWithinHours;
  const overrides = thresholdOverrides(raw['thresholdOverrides'], problems);
  if (overrides) carePlan.thresholdOverrides = overrides;
  const weightGain = trendSettings(raw, 'weightGain', ['kg', 'days'], problems, ['toleranceHours']) as WeightGainSettings | undefined;
  if (weightGain) carePlan.weightGain = weightGain;
  const spo2Baseline = trendSettings(raw, 'spo2Baseline', ['days', 'minReadings', 'minDropPoints', 'spreadMultiplier'], problems) as Spo2BaselineSettings | undefined;
  if (spo2Baseline) carePlan.spo2Baseline = spo2Baseline;

  const listed = expectedReadings(raw['expectedReadings'], PATHWAY_SILENCE_SEVERITY[admission.pathway], problems);
  return listed === undefined
    ? { carePlan, expectedReadings: pathwaySchedule(admission.pathway), expectedReadingsFrom: 'pathway', problems }
    : { carePlan, expectedReadings: listed, expectedReadingsFrom: 'care-plan', problems };
}

function spo2Scale(value: unknown, problems: string[]): Spo2ScaleDecision {
  if (value === undefined) return { scale: 1 };
  if (!isObject(value) || (value['scale'] !== 1 && value['scale'] !== 2)) {
    problems.push('news2.spo2Scale must be { "scale": 1 } or a scale-2 decision; scale 1 is used');
    return { scale: 1 };
  }
  unknownKeys(value, KEYS.spo2Scale, 'news2.spo2Scale', problems);
  if (value['scale'] === 1) return { scale: 1 };
  return {
    scale: 2,
    decidedBy: typeof value['decidedBy'] === 'string' ? value['decidedBy'] : '',
    decidedAt: new Date(typeof value['decidedAt'] === 'string' ? value['decidedAt'] : Number.NaN),
    reason: typeof value['reason'] === 'string' ? value['reason'] : '',
  };
}

function thresholdOverrides(value: unknown, problems: string[]): ThresholdOverride[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.push('thresholdOverrides must be a list');
    return undefined;
  }
  const overrides: ThresholdOverride[] = [];
  value.forEach((item: unknown, i) => {
    const where = `thresholdOverrides[${i}]`;
    if (isObject(item)) unknownKeys(item, KEYS.thresholdOverride, where, problems);
    const decision = isObject(item) ? clinicianDecision(item) : undefined;
    const reviewBy = isObject(item) ? dateOf(item['reviewBy']) : undefined;
    if (!isObject(item) || !isVitalKey(item['vital']) || !decision || !reviewBy || !Array.isArray(item['thresholds'])) {
      problems.push(`${where} needs a vital, thresholds, decidedBy, decidedAt, reason and reviewBy; ignored`);
      return;
    }
    const thresholds = (item['thresholds'] as unknown[]).flatMap((t: unknown, j) => {
      if (isObject(t)) unknownKeys(t, KEYS.threshold, `${where}.thresholds[${j}]`, problems);
      if (
        isObject(t) &&
        (t['direction'] === 'at-or-below' || t['direction'] === 'at-or-above') &&
        typeof t['value'] === 'number' &&
        Number.isFinite(t['value']) &&
        (ALERT_SEVERITY_BANDS as readonly unknown[]).includes(t['severity'])
      ) {
        const direction: ThresholdDirection = t['direction'];
        return [{ direction, value: t['value'], severity: t['severity'] as AlertSeverityBand, action: typeof t['action'] === 'string' ? t['action'] : '' }];
      }
      problems.push(`${where}.thresholds[${j}] needs a direction, a value and a severity; ignored`);
      return [];
    });
    if (item['lowersSeverity'] !== undefined && typeof item['lowersSeverity'] !== 'boolean') problems.push(`${where}.lowersSeverity must be true or false`);
    overrides.push({ vital: item['vital'], thresholds, reviewBy, ...decision, ...(item['lowersSeverity'] === true ? { lowersSeverity: true } : {}) });
  });
  return overrides;
}

function trendSettings(raw: Json, key: 'weightGain' | 'spo2Baseline', numbers: readonly string[], problems: string[], nonNegative: readonly string[] = []): Record<string, unknown> | undefined {
  const value = objectAt(raw, key, problems);
  if (!value) return undefined;
  unknownKeys(value, ['enabled', ...numbers, ...nonNegative, 'severity', 'decision'], key, problems);
  const settings: Record<string, unknown> = {};
  if (value['enabled'] !== undefined) {
    if (typeof value['enabled'] === 'boolean') settings['enabled'] = value['enabled'];
    else problems.push(`${key}.enabled must be true or false`);
  }
  for (const name of numbers) {
    const n = positiveAt(value, `${key}.${name}`, name, problems);
    if (n !== undefined) settings[name] = n;
  }
  for (const name of nonNegative) {
    const n = value[name];
    if (n === undefined) continue;
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0) settings[name] = n;
    else problems.push(`${key}.${name} must be zero or a positive number`);
  }
  const severity = oneOf(value['severity'], ALERT_SEVERITY_BANDS, `${key}.severity`, problems);
  if (severity) settings['severity'] = severity;
  if (value['decision'] !== undefined) {
    if (isObject(value['decision'])) unknownKeys(value['decision'], KEYS.decision, `${key}.decision`, problems);
    const decision = isObject(value['decision']) ? clinicianDecision(value['decision']) : undefined;
    if (decision) settings['decision'] = decision;
    else problems.push(`${key}.decision needs decidedBy, decidedAt and reason`);
  }
  return settings;
}

/** The plan's list; undefined when it has none (or not a list), so the pathway's schedule applies. */
function expectedReadings(value: unknown, pathwaySeverity: AlertSeverityBand, problems: string[]): ExpectedReading[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.push("expectedReadings must be a list; the pathway's schedule is used");
    return undefined;
  }
  return value.flatMap((item: unknown, i) => {
    const where = `expectedReadings[${i}]`;
    if (isObject(item)) unknownKeys(item, KEYS.expectedReading, where, problems);
    if (!isObject(item) || !isVitalKey(item['vital'])) {
      problems.push(`${where} needs a known vital; ignored`);
      return [];
    }
    const everyHours = positiveAt(item, `${where}.everyHours`, 'everyHours', problems);
    if (everyHours === undefined) {
      if (item['everyHours'] === undefined) problems.push(`${where}.everyHours is required; ignored`);
      return [];
    }
    return [
      {
        vital: item['vital'],
        everyHours,
        graceHours: positiveAt(item, `${where}.graceHours`, 'graceHours', problems) ?? OVERDUE_GRACE_HOURS_DEFAULT,
        severity: oneOf(item['severity'], ALERT_SEVERITY_BANDS, `${where}.severity`, problems) ?? pathwaySeverity,
      },
    ];
  });
}

function clinicianDecision(value: Json): ClinicianDecision | undefined {
  const decidedAt = dateOf(value['decidedAt']);
  if (typeof value['decidedBy'] !== 'string' || typeof value['reason'] !== 'string' || !decidedAt) return undefined;
  return { decidedBy: value['decidedBy'], decidedAt, reason: value['reason'] };
}

/**
 * The keys each level of a stored plan may hold. Anything else is a misspelling ("vitl",
 * "windowHour") that would otherwise be ignored in silence and leave a default in force.
 */
const KEYS = {
  carePlan: ['news2', 'currentWithinHours', 'thresholdOverrides', 'weightGain', 'spo2Baseline', 'expectedReadings', 'smsReminderHours'],
  news2: ['windowHours', 'spo2Scale', 'supplementalOxygen', 'alertFrom'],
  spo2Scale: ['scale', 'decidedBy', 'decidedAt', 'reason'],
  thresholdOverride: ['vital', 'thresholds', 'decidedBy', 'decidedAt', 'reason', 'reviewBy', 'lowersSeverity'],
  threshold: ['direction', 'value', 'severity', 'action'],
  decision: ['decidedBy', 'decidedAt', 'reason'],
  expectedReading: ['vital', 'everyHours', 'graceHours', 'severity'],
} as const satisfies Record<string, readonly string[]>;

/** Reasons, actions and names are free text a person reads on the record; a page is plenty. */
export const CARE_PLAN_TEXT_MAX_LENGTH = 2000;

/** Unknown keys at one level, and over-long text in its values (every level of a plan passes here). */
function unknownKeys(value: Json, known: readonly string[], where: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    const path = `${where ? `${where}.` : ''}${key}`;
    if (!known.includes(key)) problems.push(`${path}: unknown key (known: ${known.join(', ')})`);
    else if (typeof value[key] === 'string' && value[key].length > CARE_PLAN_TEXT_MAX_LENGTH) problems.push(`${path} must be at most ${CARE_PLAN_TEXT_MAX_LENGTH} characters`);
  }
}

function objectAt(raw: Json, key: string, problems: string[]): Json | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (isObject(value)) return value;
  problems.push(`${key} must be an object`);
  return undefined;
}

function positiveAt(raw: Json, where: string, key: string, problems: string[]): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  problems.push(`${where} must be a positive number`);
  return undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string, problems: string[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  problems.push(`${where} must be one of ${allowed.join(', ')}`);
  return undefined;
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
