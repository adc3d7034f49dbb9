import { ALERT_SEVERITY_BANDS, PATHWAYS } from '@homeward/domain';
import { arrayOf, boolean, component, dateTime, integer, nullable, number, object, oneOf, string, uuid } from '../http/answer-schemas';

/** The care-plan editor's view and what an edit changed, as JSON schemas. */
const LIMIT = object({ direction: oneOf('at-or-below', 'at-or-above'), value: number, severity: oneOf(...ALERT_SEVERITY_BANDS) });
export const CARE_PLAN_EDITOR_VIEW = component(
  'CarePlanEditorView',
  object({
    patientId: uuid,
    pathway: oneOf(...PATHWAYS),
    spo2Scale: oneOf(1, 2),
    spo2ScaleDecision: nullable(object({ decidedBy: string, decidedAt: dateTime, reason: string })),
    offerScale2: boolean,
    vitals: arrayOf(object({ vital: string, pathwayLimits: arrayOf(LIMIT), personalLimits: nullable(arrayOf(LIMIT)), pathwayEveryHours: nullable(number), everyHours: nullable(number) })),
    scheduleFrom: oneOf('care-plan', 'pathway'),
    weightGain: object({ enabled: boolean, kg: number, days: integer, severity: oneOf(...ALERT_SEVERITY_BANDS) }),
    spo2Baseline: object({ enabled: boolean, days: integer, minReadings: integer, minDropPoints: number, spreadMultiplier: number, severity: oneOf(...ALERT_SEVERITY_BANDS) }),
    reviewBy: nullable(string),
    reason: nullable(string),
    problems: arrayOf(string),
    version: integer,
  }),
);
export const CARE_PLAN_EDIT_RESULT = object({ changes: arrayOf(object({ what: string, before: string, after: string })), editor: CARE_PLAN_EDITOR_VIEW });
