import fc from 'fast-check';
import { PATHWAYS, type Pathway, type VitalKey } from '@homeward/domain';
import { type AlertSeverity, evaluatePatientRules, highestSeverity, mapCarePlan, news2BandRule, severityRank } from '../src';
import { NOW, PATIENT, consciousness, reading } from '../src/lib/testing/rules-test.builders';

/**
 * "The same or worse physiology must never get a lower severity than a milder value on another
 * pathway" (../shared/CLINICAL.md, "Severity at home"), as properties over every pathway's
 * default care plan (mapCarePlan of an empty plan: the real defaults).
 *
 * Worse means further from normal on the same side, parameter by parameter: lower SpO2, lower or
 * higher RR, systolic BP, pulse and temperature. Pathway limits may alert earlier than physiology
 * (a crossed limit is at least low), so an amber value can raise a low or low-medium alert on one
 * pathway and none on another; what never depends on the pathway is the physiology floor and the
 * urgency bands (medium, high), which is what these properties pin down.
 */

type Side = 'low' | 'high';
interface Range {
  readonly centre: number;
  readonly low?: number; // most extreme plausible value below the centre
  readonly high?: number; // most extreme plausible value above it
  readonly decimals: number;
  /** Band edges (NEWS2 chart, pathway limits) and their neighbours, where an inversion would hide. */
  readonly edges: readonly number[];
}

const RANGES: Readonly<Partial<Record<VitalKey, Range>>> = {
  respiration_rate: { centre: 16, low: 3, high: 60, decimals: 0, edges: [8, 9, 11, 12, 20, 21, 24, 25] },
  spo2: { centre: 100, low: 60, decimals: 0, edges: [83, 84, 85, 86, 87, 88, 91, 92, 93, 94, 95, 96] },
  systolic_bp: { centre: 165, low: 60, high: 260, decimals: 0, edges: [90, 91, 100, 101, 110, 111, 179, 180, 219, 220] },
  heart_rate: { centre: 70, low: 25, high: 220, decimals: 0, edges: [40, 41, 50, 51, 90, 91, 110, 111, 130, 131] },
  body_temperature: { centre: 37, low: 30, high: 42, decimals: 1, edges: [35.0, 35.1, 36.0, 36.1, 38.0, 38.1, 39.0, 39.1] },
};
const VITALS = Object.keys(RANGES) as VitalKey[];

/**
 * One parameter: two values on the same side of normal, often at a band edge (so equal values and
 * neighbours across an edge come up), the one nearer normal being the milder.
 */
const pairFor = (vital: VitalKey) => {
  const range = RANGES[vital]!;
  const sides: Side[] = [...(range.low !== undefined ? (['low'] as const) : []), ...(range.high !== undefined ? (['high'] as const) : [])];
  const scale = 10 ** range.decimals;
  return fc.constantFrom(...sides).chain((side) => {
    const extreme = side === 'low' ? range.low! : range.high!;
    const edges = range.edges.filter((e) => (side === 'low' ? e <= range.centre : e >= range.centre));
    const anywhere = fc.double({ min: 0, max: 1, noNaN: true }).map((f) => Math.round((range.centre + f * (extreme - range.centre)) * scale) / scale);
    const value = edges.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...edges), weight: 3 }, { arbitrary: anywhere, weight: 2 }) : anywhere;
    return fc.tuple(value, value).map(([x, y]) => {
      const [mild, worse] = Math.abs(x - range.centre) <= Math.abs(y - range.centre) ? [x, y] : [y, x];
      return { vital, mild, worse };
    });
  });
};

/** A reading set: a non-empty subset of the five measured parameters, each with its pair. */
const physiology = fc
  .subarray(VITALS, { minLength: 1 })
  .chain((vitals) => fc.tuple(...vitals.map(pairFor)))
  .map((pairs) => ({
    mild: Object.fromEntries(pairs.map((p) => [p.vital, p.mild])) as Partial<Record<VitalKey, number>>,
    worse: Object.fromEntries(pairs.map((p) => [p.vital, p.worse])) as Partial<Record<VitalKey, number>>,
  }));

const plans = Object.fromEntries(PATHWAYS.map((p) => [p, mapCarePlan({ patientId: PATIENT, pathway: p, carePlan: {} }).carePlan])) as Record<Pathway, ReturnType<typeof mapCarePlan>['carePlan']>;
const readingsOf = (values: Partial<Record<VitalKey, number>>) => Object.entries(values).map(([vital, value]) => reading(vital as VitalKey, value!, 1));
const observed = [consciousness('A', 1)];

