import { ALERT_OUTCOME_NAMES } from '@homeward/domain';
import { useEffect, useRef, useState } from 'preact/hooks';
import { SeverityBadge } from '../components/badges';
import { CarePlanEditor } from '../components/care-plan-editor';
import { ReadingsTable } from '../components/readings-table';
import { type ChartSeries, type ChartTable, TimeChart } from '../components/time-chart';
import { ApiError, api, describeError } from '../lib/api-client';
import type { AlertDto, CarePlanEditorView, ChartThreshold, Me, News2Point, PatientRecord, ReadingsPageDto, StoredReading, Trend } from '@homeward/contracts';
import { BAND_NAMES, NEWS2_SCORE_BANDS, bandColour, thresholdLineColour } from '../lib/colours';
import { displayUnit, formatDateTime, formatNhsNumber, formatValue } from '../lib/format';
import { PATHWAY_NAMES } from '../lib/patient-worklist';
import { DEVICE_TYPE_NAMES, deviceStatusText } from '../lib/devices';
import { clinicalYRange } from '../lib/chart-range';
import { gapLimitMs, gapsOf, splitAtGaps, thresholdBands } from '../lib/chart-axes';
import { useLoad } from '../lib/use-load';
import { readingsFilter } from '../lib/backtest';
import { CHARTED_VITALS, canonicalUnit, vitalName } from '../lib/vitals';

type Range = 'day' | 'week' | 'month';
const RANGES: ReadonlyArray<{ range: Range; label: string; days: number; bucket: 'hour' | 'day' | null }> = [
  { range: 'day', label: 'Day', days: 1, bucket: null }, // every reading
  { range: 'week', label: 'Week', days: 7, bucket: 'hour' }, // hourly min, mean, max
  { range: 'month', label: 'Month', days: 30, bucket: 'day' }, // daily min, mean, max
];
const LINE_COLOUR = '#005eb8';
/** Rows per "Show older readings". */
const TABLE_PAGE = 200;
/** The day chart draws every reading: up to this many pages of 1,000 (a reading every 4 s for a day). */
const CHART_PAGES = 20;

interface PatientData {
  readonly from: number;
  readonly to: number;
  /** Every reading of the period, oldest first, for the day charts (empty for week and month, drawn from trends). */
  readonly readings: readonly StoredReading[];
  readonly trends: ReadonlyMap<string, Trend>;
  readonly vitals: readonly string[];
  readonly news2: readonly News2Point[] | { readonly unavailable: string };
}

