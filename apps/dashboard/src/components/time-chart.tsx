import { CategoryScale, Chart, type ChartConfiguration, Filler, Legend, LineController, LineElement, LinearScale, PointElement, ScatterController, TimeScale, Tooltip } from 'chart.js';
import annotationPlugin, { type AnnotationOptions } from 'chartjs-plugin-annotation';
import 'chartjs-adapter-date-fns';
import { useEffect, useRef, useState } from 'preact/hooks';
import { timeTicks } from '../lib/chart-axes';
import { formatDateTime } from '../lib/format';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, CategoryScale, TimeScale, Tooltip, Legend, Filler, annotationPlugin);

export interface ChartPoint {
  readonly x: number;
  /** null breaks the line: a gap where expected readings are missing. */
  readonly y: number | null;
}

export interface ChartSeries {
  readonly label: string;
  readonly points: readonly ChartPoint[];
  readonly colour: string;
  /** Colour of each point (NEWS2 points take their band's colour). */
  readonly pointColours?: readonly string[];
  /** Border colour of each point (a hollow point keeps its band's hue in its border). */
  readonly pointBorders?: readonly string[];
  /** Hollow points (a partial NEWS2). */
  readonly hollow?: readonly boolean[];
  /** A shaded range drawn behind this series (min–max of each bucket). */
  readonly fillTo?: number;
  readonly hidden?: boolean;
  readonly line?: boolean;
}

export interface ChartLine {
  readonly value: number;
  readonly label: string;
  readonly colour: string;
}

export interface ChartBand {
  readonly from: number;
  readonly to: number;
  readonly colour: string;
}

export interface TimeChartProps {
  readonly title: string;
  /** What the chart shows in words, for people who cannot see it (the readings table has the values). */
  readonly description: string;
  readonly unit: string;
  readonly from: number;
  readonly to: number;
  readonly series: readonly ChartSeries[];
  readonly lines?: readonly ChartLine[];
  readonly bands?: readonly ChartBand[];
  readonly yMin?: number;
  readonly yMax?: number;
  readonly testId?: string;
  /** The same data as a table, behind a "Show as table" toggle, for screen readers and anyone who prefers numbers. */
  readonly table?: ChartTable;
}

export interface ChartTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<{ readonly at: number; readonly values: readonly string[] }>;
  /** Periods with missing readings, listed under the table. */
  readonly gaps: ReadonlyArray<{ readonly after: number; readonly before: number }>;
}

/** A Chart.js time-series chart with threshold lines and background bands (chartjs-plugin-annotation). */
export function TimeChart(props: TimeChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const annotations: Record<string, AnnotationOptions> = {};
    (props.bands ?? []).forEach((band, i) => {
      annotations[`band${i}`] = { type: 'box', yMin: band.from, yMax: band.to, backgroundColor: band.colour, borderWidth: 0, drawTime: 'beforeDatasetsDraw' };
    });
    (props.lines ?? []).forEach((line, i) => {
      annotations[`line${i}`] = {
        type: 'line',
        yMin: line.value,
        yMax: line.value,
        borderColor: line.colour,
        borderWidth: 2,
        borderDash: [6, 4],
        label: { display: true, content: line.label, position: 'start', backgroundColor: '#ffffffdd', color: '#111', font: { size: 11 }, padding: 2 },
      };
    });
    const ticks = timeTicks(props.from, props.to);
    const config: ChartConfiguration<'line', ChartPoint[]> = {
      type: 'line',
      data: {
        datasets: props.series.map((s, i) => ({
          label: s.label,
          data: [...s.points],
          borderColor: s.colour,
          backgroundColor: s.pointColours ? [...s.pointColours] : s.colour,
          pointBackgroundColor: s.pointColours ? s.pointColours.map((c, j) => (s.hollow?.[j] ? '#ffffff' : c)) : s.colour,
          pointBorderColor: s.pointBorders ? [...s.pointBorders] : s.colour,
          pointBorderWidth: s.pointBorders ? 2 : 1,
          pointRadius: s.line === false ? 0 : 4,
          borderWidth: s.line === false ? 0 : 2,
          showLine: s.line !== false,
          fill: s.fillTo === undefined ? false : { target: s.fillTo },
          hidden: s.hidden ?? false,
          spanGaps: false,
          order: i,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        scales: {
          // A little room after "now" so the latest point is not cut in half by the edge.
          x: {
            type: 'time',
            min: props.from,
            max: props.to + (props.to - props.from) * 0.03,
            // Measured times at steps a person counts in; midnight ticks (major) carry the date.
            time: { unit: ticks.unit, tooltipFormat: 'd MMM yyyy HH:mm', displayFormats: { hour: ticks.format, day: ticks.format } },
            ticks: { stepSize: ticks.stepSize, maxRotation: 0, autoSkip: true, color: '#333', major: { enabled: ticks.unit === 'hour' }, font: (context) => (context.tick?.major ? { weight: 'bold' } : {}) },
            title: { display: true, text: 'Measured', color: '#333' },
          },
          y: { title: { display: Boolean(props.unit), text: props.unit, color: '#333' }, ticks: { color: '#333' }, ...(props.yMin === undefined ? {} : { min: props.yMin }), ...(props.yMax === undefined ? {} : { max: props.yMax }) },
        },
        plugins: {
          legend: { display: props.series.filter((s) => s.line !== false).length > 1, labels: { filter: (item) => !item.text.startsWith('_') } },
          annotation: { annotations },
        },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [props]);

  const points = props.series.reduce((n, s) => n + s.points.filter((p) => p.y !== null).length, 0);
  return (
    <figure class="chart" data-testid={props.testId} data-points={points} data-bands={props.bands?.length ?? 0} data-gaps={props.table?.gaps.length ?? 0}>
      <figcaption>{props.title}</figcaption>
      <div class="canvas-box">
        <canvas ref={canvas} role="img" aria-label={`${props.title}: ${props.description}`} />
      </div>
      {props.table ? <ChartAsTable title={props.title} table={props.table} /> : null}
    </figure>
  );
}

/** A toggle that shows the chart's values as a labelled table (rendered only when open: a day can hold thousands). */
function ChartAsTable({ title, table }: { title: string; table: ChartTable }) {
  const [open, setOpen] = useState(false);
  const id = useRef(`chart-table-${Math.random().toString(36).slice(2, 10)}`).current;
  return (
    <div class="chart-table">
      <button type="button" class="secondary" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        {open ? 'Hide the table' : 'Show as table'}
        <span class="visually-hidden"> ({title})</span>
      </button>
      <div id={id} hidden={!open}>
        {open ? (
          <>
            <div class="table-scroll" tabIndex={0} role="region" aria-label={`${title} as a table`}>
              <table>
                <caption>{`${title}, oldest first`}</caption>
                <thead>
                  <tr>
                    <th scope="col">Measured</th>
                    {table.columns.map((c) => (
                      <th key={c} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {table.rows.map((row, i) => (
                    <tr key={`${row.at}-${i}`}>
                      <td>{formatDateTime(new Date(row.at).toISOString())}</td>
                      {row.values.map((v, j) => (
                        <td key={j}>{v}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {table.gaps.length > 0 ? (
              <p class="muted">
                Missing readings (gaps in the chart):{' '}
                {table.gaps.map((g) => `${formatDateTime(new Date(g.after).toISOString())} to ${formatDateTime(new Date(g.before).toISOString())}`).join('; ')}.
              </p>
            ) : table.rows.length > 0 ? (
              <p class="muted">No missing readings in this period.</p>
            ) : null}
          </>
        ) : null}
      </div>
    </div>
  );
}
