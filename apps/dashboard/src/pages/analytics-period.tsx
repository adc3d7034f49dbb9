import { Fragment, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, describeError, loadSession } from '../lib/api-client';
import { navigate } from '../lib/router';
import { useLoad } from '../lib/use-load';

export interface AnalyticsPeriod {
  readonly wardId: string;
  /** YYYY-MM-DD, UTC midnight. */
  readonly from: string;
  readonly to: string;
}

/** A ward as GET /api/wards lists it (the part the analytics pages use). */
export interface WardDto {
  readonly id: string;
  readonly name: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Last calendar month (UTC): what a ward manager reports on. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 1, 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** The period in the address (?ward=&from=&to=), so a report can be bookmarked, shared and reloaded. */
export function periodFromSearch(search: string, now: Date): { wardId: string | null; from: string; to: string } {
  const params = new URLSearchParams(search);
  const fallback = defaultPeriod(now);
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return { wardId: params.get('ward'), from: DATE.test(from) ? from : fallback.from, to: DATE.test(to) ? to : fallback.to };
}

/** The address of another analytics page for the same ward and period. */
export function pageLink(path: string, period: AnalyticsPeriod | null): string {
  return period ? `${path}?ward=${period.wardId}&from=${period.from}&to=${period.to}` : path;
}

export function reportQuery(period: AnalyticsPeriod): string {
  return `from=${period.from}T00:00:00Z&to=${period.to}T00:00:00Z`;
}

/** The CSV export: fetched with the session's bearer token (a plain link would not carry it), then saved. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const session = loadSession();
  const response = await fetch(path, { headers: session ? { authorization: `Bearer ${session.token}` } : {} });
  if (!response.ok) throw new Error(`The export failed (HTTP ${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Ward and period for an analytics page; "Show" puts them in the address. The wards are the
 * signed-in person's own (an admin's: all).
 */
export function usePeriod(path: string): { period: AnalyticsPeriod | null; form: JSX.Element } {
  const initial = periodFromSearch(location.search, new Date());
  const wards = useLoad(() => api<WardDto[]>('GET', '/api/wards'), []);
  const [draft, setDraft] = useState(initial);
  const [shown, setShown] = useState(initial);
  const wardId = shown.wardId ?? wards.data?.[0]?.id ?? null;
  useEffect(() => {
    if (!draft.wardId && wards.data?.[0]) setDraft((d) => ({ ...d, wardId: wards.data?.[0]?.id ?? null }));
  }, [wards.data]);
  const show = (event: Event) => {
    event.preventDefault();
    setShown(draft);
    navigate(draft.wardId ? pageLink(path, { wardId: draft.wardId, from: draft.from, to: draft.to }) : path);
  };
  const form = (
    <form class="range" onSubmit={show} aria-label="Ward and period">
      {wards.error ? <p class="field-error" role="alert">{describeError(wards.error)}</p> : null}
      <div>
        <label for="analytics-ward">Ward</label>
        <select id="analytics-ward" value={draft.wardId ?? ''} onChange={(e) => setDraft({ ...draft, wardId: (e.target as HTMLSelectElement).value })}>
          {(wards.data ?? []).map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="analytics-from">From</label>
        <input id="analytics-from" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />
      </div>
      <div>
        <label for="analytics-to">
          To <span class="hint">(not included)</span>
        </label>
        <input id="analytics-to" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />
      </div>
      <div style={{ alignSelf: 'flex-end' }}>
        <button type="submit">Show</button>
      </div>
    </form>
  );
  return { period: wardId ? { wardId, from: shown.from, to: shown.to } : null, form };
}

/** The definitions every report states, as a description list. */
export function Definitions({ definitions }: { definitions: readonly { term: string; meaning: string }[] }) {
  return (
    <section class="panel" aria-labelledby="definitions">
      <h2 id="definitions">Definitions</h2>
      <dl class="facts" data-testid="definitions">
        {definitions.map((d) => (
          <Fragment key={d.term}>
            <dt>{d.term}</dt>
            <dd>{d.meaning}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}

/** Print rules for the report pages, added while one is shown: the CSP allows no inline <style>, but a constructed sheet is CSSOM. */
export function usePrintStyles(): void {
  useEffect(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      '@media print { .masthead, .skip-link, .no-print, form.range { display: none !important; } main { max-width: none; padding: 0; } .panel, .chart, table { break-inside: avoid; } body { background: #fff; } }',
    );
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    return () => {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
    };
  }, []);
}
