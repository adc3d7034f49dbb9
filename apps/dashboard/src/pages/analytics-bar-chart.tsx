import { BarController, BarElement, CategoryScale, Chart, type ChartConfiguration, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface BarSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly colour: string;
}

export interface AnalyticsBarChartProps {
  readonly title: string;
  /** The figures in words, for people who cannot see the chart (the tables beside it hold them too). */
  readonly description: string;
  readonly labels: readonly string[];
  readonly series: readonly BarSeries[];
  readonly unit: string;
  readonly stacked?: boolean;
  readonly testId?: string;
}

/** A Chart.js bar chart (the dashboard's charting library, as the trend charts use it). */
export function AnalyticsBarChart(props: AnalyticsBarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const config: ChartConfiguration<'bar', (number | null)[], string> = {
      type: 'bar',
      data: { labels: [...props.labels], datasets: props.series.map((s) => ({ label: s.label, data: [...s.values], backgroundColor: s.colour, borderColor: s.colour })) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: props.stacked ?? false, ticks: { color: '#333', maxRotation: 45, autoSkip: false } },
          y: { stacked: props.stacked ?? false, beginAtZero: true, title: { display: Boolean(props.unit), text: props.unit, color: '#333' }, ticks: { color: '#333' } },
        },
        plugins: { legend: { display: props.series.length > 1 } },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [props]);
  return (
    <figure class="chart" data-testid={props.testId} data-bars={props.labels.length * props.series.length}>
      <figcaption>{props.title}</figcaption>
      <div class="canvas-box">
        <canvas ref={canvas} role="img" aria-label={`${props.title}: ${props.description}`} />
      </div>
    </figure>
  );
}
