import type { Pathway } from '@homeward/domain';
import type { VitalThreshold } from '../model/care-plan.model';
import type { Spo2Scale } from '../news2/news2.model';

/**
 * Default per-vital alert limits by pathway. Starting points for each ward's clinical safety
 * officer to confirm; a clinician replaces them per patient with a ThresholdOverride.
 *
 * Every pathway alerts on the NEWS2 "red" values (RCP 2017 chart 1: a value scoring 3 on its
 * own), with NEWS2's severity for a single 3, low-medium. This catches a dangerous value even
 * while the home NEWS2 is partial. SpO2 follows the patient's scale: ≤91 % on scale 1, ≤83 % on
 * scale 2 (target 88–92 %, set by a clinician).
 *
 * Acute respiratory infection adds the NHS oximetry bands from ../shared/CLINICAL.md (marked
 * *check* there): 93–94 % moderate, ≤92 % severe (consider admission). On scale 2 those bands do
 * not apply; the clinician's scale-2 target does.
 *
 * Heart failure's own rule is weight gain (weight-gain.rule.ts); COPD's is the scale-2 target.
 * Frailty has no pathway-specific limits beyond the red values.
 */
export function pathwayThresholds(pathway: Pathway, spo2Scale: Spo2Scale): readonly VitalThreshold[] {
  const spo2 = spo2Scale === 2 ? SPO2_SCALE_2_RED : pathway === 'acute-respiratory-infection' ? SPO2_ACUTE_RESPIRATORY_INFECTION : SPO2_SCALE_1_RED;
  return [...RED_VALUES, ...spo2];
}

const RED_ACTION =
  'This value scores 3 in NEWS2 on its own (urgent ward-based response): repeat the reading, assess the patient, and inform the clinician responsible, who decides whether to escalate.';

const RED_VALUES: readonly VitalThreshold[] = [
  { vital: 'respiration_rate', direction: 'at-or-below', value: 8, severity: 'low-medium', action: RED_ACTION },
  { vital: 'respiration_rate', direction: 'at-or-above', value: 25, severity: 'low-medium', action: RED_ACTION },
  { vital: 'systolic_bp', direction: 'at-or-below', value: 90, severity: 'low-medium', action: RED_ACTION },
  { vital: 'systolic_bp', direction: 'at-or-above', value: 220, severity: 'low-medium', action: RED_ACTION },
  { vital: 'heart_rate', direction: 'at-or-below', value: 40, severity: 'low-medium', action: RED_ACTION },
  { vital: 'heart_rate', direction: 'at-or-above', value: 131, severity: 'low-medium', action: RED_ACTION },
  { vital: 'body_temperature', direction: 'at-or-below', value: 35.0, severity: 'low-medium', action: RED_ACTION },
];

const SPO2_SCALE_1_RED: readonly VitalThreshold[] = [{ vital: 'spo2', direction: 'at-or-below', value: 91, severity: 'low-medium', action: RED_ACTION }];

const SPO2_SCALE_2_RED: readonly VitalThreshold[] = [{ vital: 'spo2', direction: 'at-or-below', value: 83, severity: 'low-medium', action: RED_ACTION }];

const SPO2_ACUTE_RESPIRATORY_INFECTION: readonly VitalThreshold[] = [
  {
    vital: 'spo2',
    direction: 'at-or-below',
    value: 94,
    severity: 'medium',
    action: 'Moderate range for an acute respiratory infection: repeat the reading at rest and arrange clinical review within the hour.',
  },
  {
    vital: 'spo2',
    direction: 'at-or-below',
    value: 92,
    severity: 'high',
    action: 'Severe range for an acute respiratory infection: repeat the reading at rest and, if confirmed, escalate now and consider admission.',
  },
];
