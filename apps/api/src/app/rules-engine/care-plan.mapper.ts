import { ALERT_SEVERITY_BANDS, type AlertSeverityBand, type VitalKey, isVitalKey } from '@homeward/domain';
import type {
  CarePlan,
  ClinicianDecision,
  News2CarePlan,
  Spo2BaselineSettings,
  Spo2ScaleDecision,
  SupplementalOxygen,
  ThresholdDirection,
  ThresholdOverride,
  WeightGainSettings,
} from '@homeward/rules';
import type { MonitoredAdmission } from '@homeward/storage';

/** A reading the care plan expects, and how often (an overdue one is an alert of its own). */
export interface ExpectedReading {
  readonly vital: VitalKey;
  readonly everyHours: number;
  /** Slack after the expected time before it counts as overdue (default 1 hour). */
  readonly graceHours: number;
  readonly severity: AlertSeverityBand;
}

export interface EngineCarePlan {
  readonly carePlan: CarePlan;
  readonly expectedReadings: readonly ExpectedReading[];
  /** What in the stored plan could not be read; those parts fall back to the pathway's defaults. */
  readonly problems: readonly string[];
}

/** Default home NEWS2 window: RCP chart 2's minimum monitoring for a score of 0 is 12-hourly. */
export const NEWS2_WINDOW_HOURS_DEFAULT = 12;
export const OVERDUE_GRACE_HOURS_DEFAULT = 1;
export const OVERDUE_SEVERITY_DEFAULT: AlertSeverityBand = 'low';

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
 * Each part is read on its own: a bad part is reported in `problems` and left to the pathway
 * default, so one typo does not take a patient off monitoring. A scale-2 decision is passed on as
 * written, even incomplete, because the NEWS2 rule must refuse an undocumented one loudly rather
 * than fall back to scale 1 here.
 */
export function mapCarePlan(admission: MonitoredAdmission): EngineCarePlan {
  const raw = admission.carePlan;
  const problems: string[] = [];
  const news2Raw = objectAt(raw, 'news2', problems) ?? {};

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
  const weightGain = trendSettings(raw, 'weightGain', ['kg', 'days'], problems) as WeightGainSettings | undefined;
  if (weightGain) carePlan.weightGain = weightGain;
  const spo2Baseline = trendSettings(raw, 'spo2Baseline', ['days', 'minReadings', 'minDropPoints', 'spreadMultiplier'], problems) as Spo2BaselineSettings | undefined;
  if (spo2Baseline) carePlan.spo2Baseline = spo2Baseline;

  return { carePlan, expectedReadings: expectedReadings(raw['expectedReadings'], problems), problems };
}

function spo2Scale(value: unknown, problems: string[]): Spo2ScaleDecision {
  if (value === undefined) return { scale: 1 };
  if (!isObject(value) || (value['scale'] !== 1 && value['scale'] !== 2)) {
    problems.push('news2.spo2Scale must be { "scale": 1 } or a scale-2 decision; scale 1 is used');
    return { scale: 1 };
  }
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
    const decision = isObject(item) ? clinicianDecision(item) : undefined;
    const reviewBy = isObject(item) ? dateOf(item['reviewBy']) : undefined;
    if (!isObject(item) || !isVitalKey(item['vital']) || !decision || !reviewBy || !Array.isArray(item['thresholds'])) {
      problems.push(`${where} needs a vital, thresholds, decidedBy, decidedAt, reason and reviewBy; ignored`);
      return;
    }
    const thresholds = (item['thresholds'] as unknown[]).flatMap((t: unknown, j) => {
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
    overrides.push({ vital: item['vital'], thresholds, reviewBy, ...decision });
  });
  return overrides;
}

function trendSettings(raw: Json, key: 'weightGain' | 'spo2Baseline', numbers: readonly string[], problems: string[]): Record<string, unknown> | undefined {
  const value = objectAt(raw, key, problems);
  if (!value) return undefined;
  const settings: Record<string, unknown> = {};
  if (value['enabled'] !== undefined) {
    if (typeof value['enabled'] === 'boolean') settings['enabled'] = value['enabled'];
    else problems.push(`${key}.enabled must be true or false`);
  }
  for (const name of numbers) {
    const n = positiveAt(value, `${key}.${name}`, name, problems);
    if (n !== undefined) settings[name] = n;
  }
  const severity = oneOf(value['severity'], ALERT_SEVERITY_BANDS, `${key}.severity`, problems);
  if (severity) settings['severity'] = severity;
  if (value['decision'] !== undefined) {
    const decision = isObject(value['decision']) ? clinicianDecision(value['decision']) : undefined;
    if (decision) settings['decision'] = decision;
    else problems.push(`${key}.decision needs decidedBy, decidedAt and reason`);
  }
  return settings;
}

function expectedReadings(value: unknown, problems: string[]): ExpectedReading[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push('expectedReadings must be a list');
    return [];
  }
  return value.flatMap((item: unknown, i) => {
    const where = `expectedReadings[${i}]`;
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
        severity: oneOf(item['severity'], ALERT_SEVERITY_BANDS, `${where}.severity`, problems) ?? OVERDUE_SEVERITY_DEFAULT,
      },
    ];
  });
}

function clinicianDecision(value: Json): ClinicianDecision | undefined {
  const decidedAt = dateOf(value['decidedAt']);
  if (typeof value['decidedBy'] !== 'string' || typeof value['reason'] !== 'string' || !decidedAt) return undefined;
  return { decidedBy: value['decidedBy'], decidedAt, reason: value['reason'] };
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
