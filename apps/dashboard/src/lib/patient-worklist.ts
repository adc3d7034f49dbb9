import type { AlertSeverityBand, Pathway, PatientWorklistAlert, PatientWorklistRow, WorklistKind } from '@homeward/contracts';

export type WorklistSort = 'severity' | 'waiting' | 'measured' | 'name';

export interface WorklistFilters {
  readonly severity: readonly AlertSeverityBand[];
  readonly pathway: Pathway | '';
  readonly kind: WorklistKind | '';
  readonly mine: boolean;
  readonly escalated: boolean;
  readonly q: string;
  readonly sort: WorklistSort;
  readonly page: number;
  readonly pageSize: number;
}

export const NO_FILTERS: WorklistFilters = { severity: [], pathway: '', kind: '', mine: false, escalated: false, q: '', sort: 'severity', page: 1, pageSize: 25 };

/** The query of GET /api/worklist/patients for these filters (defaults left out). */
export function worklistQuery(filters: WorklistFilters): string {
  const params = new URLSearchParams();
  if (filters.severity.length > 0) params.set('severity', filters.severity.join(','));
  if (filters.pathway) params.set('pathway', filters.pathway);
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.mine) params.set('mine', 'true');
  if (filters.escalated) params.set('escalated', 'true');
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.sort !== 'severity') params.set('sort', filters.sort);
  if (filters.page > 1) params.set('page', String(filters.page));
  params.set('pageSize', String(filters.pageSize));
  return params.toString();
}

/** Plain words for the pathway codes. */
export const PATHWAY_NAMES: Readonly<Record<Pathway, string>> = {
  'heart-failure': 'Heart failure',
  copd: 'COPD',
  'acute-respiratory-infection': 'Acute respiratory infection',
  frailty: 'Frailty',
  general: 'General',
};

export const KIND_NAMES: Readonly<Record<WorklistKind, string>> = { clinical: 'Clinical', silence: 'No readings (silence)', technical: 'Technical problem' };

export const STATE_NAMES: Readonly<Record<PatientWorklistAlert['state'], string>> = { open: 'Open', acknowledged: 'Acknowledged', escalated: 'Escalated' };

/** The open (unacknowledged) alerts of the chosen rows: what "acknowledge selected" acts on. */
export function alertsToAcknowledge(rows: readonly PatientWorklistRow[], selected: ReadonlySet<string>): string[] {
  return rows.filter((row) => selected.has(row.patient.id)).flatMap((row) => row.alerts.filter((alert) => alert.state === 'open').map((alert) => alert.id));
}

/** Every alert of the chosen rows: what "assign selected" acts on. */
export function alertsToAssign(rows: readonly PatientWorklistRow[], selected: ReadonlySet<string>): string[] {
  return rows.filter((row) => selected.has(row.patient.id)).flatMap((row) => row.alerts.map((alert) => alert.id));
}
