import { useState } from 'preact/hooks';
import type { BacktestReport, Me, PatientSummary } from '@homeward/contracts';
import { PATHWAYS, type Pathway } from '@homeward/domain';
import { BacktestRun } from '../components/backtest-results';
import { api, describeError } from '../lib/api-client';
import { PATHWAY_NAMES } from '../lib/patient-worklist';
import { useLoad } from '../lib/use-load';
import type { WardDto } from './analytics-period';

/** A start a clinician can edit: the pathway's own defaults, without anyone's personal plan. */
const EXAMPLE_PLAN = '{}';

/**
 * A pathway-default change tried on the ward's past readings (issue 21): the clinician chooses the
 * ward, whose plans are replaced (one pathway's patients, or everyone) and the plan to try, as the
 * care-plan API takes it; the result sits beside what the stored plans find. Nothing is saved.
 * A change for one patient is tried from that patient's care-plan editor instead.
 */
export function AnalyticsBacktestPage({ me }: { me: Me }) {
  const params = new URLSearchParams(location.search);
  const wards = useLoad(() => api<WardDto[]>('GET', '/api/wards'), []);
  const patients = useLoad(() => api<PatientSummary[]>('GET', '/api/patients'), []);
  const [wardId, setWardId] = useState(params.get('ward') ?? '');
  const [pathway, setPathway] = useState<Pathway | ''>('');
  const [planText, setPlanText] = useState(EXAMPLE_PLAN);
  const [planError, setPlanError] = useState<string | null>(null);
  const ward = wardId || wards.data?.[0]?.id || '';
  const names = new Map((patients.data ?? []).map((p) => [p.id, `${p.givenName} ${p.familyName}`]));

  const run = async (range: { from: string; to: string }): Promise<BacktestReport> => {
    let carePlan: unknown;
    try {
      carePlan = JSON.parse(planText);
    } catch (error) {
      setPlanError(`The care plan is not JSON: ${describeError(error)}`);
      throw new Error('the care plan is not JSON.');
    }
    if (typeof carePlan !== 'object' || carePlan === null || Array.isArray(carePlan)) {
      setPlanError('The care plan must be a JSON object, as the care-plan API takes it.');
      throw new Error('the care plan must be a JSON object.');
    }
    setPlanError(null);
    if (!ward) throw new Error('choose a ward.');
    return api<BacktestReport>('POST', `/api/analytics/wards/${ward}/backtest`, { ...range, carePlan, ...(pathway ? { pathway } : {}) });
  };

  if (me.role !== 'clinician' && me.role !== 'admin') {
    return (
      <>
        <h1 tabIndex={-1}>Try a care-plan change</h1>
        <p class="panel">Trying a care-plan change on past readings is for clinicians.</p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>Try a care-plan change</h1>
      <p>
        <a href="/analytics">Alert burden</a> · For one patient, use “Try this change on past data” in their care-plan editor.
      </p>
      {wards.error ? (
        <p class="field-error" role="alert">
          {describeError(wards.error)}
        </p>
      ) : null}
      <div class="panel">
        <label for="bt-ward">Ward</label>
        <select id="bt-ward" value={ward} onChange={(e) => setWardId((e.target as HTMLSelectElement).value)}>
          {(wards.data ?? []).map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
        <label for="bt-pathway">Whose plans are replaced</label>
        <select id="bt-pathway" value={pathway} onChange={(e) => setPathway((e.target as HTMLSelectElement).value as Pathway | '')}>
          <option value="">Every patient on the ward</option>
          {PATHWAYS.map((p) => (
            <option key={p} value={p}>
              Patients on the {PATHWAY_NAMES[p]} pathway
            </option>
          ))}
        </select>
        <label for="bt-plan">Care plan to try (JSON)</label>
        <span class="hint" id="bt-plan-hint">
          As the care-plan API takes it. It replaces each chosen patient's own plan for the trial: {'{}'} tries the pathway's defaults alone;
          thresholdOverrides, weightGain, news2 and expectedReadings change them.
        </span>
        {planError && (
          <span class="field-error" id="bt-plan-error">
            {planError}
          </span>
        )}
        <textarea
          id="bt-plan"
          rows={8}
          spellcheck={false}
          value={planText}
          onInput={(e) => setPlanText((e.target as HTMLTextAreaElement).value)}
          aria-describedby={planError ? 'bt-plan-hint bt-plan-error' : 'bt-plan-hint'}
          {...(planError ? { 'aria-invalid': 'true' as const } : {})}
        />
      </div>
      <BacktestRun label="Run the backtest" run={run} names={names} idPrefix="ward-backtest" />
    </>
  );
}
