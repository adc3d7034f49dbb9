import { CategoryScale, Chart, type ChartConfiguration, Filler, Legend, LineController, LineElement, LinearScale, PointElement, ScatterController, TimeScale, Tooltip } from 'chart.js';
import annotationPlugin, { type AnnotationOptions } from 'chartjs-plugin-annotation';
import 'chartjs-adapter-date-fns';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, CategoryScale, TimeScale, Tooltip, Legend, Filler, annotationPlugin);

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
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
            time: { tooltipFormat: 'd MMM yyyy HH:mm', displayFormats: { hour: 'HH:mm', day: 'd MMM', minute: 'HH:mm' } },
            ticks: { maxRotation: 0, autoSkip: true, color: '#333' },
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

  const points = props.series.reduce((n, s) => n + s.points.length, 0);
  return (
    <figure class="chart" data-testid={props.testId} data-points={points}>
      <figcaption>{props.title}</figcaption>
      <div class="canvas-box">
        <canvas ref={canvas} role="img" aria-label={`${props.title}: ${props.description}`} />
      </div>
    </figure>
  );
}
