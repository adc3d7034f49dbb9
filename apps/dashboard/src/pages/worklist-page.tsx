import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { AlertSeverityBand, BulkAlertResult, Me, PatientWorklistAlert, PatientWorklistPage, PatientWorklistRow, WardMember } from '@homeward/contracts';
import { SeverityBadge } from '../components/badges';
import { api, describeError } from '../lib/api-client';
import { firstSentence } from '../lib/attention';
import { BAND_NAMES, bandColour } from '../lib/colours';
import { formatDateTime, formatEscalationClock, formatNhsNumber, formatValue, formatWaiting, formatWorsened } from '../lib/format';
import { type StreamStatus, followAlertStream } from '../lib/live-stream';
import { KIND_NAMES, NO_FILTERS, PATHWAY_NAMES, STATE_NAMES, type WorklistFilters, type WorklistSort, alertsToAcknowledge, alertsToAssign, worklistQuery } from '../lib/patient-worklist';
import { useAttention } from '../lib/use-attention';
import { useNow } from '../lib/use-load';

const STATUS_TEXT: Readonly<Record<StreamStatus, string>> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };
const BANDS: readonly AlertSeverityBand[] = ['high', 'medium', 'low-medium', 'low'];
const SORTS: ReadonlyArray<[WorklistSort, string]> = [
  ['severity', 'Most severe first'],
  ['waiting', 'Longest waiting first'],
  ['measured', 'Latest reading first'],
  ['name', 'Patient name'],
];

type Pending = { readonly action: 'acknowledge' | 'assign'; readonly alertIds: readonly string[]; readonly patients: number; readonly userId?: string; readonly assignee?: string };

/**
 * The worklist by patient: one row per patient at their highest severity with the alerts behind
 * it, paged with the total, filtered, counted per severity, and kept current by the live stream
 * (each alert event fetches the page again, so counts and order stay the server's).
 */
