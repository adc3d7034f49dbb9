import type { AlertSeverityBand, News2Band } from '@homeward/contracts';

/**
 * Colours with a clinical meaning, taken from the Royal College of Physicians' NEWS2 charts
 * (RCP 2017, "National Early Warning Score (NEWS) 2"):
 * - Chart 1 (the scoring chart) shades a parameter score of 3 red, 2 orange, 1 yellow and 0 white.
 * - Charts 2 and 4 (thresholds, triggers and clinical response) use the same escalating scale for
 *   the risk bands: low (aggregate 0–4) is not shaded as an alarm, low–medium ("a red score":
 *   3 in one parameter) yellow, medium (5–6, urgent response) orange and high (≥7, emergency
 *   response) red. Alert severities use the same bands, so a nurse reads one colour language.
 * The hex values approximate the RCP print colours; all text on them is black, which meets
 * WCAG AA (4.5:1) on each (checked in colours.spec.ts).
 */
export const RCP_COLOURS = {
  white: '#ffffff',
  yellow: '#fff200',
  orange: '#f7941d',
  red: '#ed1c24',
  lowGreen: '#d7ecd0',
} as const;

export const TEXT_ON_COLOUR = '#000000';

/** Background of a NEWS2 parameter score (RCP chart 1). */
export function parameterScoreColour(points: number): string {
  if (points >= 3) return RCP_COLOURS.red;
  if (points === 2) return RCP_COLOURS.orange;
  if (points === 1) return RCP_COLOURS.yellow;
  return RCP_COLOURS.white;
}

/** Background of a NEWS2 risk band or an alert severity (RCP charts 2 and 4). */
export function bandColour(band: News2Band | AlertSeverityBand): string {
  switch (band) {
    case 'high':
      return RCP_COLOURS.red;
    case 'medium':
      return RCP_COLOURS.orange;
    case 'low-medium':
      return RCP_COLOURS.yellow;
    case 'low':
      return RCP_COLOURS.lowGreen;
  }
}

export const BAND_NAMES: Readonly<Record<News2Band, string>> = { low: 'low', 'low-medium': 'low–medium', medium: 'medium', high: 'high' };

/**
 * The aggregate-score bands drawn behind the NEWS2 chart (RCP chart 2): 0–4 low, 5–6 medium,
 * 7+ high. (Low–medium depends on one parameter scoring 3, not on the aggregate, so it is shown
 * on each point's colour, not as a background band.)
 */
export const NEWS2_SCORE_BANDS: ReadonlyArray<{ from: number; to: number; band: News2Band }> = [
  { from: 0, to: 4.5, band: 'low' },
  { from: 4.5, to: 6.5, band: 'medium' },
  { from: 6.5, to: 20, band: 'high' },
];

/** WCAG 2 contrast ratio of two #rrggbb colours (for the tests that keep text legible). */
export function contrastRatio(foreground: string, background: string): number {
  const luminance = (hex: string) => {
    const channel = (i: number) => {
      const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * A threshold line on a white chart: the band's hue, darkened so the line stands out (3:1
 * against white, WCAG 1.4.11 for graphics). Unknown severities are drawn dark grey.
 */
export function thresholdLineColour(severity: string): string {
  switch (severity) {
    case 'high':
      return '#c8102e';
    case 'medium':
      return '#b35900';
    case 'low-medium':
      return '#8a6d00';
    case 'low':
      return '#2e7d32';
    default:
      return '#555555';
  }
}
