import { VITAL_SIGNS, type VitalKey } from '@homeward/domain';

/** The canonical unit of each vital, as every reading must carry it. */
export const VITAL_UNITS: Readonly<Record<VitalKey, string>> = Object.fromEntries(
  Object.entries(VITAL_SIGNS).map(([key, sign]) => [key, sign.unit]),
) as Record<VitalKey, string>;
