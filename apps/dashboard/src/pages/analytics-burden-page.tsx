import type { AdherenceRow, AlertBurdenReport, RateRow } from '@homeward/contracts';
import { api, describeError } from '../lib/api-client';
import { useLoad } from '../lib/use-load';
import { AnalyticsBarChart } from './analytics-bar-chart';
import { Definitions, downloadCsv, pageLink, reportQuery, usePeriod, usePrintStyles } from './analytics-period';

const BLUE = '#005eb8';
const DARK = '#003d78';
const GREEN = '#007f3b';

const figure = (value: number | null, unit = '') => (value === null ? '–' : `${value}${unit}`);
const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000) / 10} %`);
const describeRates = (rows: readonly RateRow[]) => rows.map((r) => `${r.key} ${r.count} (${figure(r.perPatientDay)} per patient-day)`).join(', ') || 'none';

/**
 * Alert burden of a ward over a period (issue 21): how many alerts per patient-day and of what,
 * how fast they were taken on and closed, how often nobody needed to act, whether patients sent
 * the readings their care plans expect, silences and device problems. Charts and the same figures
 * in tables; CSV export.
 */
export function AnalyticsBurdenPage() {
  usePrintStyles();
  const { period, form } = usePeriod('/analytics');
  const report = useLoad(
    () => (period ? api<AlertBurdenReport>('GET', `/api/analytics/wards/${period.wardId}/alert-burden?${reportQuery(period)}`) : Promise.resolve(undefined)),
    [period?.wardId, period?.from, period?.to],
  );
  const r = report.data;
  return (
    <>
      <h1 tabIndex={-1}>Alert burden</h1>
      <p class="no-print">
        <a href={pageLink('/analytics/outcomes', period)}>Ward outcomes by month</a> ·{' '}
        <a href={period ? `/analytics/backtest?ward=${period.wardId}` : '/analytics/backtest'}>Try a pathway change on past data</a>
      </p>
      {form}
      {report.error ? (
        <p class="field-error" role="alert">
          {describeError(report.error)}
        </p>
      ) : null}
      {!r ? (
        <p>{period ? 'Loading…' : 'Choose a ward.'}</p>
      ) : (
        <>
          <section class="panel" aria-labelledby="summary" data-testid="burden-summary">
            <h2 id="summary">
              {r.wardName}: {r.from.slice(0, 10)} to {r.to.slice(0, 10)}
            </h2>
            <dl class="facts">
              <dt>Patients</dt>
              <dd>{r.patients}</dd>
              <dt>Patient-days</dt>
              <dd>{r.patientDays}</dd>
              <dt>Alerts</dt>
              <dd>
                {r.alerts.total} ({figure(r.alerts.perPatientDay)} per patient-day)
              </dd>
              <dt>Time to acknowledge</dt>
              <dd>
                p50 {figure(r.response.acknowledge.p50Minutes, ' min')}, p90 {figure(r.response.acknowledge.p90Minutes, ' min')} ({r.response.acknowledge.count} alerts)
              </dd>
              <dt>Time to resolve</dt>
              <dd>
                p50 {figure(r.response.resolve.p50Minutes, ' min')}, p90 {figure(r.response.resolve.p90Minutes, ' min')} ({r.response.resolve.count} alerts)
              </dd>
              <dt>Escalations</dt>
              <dd>
                {r.escalations.alertsEscalated} alerts escalated ({r.escalations.byTimer} by the timer, {r.escalations.byPerson} by a person)
              </dd>
              <dt>No action needed</dt>
              <dd>
                {r.resolutions.noActionNeeded} of {r.resolutions.resolvedByPerson} resolved by a person ({percent(r.resolutions.noActionNeededShare)})
              </dd>
              <dt>Reading adherence</dt>
              <dd>
                {r.adherence.overall.counted} of {r.adherence.overall.expected} expected readings ({percent(r.adherence.overall.adherence)})
              </dd>
              <dt>Silence episodes</dt>
              <dd>{r.silence.episodes}</dd>
            </dl>
            <p class="no-print">
              <button
                type="button"
                class="secondary"
                onClick={() => void downloadCsv(`/api/analytics/wards/${r.wardId}/alert-burden?from=${r.from}&to=${r.to}&format=csv`, `alert-burden-${r.from.slice(0, 10)}.csv`)}
              >
                Export CSV
              </button>{' '}
              <button type="button" class="secondary" onClick={() => print()}>
                Print
              </button>
            </p>
          </section>
          <div class="charts">
            <AnalyticsBarChart
              testId="chart-by-rule"
              title="Alerts per patient-day, by rule"
              description={describeRates(r.alerts.byRule)}
              labels={r.alerts.byRule.map((x) => x.key)}
              series={[{ label: 'per patient-day', values: r.alerts.byRule.map((x) => x.perPatientDay), colour: BLUE }]}
              unit="alerts per patient-day"
            />
            <AnalyticsBarChart
              testId="chart-by-kind"
              title="Alerts per patient-day, by kind and severity"
              description={`${describeRates(r.alerts.byKind)}; ${describeRates(r.alerts.bySeverity)}`}
              labels={[...r.alerts.byKind, ...r.alerts.bySeverity].map((x) => x.key)}
              series={[{ label: 'per patient-day', values: [...r.alerts.byKind, ...r.alerts.bySeverity].map((x) => x.perPatientDay), colour: DARK }]}
              unit="alerts per patient-day"
            />
            <AnalyticsBarChart
              testId="chart-response"
              title="Time to acknowledge and to resolve"
              description={`acknowledge p50 ${figure(r.response.acknowledge.p50Minutes)} min, p90 ${figure(r.response.acknowledge.p90Minutes)} min; resolve p50 ${figure(r.response.resolve.p50Minutes)} min, p90 ${figure(r.response.resolve.p90Minutes)} min`}
              labels={['acknowledge', 'resolve']}
              series={[
                { label: 'p50', values: [r.response.acknowledge.p50Minutes, r.response.resolve.p50Minutes], colour: BLUE },
                { label: 'p90', values: [r.response.acknowledge.p90Minutes, r.response.resolve.p90Minutes], colour: DARK },
              ]}
              unit="minutes"
            />
            <AnalyticsBarChart
              testId="chart-adherence"
              title="Reading adherence, by vital"
              description={r.adherence.byVital.map((v) => `${v.key} ${percent(v.adherence)}`).join(', ') || 'nothing expected'}
              labels={r.adherence.byVital.map((v) => v.key)}
              series={[{ label: 'adherence %', values: r.adherence.byVital.map((v) => (v.adherence === null ? null : Math.round(v.adherence * 1000) / 10)), colour: GREEN }]}
              unit="% of expected readings"
            />
          </div>
          <h2>Alerts by pathway</h2>
          <RateTable rows={r.alerts.byPathway} caption="Per patient-day of the pathway's own patients" testId="table-pathway" />
          <h2>Alerts by rule</h2>
          <RateTable rows={r.alerts.byRule} caption="Per patient-day of the ward" testId="table-rule" />
          <h2>Reading adherence</h2>
          <AdherenceTable rows={[r.adherence.overall, ...r.adherence.byPathway.map((x) => ({ ...x, key: `pathway: ${x.key}` })), ...r.adherence.byVital.map((x) => ({ ...x, key: `vital: ${x.key}` }))]} />
          <h2>Silence episodes</h2>
          <RateTable rows={r.silence.byRule} caption="Silence alerts opened in the period" testId="table-silence" />
          <h2>Technical problems per device model</h2>
          {r.technicalByDeviceModel.length === 0 ? (
            <p class="panel">No devices or technical problems in the period.</p>
          ) : (
            <div class="table-scroll" tabIndex={0} role="region" aria-label="Technical problems per device model">
              <table data-testid="table-devices">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Type</th>
                    <th scope="col">Devices</th>
                    <th scope="col">Technical alerts</th>
                    <th scope="col">By rule</th>
                    <th scope="col">Refused messages</th>
                  </tr>
                </thead>
                <tbody>
                  {r.technicalByDeviceModel.map((m) => (
                    <tr key={`${m.deviceType}|${m.model}`}>
                      <td>{m.model}</td>
                      <td>{m.deviceType}</td>
                      <td>{m.devices}</td>
                      <td>{m.technicalAlerts}</td>
                      <td>{m.byRule.map((x) => `${x.rule} ${x.count}`).join(', ') || '–'}</td>
                      <td>{m.rejectedMessages}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted">
            Reading counts from {r.readingSource === 'continuous-aggregate' ? 'the hourly continuous aggregate (TimescaleDB)' : 'the readings table (PostgreSQL)'}; made {r.generatedAt.slice(0, 16).replace('T', ' ')} UTC.
          </p>
          <Definitions definitions={r.definitions} />
        </>
      )}
    </>
  );
}

function RateTable({ rows, caption, testId }: { rows: readonly RateRow[]; caption: string; testId: string }) {
  return (
    <table data-testid={testId}>
      <caption class="muted">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Alerts</th>
          <th scope="col">Per patient-day</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.key}</th>
            <td>{row.count}</td>
            <td>{figure(row.perPatientDay)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AdherenceTable({ rows }: { rows: readonly AdherenceRow[] }) {
  return (
    <table data-testid="table-adherence">
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Expected</th>
          <th scope="col">Received</th>
          <th scope="col">Counted</th>
          <th scope="col">Adherence</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={`${i}-${row.key}`}>
            <th scope="row">{row.key}</th>
            <td>{row.expected}</td>
            <td>{row.received}</td>
            <td>{row.counted}</td>
            <td>{percent(row.adherence)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
