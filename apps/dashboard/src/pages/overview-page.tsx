import type { AlertSeverityBand, WardOverview } from '@homeward/contracts';
import { SeverityBadge } from '../components/badges';
import { api, describeError } from '../lib/api-client';
import { firstSentence } from '../lib/attention';
import { BAND_NAMES } from '../lib/colours';
import { formatDateTime } from '../lib/format';
import { KIND_NAMES, PATHWAY_NAMES } from '../lib/patient-worklist';
import { useLoad } from '../lib/use-load';

const BANDS: readonly AlertSeverityBand[] = ['high', 'medium', 'low-medium', 'low'];
const KINDS = ['clinical', 'silence', 'technical'] as const;

/** The ward at a glance for handover: a page that prints cleanly on A4. */
export function OverviewPage() {
  const overview = useLoad(() => api<WardOverview>('GET', '/api/worklist/overview'), []);
  const data = overview.data;
  return (
    <>
      <h1 tabIndex={-1}>Ward overview</h1>
      <p class="no-print">
        <button type="button" class="secondary" onClick={() => print()}>
          Print for handover
        </button>
      </p>
      {overview.error ? (
        <p class="field-error" role="alert">
          {describeError(overview.error)}
        </p>
      ) : null}
      {!data ? (
        <p>Loading the overview…</p>
      ) : (
        <div class="overview">
          <p class="muted">As of {formatDateTime(data.generatedAt)}</p>
          <h2>Open alerts</h2>
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Open alerts by severity and kind">
            <table>
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  {KINDS.map((k) => (
                    <th scope="col" key={k}>
                      {KIND_NAMES[k]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {BANDS.map((band) => (
                  <tr key={band}>
                    <th scope="row">
                      <SeverityBadge severity={band} />
                    </th>
                    {KINDS.map((k) => (
                      <td key={k} data-testid={`open-${k}-${band}`}>
                        {data.openAlerts[k][band]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h2>Escalated ({data.escalated.length})</h2>
          <List empty="No escalated alerts." items={data.escalated.map((e) => ({ key: e.alertId, patientId: e.patientId, name: e.patientName, text: `${BAND_NAMES[e.severity]} severity: ${firstSentence(e.explanation)} Escalated ${formatDateTime(e.escalatedAt)}.`, alertId: e.alertId }))} />

          <h2>No readings in the last 24 hours ({data.noRecentReadings.length})</h2>
          <List empty="Every patient has sent a reading in the last 24 hours." items={data.noRecentReadings.map((p) => ({ key: p.patientId, patientId: p.patientId, name: p.patientName, text: p.lastMeasuredAt ? `last reading measured ${formatDateTime(p.lastMeasuredAt)}` : 'no reading yet' }))} />

          <h2>Care plans due for review ({data.dueForReview.length})</h2>
          <List empty="No care plan is due for review in the next 2 days." items={data.dueForReview.map((p) => ({ key: p.patientId, patientId: p.patientId, name: p.patientName, text: `${p.overdue ? 'review overdue since' : 'review due'} ${p.reviewBy}` }))} />

          <h2>Admitted in the last 7 days ({data.admissions.length})</h2>
          <List empty="No admissions." items={data.admissions.map((a) => ({ key: `${a.patientId}-${a.at}`, patientId: a.patientId, name: a.patientName, text: `${PATHWAY_NAMES[a.pathway]}, admitted ${formatDateTime(a.at)}` }))} />

          <h2>Discharged in the last 7 days ({data.discharges.length})</h2>
          <List empty="No discharges." items={data.discharges.map((d) => ({ key: `${d.patientId}-${d.at}`, patientId: d.patientId, name: d.patientName, text: `discharged ${formatDateTime(d.at)}${d.reason ? `: ${d.reason}` : ''}` }))} />
        </div>
      )}
    </>
  );
}

function List({ items, empty }: { items: readonly { key: string; patientId: string; name: string; text: string; alertId?: string }[]; empty: string }) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="overview-list">
      {items.map((item) => (
        <li key={item.key}>
          <a href={`/patients/${item.patientId}`}>{item.name}</a> – {item.text}
          {item.alertId ? (
            <>
              {' '}
              <a href={`/alerts/${item.alertId}`}>Open the alert</a>
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
