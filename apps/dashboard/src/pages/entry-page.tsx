import { useMemo, useRef, useState } from 'preact/hooks';
import type { ManualReadingsAnswer } from '@homeward/contracts';
import { ApiError, api, describeError } from '../lib/api-client';
import type { Me, PatientRecord } from '@homeward/contracts';
import { type FieldErrors, fieldErrorsFrom400, fieldErrorsFrom422 } from '../lib/entry-errors';
import { adviceFrom } from '../lib/patient-advice';
import { displayUnit, formatValue } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { ENTRY_GROUPS, type EntryField, vitalName } from '../lib/vitals';

/** "2026-11-22T08:05" for a datetime-local input, in local time. */
function localInputValue(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

const fieldId = (groupId: string, field: EntryField) => `${groupId}-${field.vital}`;

/**
 * A patient or carer types in a reading (a nurse may too, for a patient of their ward). Built for
 * a phone and for keyboard and screen-reader use: real labels, hints tied to their inputs, errors
 * summarised at the top (announced) and repeated at each field, large touch targets.
 *
 * When a reading is in the red band the API answers with the ward's advice; it is shown first, in
 * an alert region (announced at once) that takes focus, so nobody is left with only "thank you".
 */
export function EntryPage({ patientId, me }: { patientId: string; me: Me }) {
  const record = useLoad(() => api<PatientRecord>('GET', `/api/patients/${patientId}`), [patientId]);
  const [groupId, setGroupId] = useState(ENTRY_GROUPS[0]?.id ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [units, setUnits] = useState<Record<string, string>>({});
  const [measuredAt, setMeasuredAt] = useState(() => localInputValue(new Date()));
  const [errors, setErrors] = useState<FieldErrors | null>(null);
  const [saved, setSaved] = useState('');
  const [advice, setAdvice] = useState('');
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const adviceBox = useRef<HTMLDivElement>(null);
  const group = useMemo(() => ENTRY_GROUPS.find((g) => g.id === groupId) ?? ENTRY_GROUPS[0], [groupId]);
  if (!group) return null;

  const showAdvice = (body: unknown) => {
    const found = adviceFrom(body);
    setAdvice(found?.message ?? '');
    // Focus brings it into view on a phone and puts a keyboard user next to it.
    if (found) setTimeout(() => adviceBox.current?.focus(), 0);
    return found !== null;
  };

  const showErrors = (found: FieldErrors) => {
    setErrors(found);
    // Focus the summary so a screen reader reads it and a keyboard user can jump to each field.
    setTimeout(() => summary.current?.focus(), 0);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved('');
    setAdvice('');
    const local: Record<string, string> = {};
    const readings: Array<{ vital: string; value: number; unit: string; measuredAt: string }> = [];
    const sent: string[] = []; // form field of each submitted reading, by index
    const when = new Date(measuredAt);
    if (!measuredAt || Number.isNaN(when.getTime())) local['measuredAt'] = 'Enter the date and time you took the reading.';
    else if (when.getTime() > Date.now() + 5 * 60_000) local['measuredAt'] = 'The time cannot be in the future.';
    for (const field of group.fields) {
      const id = fieldId(group.id, field);
      const text = (values[id] ?? '').trim().replace(',', '.');
      if (!text) {
        if (!field.optional) local[id] = `Enter your ${field.label.toLowerCase()}.`;
        continue;
      }
      const value = Number(text);
      if (!Number.isFinite(value)) {
        local[id] = `${field.label} must be a number, like ${field.vital === 'body_temperature' ? '37.2' : '96'}.`;
        continue;
      }
      readings.push({ vital: field.vital, value, unit: units[id] ?? field.units[0] ?? '', measuredAt: Number.isNaN(when.getTime()) ? '' : when.toISOString() });
      sent.push(id);
    }
    if (Object.keys(local).length > 0) {
      showErrors({ byField: local, general: [] });
      return;
    }
    setBusy(true);
    try {
      const answer = await api<ManualReadingsAnswer>('POST', `/api/patients/${patientId}/readings`, { readings });
      setErrors(null);
      setValues({});
      setMeasuredAt(localInputValue(new Date())); // the next reading is taken later
      const what = answer.readings.map((r) => `${vitalName(r.vital)} ${formatValue(r.value, r.unit)}`).join(', ');
      const red = showAdvice(answer);
      setSaved(
        answer.stored > 0
          ? `Saved: ${what}.${red ? '' : ' Thank you.'}`
          : `Already saved earlier (${answer.duplicates} duplicate${answer.duplicates === 1 ? '' : 's'}); nothing new was stored.`,
      );
    } catch (caught) {
      const fieldOf = (index: number) => sent[index];
      if (caught instanceof ApiError && caught.status === 400) showErrors(fieldErrorsFrom400(caught.messages, fieldOf));
      else if (caught instanceof ApiError && caught.status === 422) {
        const refused = fieldErrorsFrom422(caught.body, fieldOf);
        // Other items were stored: a red one among them still needs its advice, which then takes focus.
        if (showAdvice(caught.body)) setErrors(refused);
        else showErrors(refused);
      }
      else showErrors({ byField: {}, general: [`The reading was not saved: ${describeError(caught)}. Please try again.`] });
    } finally {
      setBusy(false);
    }
  };

  const patient = record.data?.patient;
  const fieldError = (id: string) => errors?.byField[id];
  const errorList = errors ? [...Object.entries(errors.byField).map(([field, text]) => ({ field, text })), ...errors.general.map((text) => ({ field: '', text }))] : [];

  return (
    <div class="panel">
      <h1 tabIndex={-1}>Enter a reading</h1>
      {me.role === 'patient' && (
        <p class="muted">
          Prefer a plain page with large text? <a href="/enter">Use the simple form</a> (it works without JavaScript).
        </p>
      )}
      {patient && me.role !== 'patient' && (
        <p>
          For{' '}
          <a href={`/patients/${patient.id}`}>
            {patient.givenName} {patient.familyName}
          </a>
        </p>
      )}
      <div class="advice-region" role="alert">
        {advice && (
          <div class="advice" ref={adviceBox} tabIndex={-1}>
            <h2>Urgent advice</h2>
            <p>{advice}</p>
          </div>
        )}
      </div>
      <div aria-live="polite" role="status">
        {saved && <p class="success">{saved}</p>}
      </div>
      <div aria-live="assertive">
        {errorList.length > 0 && (
          <div class="error-summary" ref={summary} tabIndex={-1} role="alert" aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">There is a problem</h2>
            <ul>
              {errorList.map((e) => (
                <li key={`${e.field}${e.text}`}>{e.field ? <a href={`#${e.field}`} onClick={(ev) => jumpTo(ev, e.field)}>{e.text}</a> : e.text}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <form onSubmit={submit} noValidate>
        <fieldset>
          <legend>What did you measure?</legend>
          <div class="radios">
            {ENTRY_GROUPS.map((g) => (
              <label key={g.id} for={`what-${g.id}`}>
                <input
                  type="radio"
                  id={`what-${g.id}`}
                  name="what"
                  value={g.id}
                  checked={g.id === group.id}
                  onChange={() => {
                    setGroupId(g.id);
                    setErrors(null);
                  }}
                />
                {g.title}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>{group.title}</legend>
          {group.fields.map((field) => {
            const id = fieldId(group.id, field);
            const error = fieldError(id);
            const described = [field.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
            return (
              <div key={id}>
                <label for={id}>
                  {field.label}
                  {field.optional ? ' (optional)' : ''}
                </label>
                {field.hint && (
                  <span class="hint" id={`${id}-hint`}>
                    {field.hint}
                  </span>
                )}
                {error && (
                  <span class="field-error" id={`${id}-error`}>
                    <span class="visually-hidden">Error: </span>
                    {error}
                  </span>
                )}
                <div class="value-unit">
                  <input
                    id={id}
                    name={id}
                    type="text"
                    inputMode="decimal"
                    autocomplete="off"
                    value={values[id] ?? ''}
                    onInput={(e) => setValues({ ...values, [id]: e.currentTarget.value })}
                    aria-invalid={error ? 'true' : undefined}
                    aria-describedby={described || undefined}
                  />
                  {field.units.length > 1 ? (
                    <select aria-label={`Unit of ${field.label.toLowerCase()}`} value={units[id] ?? field.units[0]} onChange={(e) => setUnits({ ...units, [id]: e.currentTarget.value })}>
                      {field.units.map((u) => (
                        <option key={u} value={u}>
                          {displayUnit(u)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span class="unit" aria-hidden="true">
                      {displayUnit(field.units[0] ?? '')}
                    </span>
                  )}
                </div>
              </div>
            );
          })}
        </fieldset>
        <label for="measuredAt">When did you take it?</label>
        {fieldError('measuredAt') && (
          <span class="field-error" id="measuredAt-error">
            {fieldError('measuredAt')}
          </span>
        )}
        <input
          id="measuredAt"
          type="datetime-local"
          value={measuredAt}
          onInput={(e) => setMeasuredAt(e.currentTarget.value)}
          aria-invalid={fieldError('measuredAt') ? 'true' : undefined}
          aria-describedby={fieldError('measuredAt') ? 'measuredAt-error' : undefined}
        />
        <p>
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save reading'}
          </button>
        </p>
      </form>
    </div>
  );
}

function jumpTo(event: MouseEvent, field: string): void {
  event.preventDefault();
  document.getElementById(field)?.focus();
}
