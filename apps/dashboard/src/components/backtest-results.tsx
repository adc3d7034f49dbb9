import { useRef, useState } from 'preact/hooks';
import type { BacktestFinding, BacktestReport, RateRow } from '@homeward/contracts';
import { describeError } from '../lib/api-client';
import { backtestRange, catchCounts, catchVerdict, defaultBacktestDates, readingsLink, sideBySide } from '../lib/backtest';
import { formatDateTime } from '../lib/format';

const figure = (row: RateRow | null) => (row ? `${row.count} (${row.perPatientDay ?? '–'} per patient-day)` : '0');

/**
 * "Try it on past data": a period (the last 30 days unless changed), a button, a loading state
 * while the replay runs (a quarter of a large ward takes seconds), a clear error, and the result.
 * `run` asks the API; nothing is saved by it.
 */
export function BacktestRun({ label, run, names, idPrefix }: { label: string; run: (range: { from: string; to: string }) => Promise<BacktestReport>; names?: ReadonlyMap<string, string>; idPrefix: string }) {
  const [dates, setDates] = useState(() => defaultBacktestDates(Date.now()));
  const [state, setState] = useState<{ running: boolean; report: BacktestReport | null; error: string | null }>({ running: false, report: null, error: null });
  const latest = useRef(0);
  const start = async () => {
    const range = backtestRange(dates.from, dates.to, Date.now());
    if (!range) {
      setState({ running: false, report: null, error: 'Choose a first day on or before the last day, both in the past.' });
      return;
    }
    const ticket = ++latest.current;
    setState({ running: true, report: null, error: null });
    try {
      const report = await run(range);
      if (ticket === latest.current) setState({ running: false, report, error: null });
    } catch (caught) {
      if (ticket === latest.current) setState({ running: false, report: null, error: `The backtest did not run: ${describeError(caught)}` });
    }
  };
  const id = (part: string) => `${idPrefix}-${part}`;
  return (
    <section class="panel backtest" aria-labelledby={id('heading')}>
      <h3 id={id('heading')}>{label}</h3>
      <p class="hint">Replays the stored readings through the same rules the ward runs, under the current plan and the proposed one. Nothing is saved.</p>
      <div class="range">
        <div>
          <label for={id('from')}>First day</label>
          <input id={id('from')} type="date" value={dates.from} onChange={(e) => setDates({ ...dates, from: (e.target as HTMLInputElement).value })} />
        </div>
        <div>
          <label for={id('to')}>Last day (included)</label>
          <input id={id('to')} type="date" value={dates.to} onChange={(e) => setDates({ ...dates, to: (e.target as HTMLInputElement).value })} />
        </div>
        <div style={{ alignSelf: 'flex-end' }}>
          <button type="button" onClick={() => void start()} disabled={state.running}>
            {state.running ? 'Running the backtest…' : label}
          </button>
        </div>
      </div>
      <div aria-live="polite" aria-busy={state.running}>
        {state.running && (
          <p role="status" class="loading">
            Replaying the readings of {dates.from} to {dates.to} under both plans. A long period or a large ward can take some seconds.
          </p>
        )}
        {state.error && (
          <p class="field-error" role="alert">
            {state.error}
          </p>
        )}
        {state.report && <BacktestResults report={state.report} {...(names ? { names } : {})} />}
      </div>
    </section>
  );
}

