import type { PatientWorklistRow } from '@homeward/contracts';
import { NO_FILTERS, alertsToAcknowledge, alertsToAssign, worklistQuery } from './patient-worklist';

describe('the worklist by patient in the browser', () => {
  it('asks for the default page plainly and sends only the filters set', () => {
    expect(worklistQuery(NO_FILTERS)).toBe('pageSize=25');
    expect(worklistQuery({ ...NO_FILTERS, severity: ['high', 'medium'], pathway: 'copd', kind: 'silence', mine: true, escalated: true, q: ' 943 476 ', sort: 'name', page: 3 })).toBe(
      'severity=high%2Cmedium&pathway=copd&kind=silence&mine=true&escalated=true&q=943+476&sort=name&page=3&pageSize=25',
    );
  });

  it('acknowledges the open alerts of the chosen patients and assigns all of theirs', () => {
    const row = (id: string, states: Array<'open' | 'acknowledged' | 'escalated'>) => ({ patient: { id }, alerts: states.map((state, i) => ({ id: `${id}-${i}`, state })) }) as unknown as PatientWorklistRow;
    const rows = [row('a', ['open', 'acknowledged']), row('b', ['escalated', 'open']), row('c', ['open'])];
    expect(alertsToAcknowledge(rows, new Set(['a', 'b']))).toEqual(['a-0', 'b-1']);
    expect(alertsToAssign(rows, new Set(['a', 'b']))).toEqual(['a-0', 'a-1', 'b-0', 'b-1']);
  });
});