/** A patient: trends per vital with their thresholds, NEWS2, readings, devices, care plan and alerts. */
export function PatientPage({ patientId, me }: { patientId: string; me: Me }) {
  const [range, setRange] = useState<Range>('day');
  const record = useLoad(() => api<PatientRecord>('GET', `/api/patients/${patientId}`), [patientId]);
  const alerts = useLoad(() => (me.role === 'admin' ? Promise.resolve([] as AlertDto[]) : api<AlertDto[]>('GET', `/api/patients/${patientId}/alerts`)), [patientId]);
  // Readings, trends and NEWS2 are the care team's and the patient's; an admin sees the record only.
  // The expected schedule per vital (staff only): a longer wait between readings is drawn as a gap.
  const schedule = useLoad(() => (me.role === 'nurse' || me.role === 'clinician' ? api<CarePlanEditorView>('GET', `/api/patients/${patientId}/care-plan/edit`) : Promise.resolve(null)), [patientId]);
  const data = useLoad(() => (me.role === 'admin' ? Promise.reject(new Error('Readings and trends are shown to the care team and the patient.')) : loadRange(patientId, range)), [patientId, range]);

  if (record.error && !record.data) {
    return (
      <>
        <h1 tabIndex={-1}>Patient</h1>
        <p class="field-error" role="alert">
          {describeError(record.error)}
        </p>
      </>
    );
  }
  if (!record.data) return <p>Loading the patient…</p>;
  const { patient, admission, devices, thresholds } = record.data;
  // A backtest's link to the readings behind a finding (?readings=ids&at=time): shown first.
  const filter = readingsFilter(location.search);

  return (
    <>
      <h1 tabIndex={-1}>
        {patient.givenName} {patient.familyName}
      </h1>
      <p>
        NHS {formatNhsNumber(patient.nhsNumber)} · born {patient.dateOfBirth}
        {admission ? ` · ${PATHWAY_NAMES[admission.pathway]} pathway since ${formatDateTime(admission.admittedAt)}` : ' · not on a virtual ward'} ·{' '}
        <a href={`/patients/${patient.id}/enter`}>Enter a reading</a>
      </p>

      {filter && <ReadingsBehindFinding key={location.search} patientId={patientId} ids={filter.ids} at={filter.at} />}

      <h2 id="trends-heading">Trends</h2>
      <div class="range" role="group" aria-labelledby="trends-heading">
        {RANGES.map((r) => (
          <button key={r.range} type="button" class="secondary" aria-pressed={range === r.range} onClick={() => setRange(r.range)}>
            {r.label}
          </button>
        ))}
      </div>
      {data.error ? (
        <p class="field-error" role="alert">
          {describeError(data.error)}
        </p>
      ) : null}
      {!data.data ? (
        <p>Loading trends…</p>
      ) : (
        <>
          <div class="charts" aria-busy={data.loading}>
            <News2Chart data={data.data} />
            {data.data.vitals.map((vital) => (
              <VitalChart
                key={`${vital}-${range}`}
                vital={vital}
                range={range}
                data={data.data as PatientData}
                thresholds={thresholds.filter((t) => t.vital === vital)}
                everyHours={schedule.data?.vitals.find((v) => v.vital === vital)?.everyHours ?? null}
              />
            ))}
          </div>
          {data.data.vitals.length === 0 && <p class="muted">No readings in this period.</p>}
          <h2>Readings</h2>
          <PagedReadings key={`${range}-${data.data.from}`} patientId={patientId} from={data.data.from} to={data.data.to} caption={`Readings of the last ${range}, newest first`} />
        </>
      )}

      <h2>Devices</h2>
      {devices.length === 0 ? (
        <p class="muted">No devices issued.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Devices">
          <table>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Serial</th>
                <th scope="col">Battery</th>
                <th scope="col">Last seen</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.id}>
                  <td>
                    {DEVICE_TYPE_NAMES[d.type] ?? d.type}
                    {d.model ? ` (${d.model})` : ''}
                  </td>
                  <td>{d.serial}</td>
                  <td>{d.batteryLevel === null ? 'unknown' : `${d.batteryLevel} %`}</td>
                  <td>{formatDateTime(d.lastSeenAt)}</td>
                  <td class={d.status === 'ok' || d.lastSeenAt === null ? '' : 'overdue'}>{deviceStatusText(d)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Care plan</h2>
      {!admission ? (
        <p class="muted">Not admitted.</p>
      ) : me.role === 'patient' ? (
        <CarePlan plan={admission.carePlan} pathway={admission.pathway} thresholds={thresholds} />
      ) : (
        <CarePlanEditor patientId={patientId} patientName={`${patient.givenName} ${patient.familyName}`} me={me} />
      )}

      <h2>Alert history</h2>
      {alerts.data && alerts.data.length > 0 ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Alert history">
          <table>
            <thead>
              <tr>
                <th scope="col">Opened</th>
                <th scope="col">Severity</th>
                <th scope="col">Alert</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {alerts.data.map((a) => (
                <tr key={a.id}>
                  <td>{formatDateTime(a.openedAt)}</td>
                  <td>
                    <SeverityBadge severity={a.severity} />
                  </td>
                  <td>
                    <a href={`/alerts/${a.id}`}>{a.explanation}</a>
                  </td>
                  <td>
                    {a.state}
                    {a.outcome ? ` (${ALERT_OUTCOME_NAMES[a.outcome]})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">{alerts.error ? describeError(alerts.error) : 'No alerts.'}</p>
      )}
    </>
  );
}

/** Exactly the readings a link names (a backtest finding's evidence), with the moment the rules judged them. */
function ReadingsBehindFinding({ patientId, ids, at }: { patientId: string; ids: readonly string[]; at: string | null }) {
  const readings = useLoad(() => api<StoredReading[]>('GET', `/api/patients/${patientId}/readings/by-id?ids=${ids.join(',')}`), [patientId, ids.join(',')]);
  const caption = `Readings behind the finding${at ? ` judged at ${formatDateTime(at)}` : ''}`;
  return (
    <section class="panel" aria-labelledby="behind-heading" data-testid="readings-behind">
      <h2 id="behind-heading">{caption}</h2>
      {readings.error ? (
        <p class="field-error" role="alert">
          {describeError(readings.error)}
        </p>
      ) : !readings.data ? (
        <p>Loading the readings…</p>
      ) : (
        <>
          <ReadingsTable readings={readings.data} caption={`${readings.data.length} of ${ids.length} ${ids.length === 1 ? 'reading' : 'readings'} named by the link`} />
          {readings.data.length < ids.length && <p class="muted">{ids.length - readings.data.length} of the readings named are not this patient's or no longer stored.</p>}
        </>
      )}
      <p>
        <a href={`/patients/${patientId}`}>Show this patient's recent readings instead</a>
      </p>
    </section>
  );
}

async function loadRange(patientId: string, range: Range): Promise<PatientData> {
  const spec = RANGES.find((r) => r.range === range) ?? RANGES[0];
  const to = Date.now();
  const from = to - (spec?.days ?? 1) * 86_400_000;
  const query = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
  const [readings, latest, news2] = await Promise.all([
    range === 'day' ? everyReading(patientId, query) : Promise.resolve([]),
    api<StoredReading[]>('GET', `/api/patients/${patientId}/latest`),
    api<News2Point[]>('GET', `/api/patients/${patientId}/news2?${query}`).catch((error: unknown) => {
      if (error instanceof ApiError && (error.status === 404 || error.status === 409)) return { unavailable: error.messages.join(' ') };
      throw error;
    }),
  ]);
  const known = new Set(latest.map((r) => r.vital));
  const vitals = CHARTED_VITALS.filter((v) => known.has(v));
  const trends = new Map<string, Trend>();
  if (spec?.bucket) {
    const fetched = await Promise.all(vitals.map((vital) => api<Trend>('GET', `/api/patients/${patientId}/trends?vital=${vital}&bucket=${spec.bucket}&${query}`)));
    for (const trend of fetched) trends.set(trend.vital, trend);
  }
  return { from, to, readings, trends, vitals, news2 };
}

/** Every reading of [from, to) for a chart, oldest first: the API pages newest first, so follow the cursor and reverse. */
async function everyReading(patientId: string, query: string): Promise<StoredReading[]> {
  const newestFirst: StoredReading[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < CHART_PAGES; page++) {
    const answer: ReadingsPageDto = await api<ReadingsPageDto>('GET', `/api/patients/${patientId}/readings?${query}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    newestFirst.push(...answer.items);
    cursor = answer.next;
    if (!cursor) break;
  }
  return newestFirst.reverse();
}

/** The period's readings, newest first, a page at a time: "Show older readings" follows the cursor. */
function PagedReadings({ patientId, from, to, caption }: { patientId: string; from: number; to: number; caption: string }) {
  const [shown, setShown] = useState<{ items: readonly StoredReading[]; next: string | null; loading: boolean; error: unknown }>({ items: [], next: null, loading: true, error: undefined });
  // The parent keys this by period, so a page arriving after the period changed lands nowhere.
  const mounted = useRef(true);
  const load = (cursor: string | null) => {
    setShown((s) => ({ ...s, loading: true, error: undefined }));
    const query = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&limit=${TABLE_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    api<ReadingsPageDto>('GET', `/api/patients/${patientId}/readings?${query}`).then(
      (page) => mounted.current && setShown((s) => ({ items: [...s.items, ...page.items], next: page.next, loading: false, error: undefined })),
      (error: unknown) => mounted.current && setShown((s) => ({ ...s, loading: false, error })),
    );
  };
  useEffect(() => {
    load(null);
    return () => {
      mounted.current = false;
    };
  }, []);
  if (shown.loading && shown.items.length === 0) return <p>Loading readings…</p>;
  return (
    <>
      {shown.error && shown.items.length === 0 ? null : <ReadingsTable readings={shown.items} caption={caption} limit={shown.items.length} />}
      {shown.error ? (
        <p class="field-error" role="alert">
          {describeError(shown.error)}
        </p>
      ) : null}
      <p class="muted" aria-live="polite" data-testid="readings-count">
        {shown.items.length === 0 ? '' : `${shown.items.length} ${shown.items.length === 1 ? 'reading' : 'readings'} shown${shown.next ? '' : ', all of this period'}.`}
      </p>
      {shown.next ? (
        <button type="button" class="secondary" disabled={shown.loading} onClick={() => load(shown.next)}>
          {shown.loading ? 'Loading older readings…' : 'Show older readings'}
        </button>
      ) : null}
    </>
  );
}

function VitalChart({ vital, range, data, thresholds, everyHours }: { vital: string; range: Range; data: PatientData; thresholds: readonly ChartThreshold[]; everyHours: number | null }) {
  const ucum = canonicalUnit(vital);
  const unit = displayUnit(ucum);
  const trend = data.trends.get(vital);
  let series: ChartSeries[];
  let description: string;
  let table: ChartTable;
  let values: number[];
  if (range === 'day' || !trend) {
    const points = data.readings.filter((r) => r.vital === vital).map((r) => ({ x: Date.parse(r.measuredAt), y: r.value }));
    points.sort((a, b) => a.x - b.x);
    const drawn = splitAtGaps(points, gapLimitMs(everyHours, points.map((p) => p.x)));
    values = points.map((p) => p.y);
    series = [{ label: vitalName(vital), points: drawn, colour: LINE_COLOUR }];
    table = { columns: [vitalName(vital)], rows: points.map((p) => ({ at: p.x, values: [formatValue(p.y, ucum)] })), gaps: gapsOf(drawn) };
    description = `${points.length} readings${points.length ? `, from ${Math.min(...values)} to ${Math.max(...values)} ${unit}` : ''}${table.gaps.length ? `, ${table.gaps.length} ${table.gaps.length === 1 ? 'gap' : 'gaps'} in the readings` : ''}.`;
  } else {
    const x = (start: string) => Date.parse(start);
    const limit = gapLimitMs(everyHours, trend.buckets.map((b) => x(b.start)));
    const drawn = (pick: (b: Trend['buckets'][number]) => number) => splitAtGaps(trend.buckets.map((b) => ({ x: x(b.start), y: pick(b) })), limit);
    const mean = drawn((b) => b.mean);
    values = trend.buckets.flatMap((b) => [b.min, b.max]);
    series = [
      { label: '_max', points: drawn((b) => b.max), colour: '#9dc3e6', line: false },
      { label: `${range === 'week' ? 'Hourly' : 'Daily'} mean`, points: mean, colour: LINE_COLOUR },
      { label: '_min', points: drawn((b) => b.min), colour: '#9dc3e6', line: false, fillTo: 0 },
    ];
    table = {
      columns: ['Lowest', 'Mean', 'Highest', 'Readings'],
      rows: trend.buckets.map((b) => ({ at: x(b.start), values: [formatValue(b.min, ucum), formatValue(b.mean, ucum), formatValue(b.max, ucum), String(b.count)] })),
      gaps: gapsOf(mean),
    };
    description = `${trend.buckets.length} ${trend.bucket}ly buckets (minimum, mean and maximum), ${trend.buckets.reduce((n, b) => n + b.count, 0)} readings.`;
  }
  const lines = thresholds.map((t) => ({ value: t.value, label: `${t.direction === 'at-or-above' ? '≥' : '≤'} ${t.value} ${t.severity}${t.source === 'override' ? ' (override)' : ''}`, colour: thresholdLineColour(t.severity) }));
  const yRange = clinicalYRange(vital, [...values, ...thresholds.map((t) => t.value)]);
  // The patient's effective limits, lightly shaded in their severity's colour behind the readings.
  const bands = yRange ? thresholdBands(thresholds, yRange.min, yRange.max).map((b) => ({ from: b.from, to: b.to, colour: `${bandColour(b.severity)}33` })) : [];
  return (
    <TimeChart
      testId={`chart-${vital}`}
      title={`${vitalName(vital)} (${unit})`}
      description={description}
      unit={unit}
      from={data.from}
      to={data.to}
      series={series}
      lines={lines}
      bands={bands}
      table={table}
      {...(yRange ? { yMin: yRange.min, yMax: yRange.max } : {})}
    />
  );
}

/** NEWS2 over the period: each point in its RCP risk-band colour, hollow when partial. */
function News2Chart({ data }: { data: PatientData }) {
  if (!Array.isArray(data.news2)) {
    return (
      <figure class="chart">
        <figcaption>NEWS2</figcaption>
        <p class="muted">{(data.news2 as { unavailable: string }).unavailable}</p>
      </figure>
    );
  }
  const points = data.news2 as readonly News2Point[];
  const top = Math.min(20, Math.max(8, ...points.map((p) => p.score + 1)));
  const partial = points.filter((p) => !p.complete).length;
  return (
    <TimeChart
      testId="chart-news2"
      title="NEWS2 (RCP colours; hollow = partial)"
      description={`${points.length} scores${points.length ? `, latest ${points[points.length - 1]?.score} (${BAND_NAMES[points[points.length - 1]?.band ?? 'low']} risk)` : ''}${partial ? `, ${partial} partial` : ''}.`}
      unit="score"
      from={data.from}
      to={data.to}
      yMin={0}
      yMax={top}
      bands={NEWS2_SCORE_BANDS.map((b) => ({ from: b.from, to: Math.min(b.to, top), colour: `${bandColour(b.band)}55` }))}
      series={[
        {
          label: 'NEWS2',
          points: points.map((p) => ({ x: Date.parse(p.at), y: p.score })),
          colour: '#333333',
          pointColours: points.map((p) => bandColour(p.band)),
          pointBorders: points.map((p) => thresholdLineColour(p.band)),
          hollow: points.map((p) => !p.complete),
        },
      ]}
    />
  );
}

function CarePlan({ plan, pathway, thresholds }: { plan: Readonly<Record<string, unknown>>; pathway: string; thresholds: readonly ChartThreshold[] }) {
  const entries = Object.entries(plan);
  return (
    <div class="panel">
      <dl class="facts">
        <dt>Pathway</dt>
        <dd>{pathway}</dd>
        {entries.map(([key, value]) => (
          <>
            <dt key={`${key}-t`}>{key}</dt>
            <dd key={`${key}-d`}>
              <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
            </dd>
          </>
        ))}
        <dt>Alert limits</dt>
        <dd>
          {thresholds.length === 0
            ? 'none'
            : thresholds.map((t) => `${vitalName(t.vital)} ${t.direction === 'at-or-above' ? '≥' : '≤'} ${formatValue(t.value, canonicalUnit(t.vital))} (${t.severity}${t.source === 'override' ? ', override' : ''})`).join('; ')}
        </dd>
      </dl>
    </div>
  );
}