/** A backtest side by side: findings per patient-day by rule and severity, the differences per patient, and the past alerts that needed action. */
export function BacktestResults({ report: r, names }: { report: BacktestReport; names?: ReadonlyMap<string, string> }) {
  const appear = r.differences.reduce((n, d) => n + d.appear.length, 0);
  const disappear = r.differences.reduce((n, d) => n + d.disappear.length, 0);
  const counts = catchCounts(r.catches);
  const who = (patientId: string) => names?.get(patientId) ?? `Patient ${patientId.slice(0, 8)}`;
  return (
    <div class="backtest-results" data-testid="backtest-results">
      <h4>
        {r.wardName}: {formatDateTime(r.from)} to {formatDateTime(r.to)}, {r.patientDays} patient-days
      </h4>
      <ul class="backtest-summary" aria-label="Backtest summary">
        <li data-testid="backtest-appear">
          {appear} {appear === 1 ? 'finding' : 'findings'} would appear
        </li>
        <li data-testid="backtest-disappear">
          {disappear} {disappear === 1 ? 'finding' : 'findings'} would disappear
        </li>
        <li data-testid="backtest-catches">
          Past alerts that needed clinical action: {r.catches.length}
          {r.catches.length > 0 ? ` (${counts.earlier} caught earlier, ${counts.later} later, ${counts.same} at the same time, ${counts.missed} missed, ${counts.new} caught only by the proposed plan)` : ''}
        </li>
      </ul>
      <p class="hint">A finding is a rule firing at a reading; one alert can gather several findings, so these are not alert counts.</p>

      <div class="table-scroll" tabIndex={0} role="region" aria-label="Findings per patient-day, current and proposed plan">
        <table data-testid="backtest-burden">
          <caption class="muted">Findings per patient-day, by rule and by severity</caption>
          <thead>
            <tr>
              <th scope="col">Rule or severity</th>
              <th scope="col">Current plan</th>
              <th scope="col">Proposed plan</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">All findings</th>
              <td>{figure({ key: 'all', count: r.current.findings, perPatientDay: r.current.perPatientDay })}</td>
              <td>{figure({ key: 'all', count: r.proposed.findings, perPatientDay: r.proposed.perPatientDay })}</td>
            </tr>
            {sideBySide(r.current.byRule, r.proposed.byRule).map((row) => (
              <tr key={`rule-${row.key}`}>
                <th scope="row">Rule {row.key}</th>
                <td>{figure(row.current)}</td>
                <td>{figure(row.proposed)}</td>
              </tr>
            ))}
            {sideBySide(r.current.bySeverity, r.proposed.bySeverity).map((row) => (
              <tr key={`severity-${row.key}`}>
                <th scope="row">Severity {row.key}</th>
                <td>{figure(row.current)}</td>
                <td>{figure(row.proposed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h4>Past alerts that needed clinical action</h4>
      {r.catches.length === 0 ? (
        <p class="muted">No alert of this period was resolved as needing clinical action.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Past alerts that needed clinical action">
          <table data-testid="backtest-catch-table">
            <thead>
              <tr>
                <th scope="col">Alert</th>
                <th scope="col">Patient</th>
                <th scope="col">First evidence</th>
                <th scope="col">Current plan flags</th>
                <th scope="col">Proposed plan flags</th>
                <th scope="col">Proposed plan</th>
              </tr>
            </thead>
            <tbody>
              {r.catches.map((c) => {
                const verdict = catchVerdict(c);
                return (
                  <tr key={c.alertId} class={`catch-${verdict.kind}`}>
                    <td>
                      <a href={`/alerts/${c.alertId}`}>
                        {c.rule} ({c.outcome})
                      </a>
                    </td>
                    <td>{who(c.patientId)}</td>
                    <td>{formatDateTime(c.liveFirstMeasuredAt)}</td>
                    <td>{c.currentAt ? formatDateTime(c.currentAt) : 'not found'}</td>
                    <td>{c.proposedAt ? formatDateTime(c.proposedAt) : 'not found'}</td>
                    <td>
                      <strong>{verdict.text}</strong>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h4>Differences by patient</h4>
      {r.differences.length === 0 ? (
        <p class="muted">The proposed plan finds exactly what the current one finds.</p>
      ) : (
        r.differences.map((d) => <PatientDifferences key={d.patientId} difference={d} name={who(d.patientId)} />)
      )}
    </div>
  );
}

/** Rows shown per patient before "Show all": a ward-wide change can move hundreds of findings. */
const ROWS_SHOWN = 50;

function PatientDifferences({ difference: d, name }: { difference: BacktestReport['differences'][number]; name: string }) {
  const [all, setAll] = useState(false);
  const rows = [...d.appear.map((f) => ({ f, change: 'Would appear' })), ...d.disappear.map((f) => ({ f, change: 'Would disappear' }))].sort((a, b) => Date.parse(a.f.at) - Date.parse(b.f.at));
  const shown = all ? rows : rows.slice(0, ROWS_SHOWN);
  return (
    <>
      <h5>
        <a href={`/patients/${d.patientId}`}>{name}</a>: {d.appear.length} would appear, {d.disappear.length} would disappear
      </h5>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={`Differences for ${name}`}>
        <table data-testid="backtest-differences">
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Judged at</th>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">Readings</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ f, change }) => (
              <DifferenceRow key={`${change}-${f.at}-${f.rule}-${f.subject}-${f.severity}`} patientId={d.patientId} finding={f} change={change} />
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > shown.length && (
        <button type="button" class="secondary" onClick={() => setAll(true)}>
          Show all {rows.length} differences for {name}
        </button>
      )}
    </>
  );
}

function DifferenceRow({ patientId, finding: f, change }: { patientId: string; finding: BacktestFinding; change: string }) {
  return (
    <tr>
      <td>{change}</td>
      <td>{formatDateTime(f.at)}</td>
      <td>
        {f.rule}
        {f.subject ? ` (${f.subject})` : ''}
      </td>
      <td>{f.severity}</td>
      <td>
        {f.readingIds.length === 0 ? (
          'none'
        ) : (
          <a href={readingsLink(patientId, f)}>
            {f.readingIds.length} {f.readingIds.length === 1 ? 'reading' : 'readings'}
            <span class="visually-hidden">
              {' '}
              behind the {f.rule} finding of {formatDateTime(f.at)}
            </span>
          </a>
        )}
      </td>
    </tr>
  );
}
