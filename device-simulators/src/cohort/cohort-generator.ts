import { PATHWAYS, type Pathway, nhsCheckDigit } from '@homeward/domain';
import type { Baseline, Cohort, CohortPatient, ScriptedEvent, ScriptedEventKind } from './cohort.model';
import { SeededRandom } from './seeded-random';

export interface CohortOptions {
  readonly seed: number;
  readonly size: number;
  /** Length of the timeline the events are placed on (days). */
  readonly days: number;
  /**
   * `scripted` (default): the first six patients carry one event each (decompensation, chest
   * infection, non-adherence, hub outage, wrong clock, malformed frames) near the end of the
   * timeline, so a short replay shows every signature; the rest are quiet. `none`: no events.
   */
  readonly events?: 'scripted' | 'none';
}

const GIVEN_NAMES = ['Ada', 'Arthur', 'Beatrice', 'Cyril', 'Doris', 'Edna', 'Frank', 'Gwen', 'Harold', 'Irene', 'Joan', 'Kenneth', 'Lilian', 'Mabel', 'Norman', 'Olive', 'Percy', 'Rita', 'Stanley', 'Violet'];
const FAMILY_NAMES = ['Ahmed', 'Baker', 'Clarke', 'Davies', 'Evans', 'Fletcher', 'Green', 'Hughes', 'Iqbal', 'Jones', 'Khan', 'Lewis', 'Morgan', 'Nowak', 'Owen', 'Patel', 'Roberts', 'Singh', 'Taylor', 'Walsh'];

/** The event each of the first six patients carries, with the pathway it belongs to. */
const SCRIPTED: ReadonlyArray<{ kind: ScriptedEventKind; pathway: Pathway }> = [
  { kind: 'heart-failure-decompensation', pathway: 'heart-failure' },
  { kind: 'chest-infection', pathway: 'acute-respiratory-infection' },
  { kind: 'non-adherence', pathway: 'frailty' },
  { kind: 'hub-outage', pathway: 'copd' },
  { kind: 'wrong-clock', pathway: 'general' },
  { kind: 'malformed-frames', pathway: 'heart-failure' },
];

/** A deterministic cohort: the same options give the same patients, baselines and events. */
export function generateCohort(options: CohortOptions): Cohort {
  if (!Number.isInteger(options.size) || options.size < 0) throw new Error(`cohort size must be a whole number, not ${options.size}`);
  if (!(options.days >= 1)) throw new Error(`a cohort timeline needs at least one day, not ${options.days}`);
  const patients: CohortPatient[] = [];
  for (let index = 0; index < options.size; index++) {
    const random = SeededRandom.derive(options.seed, index);
    const scripted = options.events === 'none' ? undefined : SCRIPTED[index];
    const pathway = scripted?.pathway ?? random.pick(PATHWAYS);
    const diabetic = random.chance(0.25);
    const events = scripted ? [scriptedEvent(scripted.kind, options.days, random)] : [];
    patients.push({
      index,
      givenName: random.pick(GIVEN_NAMES),
      familyName: random.pick(FAMILY_NAMES),
      nhsNumber: testRangeNhsNumber(random),
      dateOfBirth: dateOfBirth(random),
      pathway,
      diabetic,
      // Hub outages happen to hubs; wrong clocks and bad frames to hubs' BLE devices.
      device: scripted || random.chance(0.7) ? 'hub' : 'patient-app',
      baseline: baseline(pathway, diabetic, random),
      events,
    });
  }
  return { seed: options.seed, patients };
}

/** Events placed so that they peak in the last days of the timeline (what a short demo replays). */
function scriptedEvent(kind: ScriptedEventKind, days: number, random: SeededRandom): ScriptedEvent {
  const late = (length: number) => ({ startDay: Math.max(0, days - length), days: Math.min(length, days) });
  switch (kind) {
    case 'heart-failure-decompensation':
      return { kind, ...late(5) };
    case 'chest-infection':
      return { kind, ...late(3) };
    case 'non-adherence':
      return { kind, ...late(3) };
    case 'hub-outage':
      return { kind, startDay: Math.max(0, days - 4), days: Math.min(2, days) };
    case 'wrong-clock':
      // Hours to a day out, either way: far beyond the gateway's allowed skew.
      return { kind, offsetMs: (random.chance(0.5) ? 1 : -1) * random.integer(3, 26) * 3_600_000 };
    case 'malformed-frames':
      return { kind, ...late(2) };
  }
}

function baseline(pathway: Pathway, diabetic: boolean, random: SeededRandom): Baseline {
  const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
  const copd = pathway === 'copd';
  return {
    systolic: Math.round(random.between(112, 148)),
    diastolic: Math.round(random.between(64, 88)),
    heartRate: Math.round(random.between(pathway === 'heart-failure' ? 64 : 60, 86)),
    // COPD patients live lower; the others at the usual 94–98 %.
    spo2: Math.round(copd ? random.between(93, 95.5) : random.between(95, 98.5)),
    respirationRate: Math.round(copd ? random.between(16, 20) : random.between(12, 17)),
    temperature: round(random.between(36.3, 37.0), 1),
    weight: round(random.between(52, 108), 1),
    glucose: diabetic ? round(random.between(5.5, 8.5), 1) : null,
  };
}

/** NHS numbers from the 999 range, which is never issued to anyone (safe for test data). */
function testRangeNhsNumber(random: SeededRandom): string {
  for (;;) {
    const nine = `999${String(random.integer(0, 999_999)).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

function dateOfBirth(random: SeededRandom): string {
  const year = random.integer(1931, 1975);
  const month = random.integer(1, 12);
  const day = random.integer(1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
