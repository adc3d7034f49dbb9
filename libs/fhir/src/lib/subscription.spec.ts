import { parseSubscription, subscriptionToFhir } from './subscription';

const PATIENT = '0b7c3f8e-6a43-4f4e-9a51-2f1f0c1d2e3f';
const ok = (criteria: string, channel: Record<string, unknown> = {}) => parseSubscription({ resourceType: 'Subscription', status: 'requested', criteria, channel: { type: 'rest-hook', endpoint: 'https://epr.example.nhs.uk/hook', ...channel } }, { allowHttp: false });
const codes = (result: ReturnType<typeof parseSubscription>) => (result.ok ? [] : result.problems.map((p) => p.code));

describe('parseSubscription', () => {
  it.each([
    [`Observation?patient=${PATIENT}`, { resourceType: 'Observation', patientId: PATIENT, wardId: null }],
    [`Observation?patient=Patient/${PATIENT.toUpperCase()}`, { resourceType: 'Observation', patientId: PATIENT, wardId: null }],
    [`Flag?ward=${PATIENT}`, { resourceType: 'Flag', patientId: null, wardId: PATIENT }],
  ])('takes %s', (criteria, expected) => {
    const result = ok(criteria);
    expect(result.ok && { resourceType: result.value.resourceType, patientId: result.value.patientId, wardId: result.value.wardId }).toEqual(expected);
  });

  it.each([
    ['Observation', 'fhir.subscription-criteria'],
    [`Encounter?patient=${PATIENT}`, 'fhir.subscription-criteria'],
    [`Observation?patient=${PATIENT}&code=59408-5`, 'fhir.subscription-criteria'],
    [`Observation?patient=${PATIENT}&patient=${PATIENT}`, 'fhir.subscription-criteria'],
    ['Observation?patient=not-an-id', 'fhir.subscription-criteria'],
  ])('refuses criteria %s', (criteria, code) => {
    expect(codes(ok(criteria))).toEqual([code]);
  });

  it('refuses channels it cannot honour, each problem named', () => {
    expect(codes(ok(`Flag?ward=${PATIENT}`, { type: 'websocket' }))).toEqual(['fhir.channel-type']);
    expect(codes(ok(`Flag?ward=${PATIENT}`, { endpoint: 'http://epr.example/hook' }))).toEqual(['fhir.channel-endpoint']);
    expect(codes(ok(`Flag?ward=${PATIENT}`, { header: ['X-A: 1\r\nX-B: 2'] }))).toEqual(['fhir.channel-header']);
    expect(codes(ok(`Flag?ward=${PATIENT}`, { payload: 'application/xml' }))).toEqual(['fhir.channel-payload']);
    expect(codes(parseSubscription({ resourceType: 'Subscription', criteria: `Flag?ward=${PATIENT}`, end: '2030-01-01', foo: 1, channel: { type: 'rest-hook', endpoint: 'https://e/h' } }, { allowHttp: false }))).toEqual(['fhir.unknown-element', 'fhir.subscription-end']);
    expect(parseSubscription({ resourceType: 'Subscription', criteria: `Flag?ward=${PATIENT}`, channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/h' } }, { allowHttp: true }).ok).toBe(true);
  });

  it('answers a stored Subscription with header values hidden and the error kept', () => {
    expect(subscriptionToFhir({ id: 's1', criteria: `Flag?ward=${PATIENT}`, endpoint: 'https://e/h', headers: ['Authorization: Bearer x'], payload: null, status: 'error', reason: null, lastError: 'the endpoint answered 503' })).toEqual({
      resourceType: 'Subscription',
      id: 's1',
      status: 'error',
      reason: 'Push Flag to the EPR',
      criteria: `Flag?ward=${PATIENT}`,
      error: 'the endpoint answered 503',
      channel: { type: 'rest-hook', endpoint: 'https://e/h', header: ['Authorization: ***'] },
    });
  });
});
