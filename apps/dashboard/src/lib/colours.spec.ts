import { RCP_COLOURS, TEXT_ON_COLOUR, bandColour, contrastRatio, parameterScoreColour, thresholdLineColour } from './colours';

describe('clinical colours', () => {
  it('shades NEWS2 parameter scores as RCP chart 1 does: 3 red, 2 orange, 1 yellow, 0 white', () => {
    expect([0, 1, 2, 3].map(parameterScoreColour)).toEqual([RCP_COLOURS.white, RCP_COLOURS.yellow, RCP_COLOURS.orange, RCP_COLOURS.red]);
  });

  it('gives each risk band and alert severity its escalating colour', () => {
    expect(bandColour('high')).toBe(RCP_COLOURS.red);
    expect(bandColour('medium')).toBe(RCP_COLOURS.orange);
    expect(bandColour('low-medium')).toBe(RCP_COLOURS.yellow);
    expect(bandColour('low')).toBe(RCP_COLOURS.lowGreen);
  });

  it('keeps text on every band colour legible (WCAG AA, 4.5:1)', () => {
    for (const band of ['low', 'low-medium', 'medium', 'high'] as const) {
      expect(contrastRatio(TEXT_ON_COLOUR, bandColour(band))).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('draws threshold lines that stand out on a white chart (3:1 for graphics)', () => {
    for (const severity of ['low', 'low-medium', 'medium', 'high', 'other']) {
      expect(contrastRatio(thresholdLineColour(severity), '#ffffff')).toBeGreaterThanOrEqual(3);
    }
  });

  it('computes contrast as WCAG defines it', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
