import { SYSTEM } from '../systems';
import { dateCondition, dateRange, meetsTime } from './date-search';
import { OBSERVATION_MAX_COUNT, parseObservationSearch } from './observation-search';
import { parseFlagSearch, parsePatientSearch } from './registry-search';
import { encodeSearchCursor, parseSearchCursor } from './search-cursor';
import { searchHandling } from './search-parameters';
import { vitalsOfCategoryToken, vitalsOfCodeText, vitalsOfCodeToken } from './token-search';

const PATIENT = '0b5e7c7a-8d0f-4a36-9a55-2f1f5b0c9e11';
const OTHER = '1c6f8d8b-9e10-4b47-8b66-3a2a6c1daf22';
const NOW = new Date('2026-11-22T12:00:00Z');
const iso = (d: Date | null) => d?.toISOString() ?? null;
const search = (query: string, handling: 'strict' | 'lenient' = 'lenient') => parseObservationSearch(new URLSearchParams(query), { handling, now: NOW });

describe('date search (R4 §3.1.1.4.2): precision and prefixes', () => {
  it.each([
    ['2026', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-11', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-11-22', '2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
    ['2026-11-22T07:30Z', '2026-11-22T07:30:00.000Z', '2026-11-22T07:31:00.000Z'],
    ['2026-11-22T07:30:05+01:00', '2026-11-22T06:30:05.000Z', '2026-11-22T06:30:06.000Z'],
    ['2026-11-22T07:30:05.250Z', '2026-11-22T07:30:05.250Z', '2026-11-22T07:30:05.251Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['0050', '0050-01-01T00:00:00.000Z', '0051-01-01T00:00:00.000Z'],
  ])('%s covers [%s, %s)', (value, start, end) => {
    expect(dateRange(value)).toEqual({ start: new Date(start), end: new Date(end) });
  });

  it.each(['2026-13', '2026-02-30', '2026-11-22T25:00Z', 'yesterday', '26-11-22', '2026-11-22T07Z', ''])('refuses %j', (value) => {
    expect(dateRange(value)).toBeUndefined();
  });

  // Each prefix against the day 2026-11-22, at its edges: the last instant before, the first
  // instant of the day, its last millisecond, the first instant after.
  const before = new Date('2026-11-21T23:59:59.999Z');
  const first = new Date('2026-11-22T00:00:00.000Z');
  const last = new Date('2026-11-22T23:59:59.999Z');
  const after = new Date('2026-11-23T00:00:00.000Z');
  it.each([
    ['eq', [false, true, true, false]],
    ['', [false, true, true, false]],
    ['ne', [true, false, false, true]],
    ['gt', [false, false, false, true]],
    ['sa', [false, false, false, true]],
    ['ge', [false, true, true, true]],
    ['lt', [true, false, false, false]],
    ['eb', [true, false, false, false]],
    ['le', [true, true, true, false]],
  ])('%s2026-11-22 matches [before, first, last, after] = %j', (prefix, expected) => {
    const condition = dateCondition(`${prefix}2026-11-22`, NOW);
    if (!condition) throw new Error('expected a condition');
    expect([before, first, last, after].map((t) => meetsTime(condition, t))).toEqual(expected);
  });

  it('ap widens the range by 10 % of the gap to now', () => {
    const condition = dateCondition('ap2026-11-02T12:00Z', NOW); // 20 days before now: ± 2 days around the minute
    expect([iso(condition?.from ?? null), iso(condition?.before ?? null)]).toEqual(['2026-10-31T12:00:00.000Z', '2026-11-04T12:01:00.000Z']);
  });
});

describe('token search: codes, component codes, categories', () => {
  it('finds the panel by its own code and by either component, in any system', () => {
    expect(vitalsOfCodeToken('85354-9')).toEqual(['systolic_bp', 'diastolic_bp', 'mean_arterial_pressure']);
    expect(vitalsOfCodeToken(`${SYSTEM.loinc}|8480-6`)).toEqual(['systolic_bp']);
    expect(vitalsOfCodeToken(`${SYSTEM.snomed}|271650006`)).toEqual(['diastolic_bp']);
    expect(vitalsOfCodeToken(`${SYSTEM.mdc}|150456`)).toEqual(['spo2']);
    expect(vitalsOfCodeToken('2708-6')).toEqual(['spo2']);
  });

  it('matches nothing for an unknown code, a code without a system, or another system', () => {
    expect(vitalsOfCodeToken('1234-5')).toEqual([]);
    expect(vitalsOfCodeToken('|8480-6')).toEqual([]);
    expect(vitalsOfCodeToken(`${SYSTEM.snomed}|8480-6`)).toEqual([]);
    expect(vitalsOfCodeToken('http://example.org|')).toEqual([]);
    expect(vitalsOfCodeToken(`${SYSTEM.loinc}|`)).toContain('body_weight');
  });

  it('reads :text against the names, and categories (glucose is not a vital sign)', () => {
    expect(vitalsOfCodeText('PRESSURE')).toEqual(['systolic_bp', 'diastolic_bp', 'mean_arterial_pressure']);
    expect(vitalsOfCodeText('weight')).toEqual(['body_weight']);
    expect(vitalsOfCategoryToken('vital-signs')).not.toContain('blood_glucose');
    expect(vitalsOfCategoryToken(`${SYSTEM.observationCategory}|laboratory`)).toEqual(['blood_glucose']);
    expect(vitalsOfCategoryToken('http://example.org|vital-signs')).toEqual([]);
  });
});

describe('Observation search parameters', () => {
  it('ANDs repeated parameters and ORs commas', () => {
    const parsed = search(`patient=${PATIENT}&code=8480-6,8462-4&code:not=8867-4&date=ge2026-11&date=lt2026-12`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value.tokens).toEqual([
      { vitals: ['systolic_bp', 'diastolic_bp'], negate: false },
      { vitals: ['heart_rate'], negate: true },
    ]);
    expect(parsed.value.dates.map((d) => [iso(d.from), iso(d.before)])).toEqual([
      ['2026-11-01T00:00:00.000Z', null],
      [null, '2026-12-01T00:00:00.000Z'],
    ]);
    expect(parsed.value.applied.toString()).toBe(`patient=${PATIENT}&code=8480-6%2C8462-4&code%3Anot=8867-4&date=ge2026-11&date=lt2026-12`);
  });

  it('accepts date=2026-11 and every prefix', () => {
    for (const prefix of ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']) expect(search(`date=${prefix}2026-11`).ok).toBe(true);
  });

  it('two different patients, code:missing=true or date:missing=true match nothing', () => {
    for (const query of [`patient=${PATIENT}&subject=Patient/${OTHER}`, 'code:missing=true', 'date:missing=true']) {
      const parsed = search(query);
      expect([query, parsed.ok && parsed.value.matchesNothing]).toEqual([query, true]);
    }
    const fine = search(`patient=${PATIENT}&subject:Patient=Patient/${PATIENT}&code:missing=false`);
    expect(fine.ok && [fine.value.patientId, fine.value.matchesNothing]).toEqual([PATIENT, false]);
  });

  it('component-code keeps to blood pressure components', () => {
    const parsed = search('component-code=8480-6,8867-4');
    expect(parsed.ok && parsed.value.tokens).toEqual([{ vitals: ['systolic_bp'], negate: false }]);
  });

  it('lenient: unsupported parameters and modifiers are left out and noted; strict: refused with their names', () => {
    const query = `patient=${PATIENT}&colour=red&code:above=8480-6&value-quantity=gt100&_sort=-date`;
    const lenient = search(query);
    if (!lenient.ok) throw new Error(JSON.stringify(lenient.problems));
    expect(lenient.value.notes.map((n) => [n.path, n.severity])).toEqual([
      ['colour', 'warning'],
      ['code:above', 'warning'],
      ['value-quantity', 'warning'],
      ['_sort', 'warning'],
    ]);
    expect(lenient.value.tokens).toEqual([]);
    expect(lenient.value.applied.toString()).toBe(`patient=${PATIENT}`);
    const strict = search(query, 'strict');
    expect(strict.ok ? [] : strict.problems.map((p) => [p.path, p.type])).toEqual([
      ['colour', 'not-supported'],
      ['code:above', 'not-supported'],
      ['value-quantity', 'not-supported'],
      ['_sort', 'not-supported'],
    ]);
    expect(search('_format=json&_pretty=true', 'strict').ok).toBe(true);
  });

  it('refuses bad values whatever the handling, each at its parameter', () => {
    const parsed = search('patient=42&date=yesterday&_count=-1&_offset=100000000&_cursor=abc&code:missing=maybe');
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.path)).toEqual(['patient', 'code:missing', 'date', '_count', '_offset', '_cursor']);
  });

  it('bounds _count (capped, noted) and _offset; _count=0 asks for the total only', () => {
    const capped = search('_count=100000');
    expect(capped.ok && [capped.value.count, capped.value.notes[0]?.code]).toEqual([OBSERVATION_MAX_COUNT, 'fhir.search-count-capped']);
    const zero = search('_count=0');
    expect(zero.ok && zero.value.count).toBe(0);
    expect(search('_offset=999999999999999999999').ok).toBe(false);
  });

  it('round-trips its own cursor and refuses others', () => {
    const cursor = { snapshot: '812', afterMicros: '1795338000000000', afterId: '17' };
    expect(parseSearchCursor(encodeSearchCursor(cursor))).toEqual(cursor);
    expect(parseSearchCursor('1.2')).toBeUndefined();
    expect(parseSearchCursor('99999999999999999999.1.1')).toBeUndefined();
  });

  it('reads Prefer: handling', () => {
    expect(searchHandling('handling=strict')).toBe('strict');
    expect(searchHandling('return=minimal, handling=strict')).toBe('strict');
    expect(searchHandling('handling=lenient')).toBe('lenient');
    expect(searchHandling(undefined)).toBe('lenient');
  });
});

describe('Patient and Flag search parameters', () => {
  it('Patient by NHS number (with or without the system), _id; another system matches nothing', () => {
    const parsed = parsePatientSearch(new URLSearchParams(`identifier=${SYSTEM.nhsNumber}|9434765919`), 'strict');
    expect(parsed.ok && parsed.value.nhsNumbers).toEqual(['9434765919']);
    const other = parsePatientSearch(new URLSearchParams('identifier=http://example.org/mrn|123'), 'strict');
    expect(other.ok && other.value.matchesNothing).toBe(true);
    expect(parsePatientSearch(new URLSearchParams(`identifier=${SYSTEM.nhsNumber}|12`), 'lenient').ok).toBe(false);
    expect(parsePatientSearch(new URLSearchParams('name=Ada'), 'strict').ok).toBe(false);
    expect(parsePatientSearch(new URLSearchParams(''), 'lenient').ok).toBe(false);
  });

  it('Flag by patient and status', () => {
    const parsed = parseFlagSearch(new URLSearchParams(`patient=Patient/${PATIENT}&status=active`), 'strict');
    expect(parsed.ok && [parsed.value.patientId, parsed.value.status]).toEqual([PATIENT, 'active']);
    expect(parseFlagSearch(new URLSearchParams('status=entered-in-error'), 'strict').ok).toBe(false);
  });
});
