import { useEffect, useState } from 'preact/hooks';
import type { AlertSeverityBand, BacktestReport, CarePlanChange, CarePlanEditResult, CarePlanEditorView, CarePlanLimitView, CarePlanSpo2BaselineView, Me } from '@homeward/contracts';
import { ApiError, api, describeError } from '../lib/api-client';
import { BacktestRun } from './backtest-results';
import { BAND_NAMES } from '../lib/colours';
import { displayUnit, formatDateTime, formatValue } from '../lib/format';
import { PATHWAY_NAMES } from '../lib/patient-worklist';
import { useLoad } from '../lib/use-load';
import { canonicalUnit, vitalName } from '../lib/vitals';

const BANDS: readonly AlertSeverityBand[] = ['low', 'low-medium', 'medium', 'high'];

interface VitalFields {
  low: string;
  lowSeverity: AlertSeverityBand;
  high: string;
  highSeverity: AlertSeverityBand;
  everyHours: string;
}

/** The SpO2-baseline fields as typed (strings until saved), beside the rule's settings in force. */
type BaselineFields = { readonly [K in keyof CarePlanSpo2BaselineView]: CarePlanSpo2BaselineView[K] extends number ? string : CarePlanSpo2BaselineView[K] };

const baselineFields = (b: CarePlanSpo2BaselineView): BaselineFields => ({
  enabled: b.enabled,
  days: String(b.days),
  minReadings: String(b.minReadings),
  minDropPoints: String(b.minDropPoints),
  spreadMultiplier: String(b.spreadMultiplier),
  severity: b.severity,
});

function describeLimits(limits: readonly CarePlanLimitView[], vital: string): string {
  if (limits.length === 0) return 'no limits';
  return limits.map((l) => `${l.direction === 'at-or-below' ? 'at or below' : 'at or above'} ${formatValue(l.value, canonicalUnit(vital))} (${BAND_NAMES[l.severity]})`).join('; ');
}

function fieldsOf(view: CarePlanEditorView): Record<string, VitalFields> {
  return Object.fromEntries(
    view.vitals.map((v) => {
      const own = v.personalLimits ?? [];
      const low = own.find((l) => l.direction === 'at-or-below');
      const high = own.find((l) => l.direction === 'at-or-above');
      return [v.vital, { low: low ? String(low.value) : '', lowSeverity: low?.severity ?? 'low', high: high ? String(high.value) : '', highSeverity: high?.severity ?? 'low', everyHours: v.everyHours === null ? '' : String(v.everyHours) }];
    }),
  );
}

/**
 * The care plan in plain words: per vital, the pathway's limits beside this patient's own, and
 * the expected schedule. A clinician edits it in labelled fields; each problem is shown at its
 * field; a saved change lists what changed (old → new), and applies from the next reading.
 */
