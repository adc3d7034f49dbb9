import type { DischargeOutcomeColumn, WardOutcomesReport } from '@homeward/contracts';
import { api, describeError } from '../lib/api-client';
import { useLoad } from '../lib/use-load';
import { AnalyticsBarChart } from './analytics-bar-chart';
import { Definitions, downloadCsv, pageLink, reportQuery, usePeriod, usePrintStyles } from './analytics-period';

const OUTCOMES: ReadonlyArray<{ key: DischargeOutcomeColumn; label: string; colour: string }> = [
  { key: 'home', label: 'Home', colour: '#007f3b' },
  { key: 'hospital-admission', label: 'Hospital admission', colour: '#b10e1e' },
  { key: 'death', label: 'Death', colour: '#0b0c0c' },
  { key: 'transferred', label: 'Transferred', colour: '#005eb8' },
  { key: 'other', label: 'Other', colour: '#768692' },
  { key: 'not-recorded', label: 'Not recorded', colour: '#d8dde0' },
];

const figure = (value: number | null) => (value === null ? '–' : String(value));

/**
 * The ward outcomes report a commissioner asks for (issue 21): month by month, patient-days,
 * admissions and discharges by where the patient went, escalations to hospital recorded on
 * alerts, length of stay and readmissions within 30 days. Printable; definitions on the page.
 */
export function AnalyticsOutcomesPage() {
  usePrintStyles();
  const { period, form } = usePeriod('/analytics/outcomes');
  const report = useLoad(
    () => (period ? api<WardOutcomesReport>('GET', `/api/analytics/wards/${period.wardId}/outcomes?${reportQuery(period)}`) : Promise.resolve(undefined)),
    [period?.wardId, period?.from, period?.to],
  );
  const r = report.data;
  return (
    <>
      <h1 tabIndex={-1}>Ward outcomes</h1>
      <p class="no-print">
        <a href={pageLink('/analytics', period)}>Alert burden</a>
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
          <h2 data-testid="outcomes-title">
            {r.wardName}: {r.from.slice(0, 10)} to {r.to.slice(0, 10)}
          </h2>
          <p class="no-print">
            <button type="button" class="secondary" onClick={() => void downloadCsv(`/api/analytics/wards/${r.wardId}/outcomes?from=${r.from}&to=${r.to}&format=csv`, `ward-outcomes-${r.from.slice(0, 10)}.csv`)}>
              Export CSV
            </button>{' '}
            <button type="button" class="secondary" onClick={() => print()}>
              Print
            </button>
          </p>
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Outcomes by month">
            <table data-testid="table-outcomes">
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Patient-days</th>
                  <th scope="col">Admissions</th>
                  <th scope="col">Discharges</th>
                  {OUTCOMES.map((o) => (
                    <th scope="col" key={o.key}>
                      {o.label}
                    </th>
                  ))}
                  <th scope="col">Escalated to hospital or urgent care</th>
                  <th scope="col">Escalated to GP</th>
                  <th scope="col">Length of stay, mean / median (days)</th>
                  <th scope="col">Readmitted within 30 days</th>
                </tr>
              </thead>
              <tbody>
                {r.months.map((m) => (
                  <tr key={m.month}>
                    <th scope="row">{m.month}</th>
                    <td>{m.patientDays}</td>
                    <td>{m.admissions}</td>
                    <td>{m.discharges}</td>
                    {OUTCOMES.map((o) => (
                      <td key={o.key}>{m.dischargeOutcomes[o.key]}</td>
                    ))}
                    <td>{m.escalationsToHospitalOrUrgentCare}</td>
                    <td>{m.escalationsToGp}</td>
                    <td>
                      {figure(m.lengthOfStay.meanDays)} / {figure(m.lengthOfStay.medianDays)}
                    </td>
                    <td>{m.readmissionsWithin30Days}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="charts">
            <AnalyticsBarChart
              testId="chart-discharges"
              title="Discharges by outcome"
              description={r.months.map((m) => `${m.month}: ${OUTCOMES.map((o) => `${o.label.toLowerCase()} ${m.dischargeOutcomes[o.key]}`).join(', ')}`).join('; ')}
              labels={r.months.map((m) => m.month)}
              series={OUTCOMES.map((o) => ({ label: o.label, values: r.months.map((m) => m.dischargeOutcomes[o.key]), colour: o.colour }))}
              unit="discharges"
              stacked
            />
          </div>
          <Definitions definitions={r.definitions} />
          <p class="muted">Made {r.generatedAt.slice(0, 16).replace('T', ' ')} UTC.</p>
        </>
      )}
    </>
  );
}
