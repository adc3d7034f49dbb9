import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { SeverityBadge } from '../components/badges';
import { api, describeError } from '../lib/api-client';
import type { WorklistItem } from '@homeward/contracts';
import { bandColour } from '../lib/colours';
import { formatEscalationClock, formatNhsNumber, formatWaiting, formatWorsened } from '../lib/format';
import { type StreamStatus, followAlertStream } from '../lib/live-stream';
import { useNow } from '../lib/use-load';
import { applyAlertEvent, mergeFetchedWorklist } from '../lib/worklist';

const STATUS_TEXT: Readonly<Record<StreamStatus, string>> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

/** Open alerts of my wards, most severe first then longest waiting, kept current by the live stream. */
export function WorklistPage() {
  const [items, setItems] = useState<WorklistItem[] | undefined>(undefined);
  const [error, setError] = useState('');
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const now = useNow(1000);

  // Stream events that arrive while a GET of the worklist is in flight, replayed onto its answer.
  const duringFetch = useRef<WorklistItem[] | null>(null);

  const refetch = useCallback(() => {
    duringFetch.current = [];
    api<WorklistItem[]>('GET', '/api/worklist').then(
      (fresh) => {
        setError('');
        const events = duringFetch.current ?? [];
        duringFetch.current = null;
        setItems(mergeFetchedWorklist(fresh, events));
      },
      (caught: unknown) => {
        duringFetch.current = null;
        setError(describeError(caught));
      },
    );
  }, []);

  useEffect(
    () =>
      followAlertStream({
        // On every (re)connection the list is fetched again: changes during a gap are not lost.
        onReady: refetch,
        onAlert: (item) => {
          duringFetch.current?.push(item);
          setItems((current) => applyAlertEvent(current ?? [], item));
        },
        onStatus: setStatus,
      }),
    [refetch],
  );

  return (
    <>
      <h1 tabIndex={-1}>Worklist</h1>
      <p class={`stream-status ${status}`} role="status">
        {STATUS_TEXT[status]}
        {items ? ` · ${items.length} open alert${items.length === 1 ? '' : 's'}` : ''}
      </p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {items === undefined ? (
        <p>Loading the worklist…</p>
      ) : items.length === 0 ? (
        <p class="panel">No open alerts on your wards.</p>
      ) : (
        <ul class="worklist" aria-label="Open alerts, most severe first">
          {items.map((item) => (
            <WorklistRow key={item.alert.id} item={item} now={now} />
          ))}
        </ul>
      )}
    </>
  );
}

function WorklistRow({ item, now }: { item: WorklistItem; now: number }) {
  const { alert, patient } = item;
  const clock = formatEscalationClock(alert.state === 'open' ? alert.escalationDueAt : null, now);
  const worsened = formatWorsened(alert, now);
  return (
    <li style={{ '--sev': bandColour(alert.severity) }} data-alert-id={alert.id} data-rule={alert.rule} data-severity={alert.severity}>
      <div>
        <SeverityBadge severity={alert.severity} />{' '}
        <a class="patient" href={`/alerts/${alert.id}`}>
          {patient ? patient.name : 'Unknown patient'}
        </a>{' '}
        {patient && <span class="muted">NHS {formatNhsNumber(patient.nhsNumber)}</span>}
        {worsened && (
          <div class="worsened" data-testid="worsened">
            {worsened}
          </div>
        )}
        <div>{alert.explanation}</div>
        <div class="muted">
          <span class="state">{alert.state}</span>
          {alert.occurrences > 1 ? ` · repeated ${alert.occurrences} times` : ''}
        </div>
      </div>
      <div class="clock">
        <div>
          waiting <strong data-testid="waiting">{formatWaiting(alert.openedAt, now)}</strong>
        </div>
        {clock && <div class={clock.overdue ? 'overdue' : ''}>{clock.text}</div>}
      </div>
    </li>
  );
}