export function WorklistPage({ me }: { me: Me }) {
  const [filters, setFilters] = useState<WorklistFilters>(NO_FILTERS);
  const [data, setData] = useState<PatientWorklistPage | undefined>(undefined);
  const [error, setError] = useState('');
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [outcome, setOutcome] = useState('');
  const [members, setMembers] = useState<readonly WardMember[]>([]);
  const [assignee, setAssignee] = useState('');
  const now = useNow(1000);
  const attention = useAttention('Worklist – Homeward');
  const query = worklistQuery(filters);
  const latestQuery = useRef(query);
  latestQuery.current = query;
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refetch = useCallback(() => {
    const asked = latestQuery.current;
    api<PatientWorklistPage>('GET', `/api/worklist/patients?${asked}`).then(
      (fresh) => {
        if (asked !== latestQuery.current) return; // a newer filter's answer is on its way
        setError('');
        setData(fresh);
      },
      (caught: unknown) => setError(describeError(caught)),
    );
  }, []);

  useEffect(refetch, [query, refetch]);

  useEffect(
    () =>
      followAlertStream({
        onReady: refetch,
        onAlert: (item) => {
          attention.onAlert(item);
          // A burst of events (a ward's worth after a reconnect) costs one fetch.
          clearTimeout(refetchTimer.current);
          refetchTimer.current = setTimeout(refetch, 150);
        },
        onStatus: setStatus,
      }),
    [refetch, attention.onAlert],
  );

  useEffect(() => {
    Promise.all(me.wardIds.map((ward) => api<WardMember[]>('GET', `/api/wards/${ward}/members`))).then(
      (lists) => setMembers([...new Map(lists.flat().filter((m) => m.role === 'nurse' || m.role === 'clinician').map((m) => [m.id, m])).values()]),
      () => setMembers([]),
    );
  }, [me.wardIds.join(',')]);

  const change = (next: Partial<WorklistFilters>) => {
    setFilters((current) => ({ ...current, page: 1, ...next }));
    setSelected(new Set());
  };
  const toggleBand = (band: AlertSeverityBand) => change({ severity: filters.severity.includes(band) ? filters.severity.filter((b) => b !== band) : [...filters.severity, band] });
  const rows = data?.rows ?? [];

  const confirm = async () => {
    if (!pending) return;
    try {
      const result = await api<BulkAlertResult>('POST', '/api/worklist/bulk', { action: pending.action, alertIds: pending.alertIds, ...(pending.userId ? { userId: pending.userId } : {}) });
      const verb = pending.action === 'acknowledge' ? 'Acknowledged' : `Assigned to ${pending.assignee}:`;
      setOutcome(`${verb} ${result.done.length} alert${result.done.length === 1 ? '' : 's'}.${result.refused.length ? ` ${result.refused.length} not changed: ${result.refused[0]?.message ?? ''}` : ''}`);
      setSelected(new Set());
    } catch (caught) {
      setOutcome(describeError(caught));
    }
    setPending(null);
    refetch();
  };

  return (
    <>
      <h1 tabIndex={-1}>Worklist</h1>
      <p class={`stream-status ${status}`} role="status">
        {STATUS_TEXT[status]}
        {data ? ` · ${data.total} patient${data.total === 1 ? '' : 's'} with ${data.alertTotal} open alert${data.alertTotal === 1 ? '' : 's'}` : ''}
      </p>
      <p class="visually-hidden" aria-live="polite" data-testid="announcer">
        {attention.announced}
      </p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}

      <div class="severity-chips" role="group" aria-label="Show severities">
        {BANDS.map((band) => (
          <button type="button" class="secondary chip" aria-pressed={filters.severity.includes(band)} style={{ '--sev': bandColour(band) }} onClick={() => toggleBand(band)} key={band}>
            <span class="chip-swatch" aria-hidden="true" />
            {capitalise(BAND_NAMES[band])}: {data?.counts[band] ?? 0}
          </button>
        ))}
      </div>

      <form class="filters" role="search" aria-label="Filter the worklist" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="wl-search">Search by name or NHS number</label>
          <input id="wl-search" type="search" value={filters.q} onInput={(e) => change({ q: (e.target as HTMLInputElement).value })} autocomplete="off" />
        </div>
        <div>
          <label for="wl-pathway">Pathway</label>
          <select id="wl-pathway" value={filters.pathway} onChange={(e) => change({ pathway: (e.target as HTMLSelectElement).value as WorklistFilters['pathway'] })}>
            <option value="">All pathways</option>
            {Object.entries(PATHWAY_NAMES).map(([value, name]) => (
              <option value={value} key={value}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="wl-kind">Kind of alert</label>
          <select id="wl-kind" value={filters.kind} onChange={(e) => change({ kind: (e.target as HTMLSelectElement).value as WorklistFilters['kind'] })}>
            <option value="">All kinds</option>
            {Object.entries(KIND_NAMES).map(([value, name]) => (
              <option value={value} key={value}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="wl-sort">Sort by</label>
          <select id="wl-sort" value={filters.sort} onChange={(e) => change({ sort: (e.target as HTMLSelectElement).value as WorklistSort })}>
            {SORTS.map(([value, name]) => (
              <option value={value} key={value}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="checks">
          <label>
            <input type="checkbox" checked={filters.mine} onChange={(e) => change({ mine: (e.target as HTMLInputElement).checked })} /> Assigned to me
          </label>
          <label>
            <input type="checkbox" checked={filters.escalated} onChange={(e) => change({ escalated: (e.target as HTMLInputElement).checked })} /> Escalated only
          </label>
          <label>
            <input type="checkbox" checked={attention.soundOn} onChange={(e) => attention.setSoundOn((e.target as HTMLInputElement).checked)} /> Sound for new high alerts
          </label>
        </div>
      </form>

      <div class="bulk" role="group" aria-label="Act on selected patients">
        <span>{selected.size} selected</span>
        <button type="button" disabled={selected.size === 0} onClick={() => setPending({ action: 'acknowledge', alertIds: alertsToAcknowledge(rows, selected), patients: selected.size })}>
          Acknowledge selected
        </button>
        <label for="wl-assignee" class="inline">
          Assign to
        </label>
        <select id="wl-assignee" value={assignee} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)}>
          <option value="">Choose a ward member</option>
          {members.map((m) => (
            <option value={m.id} key={m.id}>
              {m.displayName}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="secondary"
          disabled={selected.size === 0 || !assignee}
          onClick={() => setPending({ action: 'assign', alertIds: alertsToAssign(rows, selected), patients: selected.size, userId: assignee, assignee: members.find((m) => m.id === assignee)?.displayName ?? '' })}
        >
          Assign selected
        </button>
      </div>
      {pending && (
        <div class="confirm panel" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">
            {pending.action === 'acknowledge'
              ? `Acknowledge ${pending.alertIds.length} open alert${pending.alertIds.length === 1 ? '' : 's'} of ${pending.patients} patient${pending.patients === 1 ? '' : 's'}?`
              : `Assign ${pending.alertIds.length} alert${pending.alertIds.length === 1 ? '' : 's'} of ${pending.patients} patient${pending.patients === 1 ? '' : 's'} to ${pending.assignee}?`}
          </p>
          <button type="button" onClick={() => void confirm()} ref={(b) => b?.focus()}>
            Confirm
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      )}
      {outcome && (
        <p class="success" role="status">
          {outcome}
        </p>
      )}

      {data === undefined ? (
        <p>Loading the worklist…</p>
      ) : rows.length === 0 ? (
        <p class="panel">{data.total === 0 && filters === NO_FILTERS ? 'No open alerts on your wards.' : 'No patients match these filters.'}</p>
      ) : (
        <ul class="worklist" aria-label="Patients with open alerts">
          {rows.map((row) => (
            <PatientRow
              key={row.patient.id}
              row={row}
              now={now}
              selected={selected.has(row.patient.id)}
              onSelect={(on) => setSelected((current) => {
                const next = new Set(current);
                if (on) next.add(row.patient.id);
                else next.delete(row.patient.id);
                return next;
              })}
            />
          ))}
        </ul>
      )}
      {data && data.pages > 1 && (
        <nav class="pager" aria-label="Worklist pages">
          <button type="button" class="secondary" disabled={data.page <= 1} onClick={() => setFilters((f) => ({ ...f, page: data.page - 1 }))}>
            Previous page
          </button>
          <span>
            Page {data.page} of {data.pages} (patients {(data.page - 1) * data.pageSize + 1}–{Math.min(data.total, data.page * data.pageSize)} of {data.total})
          </span>
          <button type="button" class="secondary" disabled={data.page >= data.pages} onClick={() => setFilters((f) => ({ ...f, page: data.page + 1 }))}>
            Next page
          </button>
        </nav>
      )}
    </>
  );
}

function PatientRow({ row, now, selected, onSelect }: { row: PatientWorklistRow; now: number; selected: boolean; onSelect: (on: boolean) => void }) {
  const { patient } = row;
  const checkId = `select-${patient.id}`;
  return (
    <li class="patient-row" style={{ '--sev': bandColour(row.severity) }} data-patient-id={patient.id} data-severity={row.severity}>
      <div class="row-head">
        <input type="checkbox" id={checkId} checked={selected} onChange={(e) => onSelect((e.target as HTMLInputElement).checked)} aria-label={`Select ${patient.name}`} />
        <SeverityBadge severity={row.severity} />
        <a class="patient" href={`/patients/${patient.id}`}>
          {patient.name}
        </a>
        {patient.nhsNumber && <span class="muted">NHS {formatNhsNumber(patient.nhsNumber)}</span>}
        {patient.pathway && <span class="muted">{PATHWAY_NAMES[patient.pathway]}</span>}
        {row.escalated && <span class="label escalated">Escalated</span>}
        {row.worsened && <span class="label worsened-label">Worsened</span>}
        <span class="clock">
          waiting <strong>{formatWaiting(row.waitingSince, now)}</strong>
        </span>
        <span class="muted">{row.assignees.length ? `Assigned to ${row.assignees.map((a) => a.displayName).join(', ')}` : 'Not assigned'}</span>
      </div>
      <ul class="alerts" aria-label={`${row.alerts.length} alert${row.alerts.length === 1 ? '' : 's'} for ${patient.name}`}>
        {row.alerts.map((alert) => (
          <AlertLine key={alert.id} alert={alert} now={now} />
        ))}
      </ul>
    </li>
  );
}

function AlertLine({ alert, now }: { alert: PatientWorklistAlert; now: number }) {
  const worsened = formatWorsened(alert, now);
  const clock = formatEscalationClock(alert.escalationDueAt, now);
  return (
    <li data-alert-id={alert.id} data-rule={alert.rule} data-severity={alert.severity}>
      <span class="sev-word">{capitalise(BAND_NAMES[alert.severity])}</span>{' '}
      <a class="alert-link" href={`/alerts/${alert.id}`}>
        {firstSentence(alert.explanation)}
      </a>
      <span class="reading" data-testid="measured">
        {alert.value !== null && alert.unit !== null && alert.unit !== '{score}' ? `${formatValue(alert.value, alert.unit)}, ` : ''}
        {alert.vital === 'news2_score' && alert.value !== null ? `NEWS2 ${alert.value}, ` : ''}
        measured {formatDateTime(alert.measuredAt)}
      </span>
      <span class="muted">
        <span class="state">{STATE_NAMES[alert.state].toLowerCase()}</span> · waiting <span data-testid="waiting">{formatWaiting(alert.openedAt, now)}</span>
        {alert.owner ? ` · ${alert.owner.displayName}` : ''}
      </span>
      {worsened && (
        <span class="worsened" data-testid="worsened">
          {worsened}
        </span>
      )}
      {clock && <span class={clock.overdue ? 'overdue' : ''}>{clock.text}</span>}
    </li>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
