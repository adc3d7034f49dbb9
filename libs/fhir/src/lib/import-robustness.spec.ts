import fc from 'fast-check';
import { everyVital } from '../../test/sample-readings';
import { observationToReadings } from './observation.import';
import { readingsToObservations } from './observation.mapper';
import { transactionToReadings } from './transaction.import';

// Bad input gets a coded answer, never a crash: any JSON at all, and exported Observations with
// any of their fields replaced by any JSON value.
describe('FHIR import never throws', () => {
  const exported = readingsToObservations(everyVital()) as unknown as Array<Record<string, unknown>>;
  const fields = [...new Set(exported.flatMap((o) => Object.keys(o)))];

  it('answers any JSON value with readings or problems that name a path', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = observationToReadings(value);
        if (!result.ok) expect(result.problems.every((p) => p.path.startsWith('Observation'))).toBe(true);
        const bundle = transactionToReadings(value);
        if (!bundle.ok) expect(bundle.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('answers exported Observations with fields replaced by anything', () => {
    fc.assert(
      fc.property(fc.constantFrom(...exported), fc.dictionary(fc.constantFrom(...fields, 'interpretation', 'meta', 'component'), fc.jsonValue()), (observation, replaced) => {
        const result = observationToReadings({ ...observation, ...replaced });
        if (result.ok) expect(result.value.readings.length).toBeGreaterThan(0);
        else expect(result.problems.length).toBeGreaterThan(0);
        const bundle = transactionToReadings({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Observation' }, resource: { ...observation, ...replaced } }, replaced] });
        expect(bundle.ok).toBe(false); // the second entry is never a valid create
      }),
      { numRuns: 500 },
    );
  });
});