/** The severity of the worklist alert this physiology gets on a pathway: the highest finding, or null. */
const severity = (pathway: Pathway, values: Partial<Record<VitalKey, number>>) =>
  highestSeverity(evaluatePatientRules(readingsOf(values), plans[pathway], NOW, observed).map((c) => c.severity));
/** What physiology alone gives (the home NEWS2 severity), whatever the pathway. */
const floor = (pathway: Pathway, values: Partial<Record<VitalKey, number>>) => news2BandRule(readingsOf(values), plans[pathway], NOW, observed)[0]?.severity ?? null;
const rank = (s: AlertSeverity | null) => (s === null ? -1 : severityRank(s));
const urgency = (s: AlertSeverity | null) => (s === 'high' ? 2 : s === 'medium' ? 1 : 0);

describe('one vital at a time, every value checked (exhaustive, in chart units)', () => {
  it.each(VITALS)('%s: worse never gets a lower severity on its pathway, nor a lower urgency band or floor than a milder value on any other', (vital) => {
    const range = RANGES[vital]!;
    const step = 10 ** -range.decimals;
    const violations: string[] = [];
    for (const extreme of [range.low, range.high]) {
      if (extreme === undefined) continue;
      const count = Math.round(Math.abs(extreme - range.centre) / step);
      const dir = Math.sign(extreme - range.centre);
      // Values from normal outwards: index i milder than j when i < j.
      const values = Array.from({ length: count + 1 }, (_, i) => Math.round((range.centre + dir * i * step) * 10 ** range.decimals) / 10 ** range.decimals);
      const sev = Object.fromEntries(PATHWAYS.map((p) => [p, values.map((v) => severity(p, { [vital]: v }))])) as Record<Pathway, (AlertSeverity | null)[]>;
      const floors = values.map((v) => floor('general', { [vital]: v }));
      for (let j = 0; j < values.length; j++) {
        for (let i = 0; i <= j; i++) {
          for (const a of PATHWAYS) {
            if (rank(sev[a][j]!) < rank(sev[a][i]!)) violations.push(`${a}: ${values[j]} → ${sev[a][j]} below ${values[i]} → ${sev[a][i]}`);
            if (rank(sev[a][j]!) < rank(floors[i]!)) violations.push(`${a}: ${values[j]} → ${sev[a][j]} below the floor of ${values[i]} (${floors[i]})`);
            for (const b of PATHWAYS) {
              if (urgency(sev[a][j]!) < urgency(sev[b][i]!)) violations.push(`${values[j]} on ${a} → ${sev[a][j]}, but milder ${values[i]} on ${b} → ${sev[b][i]}`);
            }
          }
        }
      }
    }
    expect(violations.slice(0, 5)).toEqual([]);
  });
});

describe('severity is monotone in physiology across all pathways', () => {
  it('the physiology floor is the same on every pathway, and no pathway goes below it', () => {
    fc.assert(
      fc.property(physiology, ({ worse }) => {
        const floors = PATHWAYS.map((p) => floor(p, worse));
        expect(new Set(floors).size).toBe(1);
        for (const p of PATHWAYS) expect(rank(severity(p, worse))).toBeGreaterThanOrEqual(rank(floors[0]!));
      }),
      { numRuns: 300 },
    );
  });

  it('same or worse physiology on any pathway never gets a lower severity than the floor of a milder value on another', () => {
    fc.assert(
      fc.property(physiology, fc.constantFrom(...PATHWAYS), fc.constantFrom(...PATHWAYS), ({ mild, worse }, a, b) => {
        expect(rank(severity(a, worse))).toBeGreaterThanOrEqual(rank(floor(b, mild)));
      }),
      { numRuns: 1000 },
    );
  });

  it('same or worse physiology on any pathway never gets a lower urgency band (medium, high) than a milder value on another', () => {
    fc.assert(
      fc.property(physiology, fc.constantFrom(...PATHWAYS), fc.constantFrom(...PATHWAYS), ({ mild, worse }, a, b) => {
        expect(urgency(severity(a, worse))).toBeGreaterThanOrEqual(urgency(severity(b, mild)));
      }),
      { numRuns: 1000 },
    );
  });

  it('on one pathway, worse physiology never gets a lower severity than milder', () => {
    fc.assert(
      fc.property(physiology, fc.constantFrom(...PATHWAYS), ({ mild, worse }, pathway) => {
        expect(rank(severity(pathway, worse))).toBeGreaterThanOrEqual(rank(severity(pathway, mild)));
      }),
      { numRuns: 500 },
    );
  });

  it('the issue case: SpO2 85 % on heart failure is at least as severe as 92 % on the chest pathway', () => {
    expect(rank(severity('heart-failure', { spo2: 85 }))).toBeGreaterThanOrEqual(rank(severity('acute-respiratory-infection', { spo2: 92 })));
  });
});
