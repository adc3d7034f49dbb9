import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fieldFailure } from '@homeward/domain';
import { isMapped, mappingOf, problemOf, problemOfStatus } from './error-table';

describe('the error table', () => {
  it.each([
    ['auth.signed-out', 401, 'login'],
    ['auth.role', 403, 'forbidden'],
    ['auth.rate-limited', 429, 'throttled'],
    ['auth.busy', 503, 'transient'],
    ['patient.not-found', 404, 'not-found'],
    ['patient.not-on-a-ward', 404, 'not-found'],
    ['device.exists', 409, 'duplicate'],
    ['patient.already-admitted', 409, 'conflict'],
    ['alert.transition-not-allowed', 409, 'conflict'],
    ['range.too-long', 400, 'invalid'],
    ['password.common', 400, 'invalid'],
    ['input.nul-character', 400, 'invalid'],
    ['input.too-large', 413, 'too-costly'],
    ['care-plan.invalid', 422, 'business-rule'],
    ['reading.implausible', 422, 'business-rule'],
    ['fhir.search-invalid', 400, 'invalid'],
    ['fhir.invalid', 422, 'processing'],
    ['fhir.condition-ambiguous', 412, 'multiple-matches'],
    ['fhir.interaction-not-supported', 405, 'not-supported'],
    ['internal', 500, 'exception'],
  ])('%s → %i (%s)', (code, status, issue) => {
    expect(mappingOf(code)).toEqual({ status, issue });
  });

  it('prefers the exact code, then the shared suffix, then the family', () => {
    expect(mappingOf('alert.assignee-not-on-ward').status).toBe(400); // exact, though alert.* is 409
    expect(mappingOf('alert.not-found').status).toBe(404); // *.not-found before alert.*
    expect(mappingOf('alert.resolved').status).toBe(409); // the family
  });

  it('answers a code it does not name as an unprocessable refusal, not a server fault', () => {
    expect(isMapped('something.new')).toBe(false);
    expect(mappingOf('something.new')).toEqual({ status: 422, issue: 'processing' });
  });

  it('builds the problem body: code, message, status, details beside them', () => {
    const problem = problemOf({ code: 'reading.implausible', message: 'readings[0]: 300 is not a heart rate.', details: { rejected: [{ index: 0 }], stored: 1 } });
    expect(problem).toEqual({
      status: 422,
      issue: 'business-rule',
      body: { statusCode: 422, code: 'reading.implausible', message: 'readings[0]: 300 is not a heart rate.', rejected: [{ index: 0 }], stored: 1 },
    });
    // Details cannot overwrite what the table decided.
    expect(problemOf({ code: 'range.empty', message: 'm', details: { statusCode: 200, code: 'x' } }).body).toEqual({ statusCode: 400, code: 'range.empty', message: 'm' });
  });

  it('answers one message per field as a list (fieldFailure), like validation', () => {
    expect(problemOf(fieldFailure('user.ward-required', ['wardIds: nurses and clinicians need at least one ward']).error).body).toEqual({
      statusCode: 400,
      code: 'user.ward-required',
      message: ['wardIds: nurses and clinicians need at least one ward'],
    });
  });

  it('gives framework errors (validation, unknown routes) a code by status and keeps their field messages', () => {
    expect(problemOfStatus(400, { message: ['name must be a string'], error: 'Bad Request', statusCode: 400 }, 'Bad Request').body).toEqual({ statusCode: 400, code: 'input.invalid', message: ['name must be a string'] });
    expect(problemOfStatus(404, { message: 'Cannot GET /api/nothing', error: 'Not Found', statusCode: 404 }, 'Not Found').body).toEqual({ statusCode: 404, code: 'route.not-found', message: 'Cannot GET /api/nothing' });
    expect(problemOfStatus(403, { code: 'auth.role', message: 'Needs admin.' }, 'Forbidden')).toEqual({ status: 403, issue: 'forbidden', body: { statusCode: 403, code: 'auth.role', message: 'Needs admin.' } });
  });

  // Every code the API's own code throws names its row: none falls back by accident.
  it('names every code thrown in apps/api', () => {
    const root = join(__dirname, '..');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    const codes = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(join(root, file), 'utf8').matchAll(/(?:CodedFailure\(\{\s*code: |(?:fieldFailure|fhirFailure)\()'([a-z0-9.-]+)'/g)) codes.add(match[1] as string);
    }
    expect(codes.size).toBeGreaterThan(25);
    expect([...codes].filter((code) => !isMapped(code))).toEqual([]);
  });
});
