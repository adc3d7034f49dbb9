import { ACTION_EVENT_KIND, ALERT_EVENT_KINDS, ALERT_STATES, type AlertAction, type AlertActor, type AlertState, alertSeverityRank, nextAlertState } from './alert';

const nurse: AlertActor = { type: 'user', id: 'nurse-1' };
const engine: AlertActor = { type: 'system', id: 'rules-engine' };

describe('alert state machine', () => {
  it('allows exactly the documented transitions', () => {
    const table: Record<string, AlertState | null> = {};
    for (const from of ALERT_STATES) {
      for (const action of ['acknowledge', 'escalate', 'resolve'] as AlertAction[]) {
        const result = nextAlertState({
          from,
          action,
          by: nurse,
          ...(action === 'resolve' ? { outcome: 'contacted-patient' as const } : {}),
          ...(action === 'escalate' ? { reason: 'needs a doctor' } : {}),
        });
        table[`${from} ${action}`] = result.ok ? result.value : null;
      }
    }
    expect(table).toEqual({
      'open acknowledge': 'acknowledged',
      'open escalate': 'escalated',
      'open resolve': 'resolved',
      'acknowledged acknowledge': null,
      'acknowledged escalate': 'escalated',
      'acknowledged resolve': 'resolved',
      'escalated acknowledge': 'acknowledged',
      'escalated escalate': null,
      'escalated resolve': 'resolved',
      'resolved acknowledge': null,
      'resolved escalate': null,
      'resolved resolve': null,
    });
  });

  it('says why a transition is refused', () => {
    expect(nextAlertState({ from: 'resolved', action: 'acknowledge', by: nurse })).toEqual({
      ok: false,
      error: { code: 'alert.transition-not-allowed', message: 'A resolved alert cannot be acknowledged.', details: { from: 'resolved', action: 'acknowledge' } },
    });
  });

  it('needs an outcome to resolve, and only to resolve', () => {
    expect(nextAlertState({ from: 'open', action: 'resolve', by: nurse })).toMatchObject({ ok: false, error: { code: 'alert.outcome-required' } });
    expect(nextAlertState({ from: 'open', action: 'acknowledge', by: nurse, outcome: 'false-alarm' })).toMatchObject({
      ok: false,
      error: { code: 'alert.outcome-not-allowed' },
    });
    for (const outcome of ['contacted-patient', 'visit-arranged', 'escalated-to-gp', 'escalated-to-999', 'escalated-to-ward', 'false-alarm', 'device-problem'] as const) {
      expect(nextAlertState({ from: 'acknowledged', action: 'resolve', by: nurse, outcome })).toEqual({ ok: true, value: 'resolved' });
    }
  });

  it('needs a reason to escalate', () => {
    expect(nextAlertState({ from: 'open', action: 'escalate', by: engine, reason: ' ' })).toMatchObject({ ok: false, error: { code: 'alert.reason-required' } });
    expect(nextAlertState({ from: 'open', action: 'escalate', by: engine, reason: 'high alert unacknowledged for 15 minutes' })).toEqual({ ok: true, value: 'escalated' });
  });

  it('lets the system resolve only a self-resolving alert, and only with a system outcome', () => {
    expect(nextAlertState({ from: 'open', action: 'resolve', by: engine, outcome: 'reading-received', selfResolving: true })).toEqual({ ok: true, value: 'resolved' });
    // NEWS2 and threshold alerts need a person.
    expect(nextAlertState({ from: 'open', action: 'resolve', by: engine, outcome: 'reading-received' })).toMatchObject({
      ok: false,
      error: { code: 'alert.self-resolution-not-allowed' },
    });
    expect(nextAlertState({ from: 'open', action: 'resolve', by: engine, outcome: 'false-alarm', selfResolving: true })).toMatchObject({
      ok: false,
      error: { code: 'alert.self-resolution-not-allowed' },
    });
    // A person says what they did, not that the system saw a reading.
    expect(nextAlertState({ from: 'open', action: 'resolve', by: nurse, outcome: 'reading-received', selfResolving: true })).toMatchObject({
      ok: false,
      error: { code: 'alert.outcome-not-allowed' },
    });
  });

  it('records who: an anonymous change is refused', () => {
    expect(nextAlertState({ from: 'open', action: 'acknowledge', by: { type: 'user', id: '' } })).toMatchObject({ ok: false, error: { code: 'alert.actor-required' } });
  });

  it('lets the system re-open an acknowledged or escalated alert (a worse finding), never an open or resolved one', () => {
    const table = Object.fromEntries(ALERT_STATES.map((from) => [from, nextAlertState({ from, action: 'reopen', by: engine })]));
    expect(table).toEqual({
      open: { ok: false, error: { code: 'alert.transition-not-allowed', message: 'Only an acknowledged or escalated alert is re-opened; this one is open.', details: { from: 'open', action: 'reopen' } } },
      acknowledged: { ok: true, value: 'open' },
      escalated: { ok: true, value: 'open' },
      resolved: {
        ok: false,
        error: { code: 'alert.transition-not-allowed', message: 'Only an acknowledged or escalated alert is re-opened; this one is resolved.', details: { from: 'resolved', action: 'reopen' } },
      },
    });
    expect(ACTION_EVENT_KIND.reopen).toBe('worsened');
    expect(ALERT_EVENT_KINDS).toContain('worsened');
  });

  it('refuses a re-open by a person: un-acknowledging is not a nurse action', () => {
    expect(nextAlertState({ from: 'acknowledged', action: 'reopen', by: nurse })).toMatchObject({ ok: false, error: { code: 'alert.transition-not-allowed' } });
  });

  it('ranks severities as NEWS2 risk bands', () => {
    expect(['high', 'low', 'medium', 'low-medium'].sort((a, b) => alertSeverityRank(a as never) - alertSeverityRank(b as never))).toEqual([
      'low',
      'low-medium',
      'medium',
      'high',
    ]);
  });
});