export function CarePlanEditor({ patientId, patientName, me }: { patientId: string; patientName: string; me: Me }) {
  const loaded = useLoad(() => api<CarePlanEditorView>('GET', `/api/patients/${patientId}/care-plan/edit`), [patientId]);
  const view = loaded.data;
  const canEdit = me.role === 'clinician' || me.role === 'admin';
  const [fields, setFields] = useState<Record<string, VitalFields>>({});
  const [scale, setScale] = useState<1 | 2>(1);
  const [confirmScale2, setConfirmScale2] = useState(false);
  const [weight, setWeight] = useState<{ enabled: boolean; kg: string; days: string; severity: AlertSeverityBand }>({ enabled: false, kg: '2', days: '3', severity: 'medium' });
  const [baseline, setBaseline] = useState<BaselineFields | null>(null);
  const [stale, setStale] = useState(false);
  const [reviewBy, setReviewBy] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<readonly string[]>([]);
  const [saved, setSaved] = useState<readonly CarePlanChange[] | null>(null);

  useEffect(() => {
    if (!view) return;
    setFields(fieldsOf(view));
    setScale(view.spo2Scale);
    setWeight({ enabled: view.weightGain.enabled, kg: String(view.weightGain.kg), days: String(view.weightGain.days), severity: view.weightGain.severity });
    setBaseline(baselineFields(view.spo2Baseline));
    setStale(false);
    setReviewBy(view.reviewBy ?? '');
  }, [view]);

  if (loaded.error && !view) return <p class="field-error">{describeError(loaded.error)}</p>;
  if (!view) return <p>Loading the care plan…</p>;

  const set = (vital: string, patch: Partial<VitalFields>) => setFields((f) => ({ ...f, [vital]: { ...(f[vital] as VitalFields), ...patch } }));

  /** The clinical part of the form (limits, schedule, scale, trend rules): what is saved, or tried on past data first. */
  const proposal = () => {
    const limits = view.vitals.flatMap(({ vital }) => {
      const f = fields[vital];
      if (!f || (f.low.trim() === '' && f.high.trim() === '')) return [];
      return [
        {
          vital,
          limits: [
            ...(f.low.trim() ? [{ direction: 'at-or-below', value: Number(f.low), severity: f.lowSeverity }] : []),
            ...(f.high.trim() ? [{ direction: 'at-or-above', value: Number(f.high), severity: f.highSeverity }] : []),
          ],
        },
      ];
    });
    const scheduleChanged = view.scheduleFrom === 'care-plan' || view.vitals.some((v) => (fields[v.vital]?.everyHours ?? '') !== (v.everyHours === null ? '' : String(v.everyHours)));
    const schedule = view.vitals.flatMap(({ vital }) => (fields[vital]?.everyHours.trim() ? [{ vital, everyHours: Number(fields[vital]?.everyHours) }] : []));
    return {
      spo2Scale: scale,
      ...(scale === 2 ? { scale2Confirmed: confirmScale2 } : {}),
      limits,
      ...(scheduleChanged ? { schedule } : {}),
      // Sent only when changed: an untouched trend rule stays the pathway's default.
      ...(weight.enabled !== view.weightGain.enabled || Number(weight.kg) !== view.weightGain.kg || Number(weight.days) !== view.weightGain.days || weight.severity !== view.weightGain.severity
        ? { weightGain: { enabled: weight.enabled, kg: Number(weight.kg), days: Number(weight.days), severity: weight.severity } }
        : {}),
      ...(baseline && changedBaseline(baseline, view.spo2Baseline) ? { spo2Baseline: typedBaseline(baseline) } : {}),
    };
  };

  /** Problems the API found in the form, at their fields (a save and a try answer alike). */
  const showProblems = (caught: unknown) => {
    const byField = caught instanceof ApiError && caught.body['fields'] && typeof caught.body['fields'] === 'object' ? (caught.body['fields'] as Record<string, string>) : {};
    setErrors(byField);
    return byField;
  };

  const tryOnPastData = async (range: { from: string; to: string }) => {
    try {
      const report = await api<BacktestReport>('POST', `/api/patients/${patientId}/care-plan/backtest`, { ...proposal(), ...range });
      setErrors({});
      return report;
    } catch (caught) {
      showProblems(caught);
      throw caught;
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    // A save names the version it was based on: one on a plan saved meanwhile is refused (care-plan.stale).
    const body = { reason, reviewBy, ...proposal(), basedOnVersion: view.version };
    try {
      const result = await api<CarePlanEditResult>('PUT', `/api/patients/${patientId}/care-plan/edit`, body);
      setErrors({});
      setSummary([]);
      setSaved(result.changes);
      setReason('');
      loaded.reload();
    } catch (caught) {
      // Another clinician saved since this form was loaded: say so, and offer their version.
      setStale(caught instanceof ApiError && caught.code === 'care-plan.stale');
      showProblems(caught);
      setSummary(caught instanceof ApiError ? caught.messages : [describeError(caught)]);
    }
  };

  const error = (key: string) =>
    errors[key] ? (
      <span class="field-error" id={errorId(key)}>
        {errors[key]}
      </span>
    ) : null;
  const describedBy = (key: string) => (errors[key] ? { 'aria-describedby': errorId(key), 'aria-invalid': 'true' as const } : {});

  return (
    <div class="panel care-plan">
      <dl class="facts">
        <dt>Pathway</dt>
        <dd>{PATHWAY_NAMES[view.pathway]}</dd>
        <dt>SpO2 scale</dt>
        <dd data-testid="spo2-scale">
          {view.spo2Scale === 2 && view.spo2ScaleDecision
            ? `Scale 2 (target 88–92 %), decided ${formatDateTime(view.spo2ScaleDecision.decidedAt)}: “${view.spo2ScaleDecision.reason}”`
            : 'Scale 1 (target 96 % or more)'}
        </dd>
        <dt>Expected readings</dt>
        <dd>{view.scheduleFrom === 'pathway' ? "The pathway's schedule" : "This patient's own schedule"}</dd>
        {view.reviewBy && (
          <>
            <dt>Review by</dt>
            <dd>{view.reviewBy}</dd>
          </>
        )}
      </dl>
      {view.problems.length > 0 && (
        <p class="field-error">The stored plan has parts the rules cannot read, so the pathway's defaults apply to them: {view.problems.join('; ')}</p>
      )}
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Alert limits and schedule per vital">
        <table>
          <caption class="visually-hidden">Alert limits and expected readings per vital</caption>
          <thead>
            <tr>
              <th scope="col">Vital</th>
              <th scope="col">Pathway default limits</th>
              <th scope="col">This patient's limits</th>
              <th scope="col">Expected</th>
            </tr>
          </thead>
          <tbody>
            {view.vitals.map((v) => (
              <tr key={v.vital}>
                <th scope="row">{vitalName(v.vital)}</th>
                <td>{describeLimits(v.pathwayLimits, v.vital)}</td>
                <td>{v.personalLimits ? describeLimits(v.personalLimits, v.vital) : 'pathway defaults'}</td>
                <td>{v.everyHours ? `every ${v.everyHours} h` : 'not expected'}{v.pathwayEveryHours && v.pathwayEveryHours !== v.everyHours ? ` (pathway: every ${v.pathwayEveryHours} h)` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {saved && (
        <div class="success" role="status">
          <p>
            <strong>Care plan saved.</strong> It applies from the next reading.
          </p>
          <ul aria-label="What changed">
            {saved.length === 0 && <li>Nothing changed.</li>}
            {saved.map((c) => (
              <li key={c.what}>
                {c.what}: <del>{c.before}</del> → <ins>{c.after}</ins>
              </li>
            ))}
          </ul>
        </div>
      )}

      {canEdit && (
        <form class="care-plan-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="edit-plan-heading">
          <h3 id="edit-plan-heading">Change the care plan</h3>
          {summary.length > 0 && (
            <div class="error-summary" role="alert">
              <h4>The care plan was not saved</h4>
              <ul>
                {summary.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
              {stale && (
                <p>
                  <button type="button" onClick={() => (setSummary([]), loaded.reload())}>
                    Reload the care plan
                  </button>{' '}
                  Your reason stays in its box; the other fields show the saved plan.
                </p>
              )}
            </div>
          )}
          <fieldset>
            <legend>SpO2 scale</legend>
            {error('spo2Scale')}
            <div class="radios">
              <label>
                <input type="radio" name="spo2-scale" checked={scale === 1} onChange={() => setScale(1)} /> Scale 1 (target 96 % or more)
              </label>
              <label>
                <input type="radio" name="spo2-scale" checked={scale === 2} onChange={() => setScale(2)} {...describedBy('spo2Scale')} /> Scale 2 (target 88–92 %)
                {view.offerScale2 ? ' – usual for COPD with hypercapnia' : ''}
              </label>
            </div>
            {scale === 2 && view.spo2Scale !== 2 && (
              <label class="inline-check">
                <input type="checkbox" checked={confirmScale2} onChange={(e) => setConfirmScale2((e.target as HTMLInputElement).checked)} /> I confirm this patient has hypercapnic respiratory failure and a target
                of 88–92 %
              </label>
            )}
          </fieldset>
          {view.vitals.map((v) => {
            const f = fields[v.vital];
            if (!f) return null;
            const id = (part: string) => `cp-${v.vital}-${part}`;
            return (
              <fieldset key={v.vital} class="vital-fields">
                <legend>{vitalName(v.vital)}</legend>
                <p class="hint">Pathway default: {describeLimits(v.pathwayLimits, v.vital)}. Leave both limits empty to use the pathway's.</p>
                {error(`limits.${v.vital}`)}
                <div class="limit-row">
                  <LimitFields vital={v.vital} side="low" value={f.low} severity={f.lowSeverity} onValue={(low) => set(v.vital, { low })} onSeverity={(lowSeverity) => set(v.vital, { lowSeverity })} describedBy={describedBy(`limits.${v.vital}`)} />
                  <LimitFields vital={v.vital} side="high" value={f.high} severity={f.highSeverity} onValue={(high) => set(v.vital, { high })} onSeverity={(highSeverity) => set(v.vital, { highSeverity })} describedBy={describedBy(`limits.${v.vital}`)} />
                  <div>
                    <label for={id('every')}>{vitalName(v.vital)}: expected every (hours)</label>
                    <input id={id('every')} inputMode="numeric" value={f.everyHours} onInput={(e) => set(v.vital, { everyHours: (e.target as HTMLInputElement).value })} />
                    <span class="hint">Pathway: {v.pathwayEveryHours ? `every ${v.pathwayEveryHours} h` : 'not expected'}</span>
                  </div>
                </div>
              </fieldset>
            );
          })}
          <fieldset>
            <legend>Weight gain (trend rule)</legend>
            {error('weightGain.kg')}
            {error('weightGain.days')}
            <label class="inline-check">
              <input type="checkbox" checked={weight.enabled} onChange={(e) => setWeight((w) => ({ ...w, enabled: (e.target as HTMLInputElement).checked }))} /> Alert on weight gain
            </label>
            <div class="limit-row">
              <div>
                <label for="cp-wg-kg">Weight gain of more than (kg)</label>
                <input id="cp-wg-kg" inputMode="decimal" value={weight.kg} onInput={(e) => setWeight((w) => ({ ...w, kg: (e.target as HTMLInputElement).value }))} {...describedBy('weightGain.kg')} />
              </div>
              <div>
                <label for="cp-wg-days">Within (days)</label>
                <input id="cp-wg-days" inputMode="numeric" value={weight.days} onInput={(e) => setWeight((w) => ({ ...w, days: (e.target as HTMLInputElement).value }))} {...describedBy('weightGain.days')} />
              </div>
              <SeveritySelect id="cp-wg-sev" label="Weight gain: severity of the alert" value={weight.severity} onChange={(severity) => setWeight((w) => ({ ...w, severity }))} />
            </div>
          </fieldset>
          {baseline && (
            <fieldset>
              <legend>SpO2 drop from the patient's baseline (trend rule)</legend>
              <p class="hint">
                Alerts when the latest SpO2 is at least the given points below the mean of the patient's own readings over the baseline period, and at least the given number of standard deviations below it.
                Defaults: 7 days, 5 readings, 3 points, 2 standard deviations, medium.
              </p>
              <label class="inline-check">
                <input type="checkbox" checked={baseline.enabled} onChange={(e) => setBaseline((b) => b && { ...b, enabled: (e.target as HTMLInputElement).checked })} /> Alert on a drop from the SpO2 baseline
              </label>
              <div class="limit-row">
                {BASELINE_NUMBERS.map(({ field, label, inputMode }) => (
                  <div key={field}>
                    <label for={`cp-bl-${field}`}>{label}</label>
                    {error(`spo2Baseline.${field}`)}
                    <input id={`cp-bl-${field}`} inputMode={inputMode} value={baseline[field]} onInput={(e) => setBaseline((b) => b && { ...b, [field]: (e.target as HTMLInputElement).value })} {...describedBy(`spo2Baseline.${field}`)} />
                  </div>
                ))}
                <SeveritySelect id="cp-bl-sev" label="SpO2 drop: severity of the alert" value={baseline.severity} onChange={(severity) => setBaseline((b) => b && { ...b, severity })} />
              </div>
            </fieldset>
          )}
          <label for="cp-review">Review by</label>
          {error('reviewBy')}
          <input id="cp-review" type="date" value={reviewBy} onInput={(e) => setReviewBy((e.target as HTMLInputElement).value)} {...describedBy('reviewBy')} />
          <label for="cp-reason">Reason for the change</label>
          <span class="hint">Recorded with your name in the audit log and shown on the alerts this plan shapes.</span>
          <textarea id="cp-reason" rows={3} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          <BacktestRun label="Try this change on past data" run={tryOnPastData} names={new Map([[patientId, patientName]])} idPrefix="cp-backtest" />
          <p>
            <button type="submit">Save the care plan</button>
          </p>
        </form>
      )}
    </div>
  );
}

const errorId = (key: string): string => `err-${key.replace(/\./g, '-')}`;

const BASELINE_NUMBERS: readonly { readonly field: 'days' | 'minReadings' | 'minDropPoints' | 'spreadMultiplier'; readonly label: string; readonly inputMode: 'numeric' | 'decimal' }[] = [
  { field: 'days', label: 'SpO2 baseline: period (days)', inputMode: 'numeric' },
  { field: 'minReadings', label: 'SpO2 baseline: readings needed', inputMode: 'numeric' },
  { field: 'minDropPoints', label: 'SpO2 drop of at least (percentage points)', inputMode: 'decimal' },
  { field: 'spreadMultiplier', label: 'SpO2 drop of at least (standard deviations)', inputMode: 'decimal' },
];

/** The fields as numbers for the API (a blank or a word becomes NaN, which the API refuses at the field). */
function typedBaseline(b: BaselineFields): CarePlanSpo2BaselineView {
  return { enabled: b.enabled, days: Number(b.days), minReadings: Number(b.minReadings), minDropPoints: Number(b.minDropPoints), spreadMultiplier: Number(b.spreadMultiplier), severity: b.severity };
}

function changedBaseline(b: BaselineFields, inForce: CarePlanSpo2BaselineView): boolean {
  const typed = typedBaseline(b);
  return (Object.keys(inForce) as (keyof CarePlanSpo2BaselineView)[]).some((k) => typed[k] !== inForce[k]);
}

function SeveritySelect({ id, label, value, onChange }: { id: string; label: string; value: AlertSeverityBand; onChange: (severity: AlertSeverityBand) => void }) {
  return (
    <div>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value as AlertSeverityBand)}>
        {BANDS.map((b) => (
          <option value={b} key={b}>
            {BAND_NAMES[b]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** One limit of one vital (at or below, or at or above) with the severity of the alert it raises. */
function LimitFields(props: {
  vital: string;
  side: 'low' | 'high';
  value: string;
  severity: AlertSeverityBand;
  onValue: (value: string) => void;
  onSeverity: (severity: AlertSeverityBand) => void;
  describedBy: { readonly 'aria-describedby'?: string; readonly 'aria-invalid'?: 'true' };
}) {
  const { vital, side } = props;
  const id = `cp-${vital}-${side}`;
  return (
    <>
      <div>
        <label for={id}>
          {vitalName(vital)}: alert at or {side === 'low' ? 'below' : 'above'} ({displayUnit(canonicalUnit(vital))})
        </label>
        <input id={id} inputMode="decimal" value={props.value} onInput={(e) => props.onValue((e.target as HTMLInputElement).value)} {...props.describedBy} />
      </div>
      <SeveritySelect id={`${id}-sev`} label={`${vitalName(vital)}: severity when ${side}`} value={props.severity} onChange={props.onSeverity} />
    </>
  );
}
