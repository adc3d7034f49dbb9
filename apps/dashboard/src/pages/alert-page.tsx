import { ALERT_OUTCOMES, ALERT_OUTCOME_NAMES, SYSTEM_ALERT_OUTCOMES, VITAL_SIGNS } from '@homeward/domain';
import { useState } from 'preact/hooks';
import { SeverityBadge } from '../components/badges';
import { ReadingsTable } from '../components/readings-table';
import { api, describeError } from '../lib/api-client';
import { channelName, describeDelivery } from '../lib/deliveries';
import type { AlertDetail, AlertOutcome, Me, WardMember } from '@homeward/contracts';
import { formatDateTime, formatEscalationClock, formatNhsNumber, formatWaiting, formatWorsened } from '../lib/format';
import { useLoad, useNow } from '../lib/use-load';
import { vitalName } from '../lib/vitals';

const PERSON_OUTCOMES = ALERT_OUTCOMES.filter((outcome) => !SYSTEM_ALERT_OUTCOMES.includes(outcome));

/** One alert: why it fired, the readings behind it, its history, and what a nurse can do. */
export function AlertPage({ alertId, me }: { alertId: string; me: Me }) {
  const detail = useLoad(() => api<AlertDetail>('GET', `/api/alerts/${alertId}`), [alertId]);
  const members = useLoad(
    () => (detail.data ? api<WardMember[]>('GET', `/api/wards/${detail.data.alert.wardId}/members`) : Promise.resolve([] as WardMember[])),
    [detail.data?.alert.wardId],
  );
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const now = useNow(1000);

  if (detail.error && !detail.data) {
    return (
      <>
        <h1 tabIndex={-1}>Alert</h1>
        <p class="field-error" role="alert">
          {describeError(detail.error)}
        </p>
      </>
    );
  }
  if (!detail.data) return <p>Loading the alert…</p>;
  const { alert, patient, readings, events, deliveries } = detail.data;
  const clock = formatEscalationClock(alert.state === 'open' ? alert.escalationDueAt : null, now);
  const worsened = formatWorsened(alert, now);
  const names = new Map((members.data ?? []).map((m) => [m.id, m.displayName]));
  names.set(me.id, me.displayName);
  const who = (id: string | null) => (id ? (names.get(id) ?? (id === 'rules-engine' ? 'Homeward rules engine' : id)) : 'nobody');

  /** Runs an action, says what happened, and reloads the alert. */
  const act = async (label: string, path: string, body: Record<string, unknown>): Promise<boolean> => {
    setMessage(null);
    try {
      await api('POST', `/api/alerts/${alert.id}/${path}`, body);
      setMessage({ kind: 'ok', text: `${label}: done.` });
      detail.reload();
      return true;
    } catch (caught) {
      setMessage({ kind: 'error', text: `${label} failed: ${describeError(caught)}` });
      return false;
    }
  };

  return (
    <>
      <p>
        <a href="/">← Worklist</a>
      </p>
      <h1 tabIndex={-1}>
        <SeverityBadge severity={alert.severity} /> {alertTopic(alert.rule, alert.subject)} alert
        {patient ? ` · ${patient.name}` : ''}
      </h1>
      <p class="explanation" data-testid="explanation">
        {alert.explanation}
      </p>
      <div class="panel">
        <dl class="facts">
          <dt>Patient</dt>
          <dd>
            {patient ? (
              <a href={`/patients/${patient.id}`}>
                {patient.name} (NHS {formatNhsNumber(patient.nhsNumber)})
              </a>
            ) : (
              'Unknown'
            )}
          </dd>
          <dt>State</dt>
          <dd data-testid="alert-state" class="state">
            {alert.state}
            {alert.outcome ? ` · ${ALERT_OUTCOME_NAMES[alert.outcome]}` : ''}
          </dd>
          {worsened && (
            <>
              <dt>Worsened</dt>
              <dd class="worsened" data-testid="worsened">
                {worsened}
              </dd>
            </>
          )}
          <dt>Assigned to</dt>
          <dd data-testid="assigned-to">{who(alert.ownerId)}</dd>
          <dt>Opened</dt>
          <dd>
            {formatDateTime(alert.openedAt)} ({alert.state === 'resolved' ? 'resolved' : `waiting ${formatWaiting(alert.openedAt, now)}`})
          </dd>
          {clock && (
            <>
              <dt>Escalation</dt>
              <dd class={clock.overdue ? 'overdue' : ''}>{clock.text}</dd>
            </>
          )}
          {alert.occurrences > 1 && (
            <>
              <dt>Repeated</dt>
              <dd>{alert.occurrences} times in this episode</dd>
            </>
          )}
          <dt>Details</dt>
          <dd>
            <details>
              <summary>Technical details</summary>
              Rule {alert.rule} ({alert.subject}), alert {alert.id}
            </details>
          </dd>
        </dl>
      </div>

      <div aria-live="polite" role="status">
        {message && <p class={message.kind === 'ok' ? 'success' : 'error-summary'}>{message.text}</p>}
      </div>

      {alert.state !== 'resolved' && (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">Actions</h2>
          <div class="actions">
            {alert.state === 'open' && (
              <ActionForm title="Acknowledge" button="Acknowledge" onSubmit={(note) => act('Acknowledge', 'acknowledge', note ? { note } : {})} noteLabel="Note (optional)" />
            )}
            <ResolveForm onSubmit={(outcome, note) => act('Resolve', 'resolve', { outcome, ...(note ? { note } : {}) })} />
            <AssignForm members={members.data ?? []} current={alert.ownerId} onSubmit={(userId) => act('Assign', 'assign', { userId })} />
            <ActionForm title="Add a note" button="Add note" noteLabel="Note" required onSubmit={(note) => act('Note', 'notes', { note })} />
            {alert.state !== 'escalated' && (
              <ActionForm title="Escalate" button="Escalate" noteLabel="Reason" required danger onSubmit={(reason) => act('Escalate', 'escalate', { reason })} />
            )}
          </div>
        </section>
      )}

      <h2>Readings behind this alert</h2>
      <ReadingsTable readings={readings} caption="Readings that raised or repeated this alert" />

      {(deliveries.length > 0 || alert.escalatedAt) && (
        <section aria-labelledby="told-heading">
          <h2 id="told-heading">Who was told of the escalation</h2>
          {deliveries.length === 0 ? (
            <p class="muted">Nobody: this ward has no escalation contacts.</p>
          ) : (
            <ul class="timeline" data-testid="deliveries">
              {deliveries.map((delivery) => (
                <li key={delivery.id}>
                  <strong>{delivery.contactName}</strong> ({delivery.contactRole}, {channelName(delivery.channel)}) · {describeDelivery(delivery)}
                  {delivery.status !== 'delivered' && delivery.lastError && <div>Last error: {delivery.lastError}</div>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      <h2>History</h2>
      <ol class="timeline">
        {events.map((event) => (
          <li key={event.id}>
            <strong>{event.kind}</strong> by {event.actor.type === 'user' ? who(event.actor.id) : event.actor.id} · {formatDateTime(event.at)}
            {event.toState && event.fromState !== event.toState ? ` · ${event.fromState ?? 'new'} → ${event.toState}` : ''}
            {event.note && <div>“{event.note}”</div>}
          </li>
        ))}
      </ol>
    </>
  );
}

function ActionForm(props: { title: string; button: string; noteLabel: string; required?: boolean; danger?: boolean; onSubmit: (note: string) => Promise<boolean> }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const id = `action-${props.button.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <form
      aria-labelledby={`${id}-title`}
      onSubmit={async (event) => {
        event.preventDefault();
        if (props.required && !note.trim()) {
          setError(`Enter a ${props.noteLabel.toLowerCase()}.`);
          return;
        }
        setError('');
        if (await props.onSubmit(note.trim())) setNote('');
      }}
      noValidate
    >
      <h3 id={`${id}-title`}>{props.title}</h3>
      <label for={`${id}-note`}>{props.noteLabel}</label>
      {error && (
        <span class="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
      <textarea id={`${id}-note`} rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      <button type="submit" class={props.danger ? 'danger' : ''}>
        {props.button}
      </button>
    </form>
  );
}

function ResolveForm({ onSubmit }: { onSubmit: (outcome: AlertOutcome, note: string) => Promise<boolean> }) {
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      aria-labelledby="resolve-title"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!outcome) {
          setError('Choose an outcome.');
          return;
        }
        setError('');
        await onSubmit(outcome as AlertOutcome, note.trim());
      }}
      noValidate
    >
      <h3 id="resolve-title">Resolve</h3>
      <label for="resolve-outcome">Outcome</label>
      {error && (
        <span class="field-error" id="resolve-error" role="alert">
          {error}
        </span>
      )}
      <select id="resolve-outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'resolve-error' : undefined}>
        <option value="">Choose…</option>
        {PERSON_OUTCOMES.map((o) => (
          <option key={o} value={o}>
            {ALERT_OUTCOME_NAMES[o]}
          </option>
        ))}
      </select>
      <label for="resolve-note">Note (optional)</label>
      <textarea id="resolve-note" rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <button type="submit">Resolve</button>
    </form>
  );
}

function AssignForm({ members, current, onSubmit }: { members: readonly WardMember[]; current: string | null; onSubmit: (userId: string) => Promise<boolean> }) {
  const [userId, setUserId] = useState('');
  const choices = members.filter((m) => m.role === 'nurse' || m.role === 'clinician');
  return (
    <form
      aria-labelledby="assign-title"
      onSubmit={async (event) => {
        event.preventDefault();
        if (userId) await onSubmit(userId);
      }}
    >
      <h3 id="assign-title">Assign</h3>
      <label for="assign-user">Ward member</label>
      <select id="assign-user" value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
        <option value="">Choose…</option>
        {choices.map((m) => (
          <option key={m.id} value={m.id} disabled={m.id === current}>
            {m.displayName} ({m.role}){m.id === current ? ' — assigned' : ''}
          </option>
        ))}
      </select>
      <button type="submit" disabled={!userId}>
        Assign
      </button>
    </form>
  );
}

/** What the alert is about, in a nurse's words: "NEWS2", "Oxygen saturation (SpO2)", "No readings". */
function alertTopic(rule: string, subject: string): string {
  if (rule === 'news2-band') return 'NEWS2';
  const vital = subject.split(':')[0] ?? '';
  if (rule === 'overdue-reading' || rule === 'reading-missing') return 'Missing reading';
  if (rule === 'patient-silent') return 'No readings';
  if (rule === 'hub-offline') return 'Home hub offline';
  if (rule === 'device-unused') return 'Device not used';
  return vital in VITAL_SIGNS ? vitalName(vital) : rule.replace(/-/g, ' ');
}
