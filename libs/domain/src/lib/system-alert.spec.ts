import { SYSTEM_ALERT_KINDS, SYSTEM_ALERT_STATES, decideSystemProblem, systemAlertTransition } from './system-alert';

describe('system alerts', () => {
  it('raises a problem with no unresolved alert of its kind and source', () => {
    expect(decideSystemProblem(undefined)).toEqual({ action: 'raise' });
  });

  it.each([
    ['database-restarted', 'open', false],
    ['database-restarted', 'acknowledged', true], // a new restart after staff acknowledged the last: shown again
    ['pipeline-stalled', 'open', false],
    ['pipeline-stalled', 'acknowledged', false], // the same condition still there: stays acknowledged
    ['broker-unavailable', 'acknowledged', false],
    ['escalation-delivery-failing', 'acknowledged', false],
    ['timed-checks-failing', 'acknowledged', false],
    ['rules-evaluation-failed', 'open', false],
    ['rules-evaluation-failed', 'acknowledged', true], // more patients' readings unchecked after staff acknowledged: shown again
  ] as const)('a %s alert %s seen again is repeated, re-opened: %s', (kind, state, reopen) => {
    expect(decideSystemProblem({ kind, state })).toEqual({ action: 'repeat', reopen });
  });

  it('allows acknowledge from open only, resolve from any unresolved state, and nothing after resolved', () => {
    const table = SYSTEM_ALERT_STATES.flatMap((from) =>
      (['acknowledge', 'resolve'] as const).map((action) => {
        const result = systemAlertTransition(from, action);
        return [from, action, result.ok ? result.value : result.error.code];
      }),
    );
    expect(table).toEqual([
      ['open', 'acknowledge', 'acknowledged'],
      ['open', 'resolve', 'resolved'],
      ['acknowledged', 'acknowledge', 'system-alert.invalid-transition'],
      ['acknowledged', 'resolve', 'resolved'],
      ['resolved', 'acknowledge', 'system-alert.invalid-transition'],
      ['resolved', 'resolve', 'system-alert.invalid-transition'],
    ]);
    expect(SYSTEM_ALERT_KINDS).toHaveLength(6);
  });
});
