import { hashSecret } from '@homeward/auth';
import { createApiApp, listenApi } from '@homeward/api';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import type { BenchContext } from './lib/bench-context';

export interface FhirTransactionResult {
  readonly entries: number;
  /** Seconds for the transaction Bundle over HTTP: read, checked whole, written in one database transaction. */
  readonly seconds: number;
  readonly readingsStored: number;
  /** The same Bundle again: every entry a duplicate answered 200 with its Location. */
  readonly duplicateSeconds: number;
  /** The same number of new entries as a batch (each entry succeeds or fails on its own; savepoints in one transaction). */
  readonly batchSeconds: number;
  readonly target: string;
  readonly met: boolean;
}

const UCUM = 'http://unitsofmeasure.org';

/**
 * A FHIR transaction of `entries` Observations (pulse, SpO2, BP panels) posted to an api in this
 * process on the run's database, as an EPR back-loading a patient's history would (issue 20:
 * 5,000 took 42 s when each entry was stored on its own), then the same number of new ones as a
 * batch (150 s for 5,000 when each entry had a database transaction of its own).
 */
export async function fhirTransactionBench(context: BenchContext, entries = context.options.quick ? 1_000 : 5_000): Promise<FhirTransactionResult> {
  const storage = context.db.storage;
  const app = await createApiApp({ storage, logLevel: 'error', rulesEngine: { enabled: false } });
  const url = await listenApi(app, '127.0.0.1', 0);
  try {
    const ward = (await storage.registry.createWard(uniqueName('FHIR bench'))).id;
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Bench', familyName: uniqueName('Transaction'), dateOfBirth: '1950-01-01' });
    await storage.registry.admit({ patientId: patient.id, wardId: ward, pathway: 'general' });
    const email = `${uniqueName('bench').replace(' ', '-')}@example.nhs.uk`;
    const user = await storage.registry.createUser({ email, displayName: 'FHIR bench', role: 'nurse', passwordHash: await hashSecret('bench-password') });
    await storage.registry.addWardMember(ward, user.id);
    const signIn = await fetch(`${url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'bench-password' }) });
    const { token } = (await signIn.json()) as { token: string };
    const start = Date.now() - 400 * 86_400_000;
    const observation = (i: number, shift: number) => {
      const at = new Date(start + (i + shift) * 600_000).toISOString();
      const base = { resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${patient.id}` }, effectiveDateTime: at };
      if (i % 3 === 0) return { ...base, code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, valueQuantity: { value: 60 + (i % 40), system: UCUM, code: '/min', unit: '/min' } };
      if (i % 3 === 1) return { ...base, code: { coding: [{ system: 'http://loinc.org', code: '59408-5' }] }, valueQuantity: { value: 90 + (i % 10), system: UCUM, code: '%', unit: '%' } };
      return {
        ...base,
        code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
        component: [
          { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120 + (i % 30), system: UCUM, code: 'mm[Hg]' } },
          { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 70 + (i % 15), system: UCUM, code: 'mm[Hg]' } },
        ],
      };
    };
    const bundle = (type: string, shift: number) =>
      JSON.stringify({ resourceType: 'Bundle', type, entry: Array.from({ length: entries }, (_, i) => ({ resource: observation(i, shift), request: { method: 'POST', url: 'Observation' } })) });
    const send = async (body: string) => {
      const began = Date.now();
      const response = await fetch(`${url}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` }, body });
      const answer = (await response.json()) as { entry?: Array<{ response?: { status?: string } }> };
      if (response.status !== 200) throw new Error(`POST /fhir answered ${response.status}: ${JSON.stringify(answer).slice(0, 500)}`);
      return { seconds: (Date.now() - began) / 1000, statuses: (answer.entry ?? []).map((e) => e.response?.status) };
    };
    const transaction = bundle('transaction', 0);
    context.log(`fhir-transaction: ${entries} Observations, ${Math.round(transaction.length / 1024)} KB`);
    const first = await send(transaction);
    const again = await send(transaction);
    const batch = await send(bundle('batch', entries * 2));
    if (batch.statuses.some((s) => s !== '201 Created')) throw new Error('unexpected batch entry statuses');
    const readingsStored = (await storage.readings.inRange(patient.id, { from: new Date(start - 1), to: new Date(), limit: 100_000 })).length;
    if (first.statuses.some((s) => s !== '201 Created') || again.statuses.some((s) => s !== '200 OK')) throw new Error('unexpected entry statuses');
    return {
      entries,
      seconds: Math.round(first.seconds * 100) / 100,
      readingsStored,
      duplicateSeconds: Math.round(again.seconds * 100) / 100,
      batchSeconds: Math.round(batch.seconds * 100) / 100,
      target: `${entries} Observations in one transaction < 10 s, and as a batch < 10 s`,
      met: first.seconds < 10 && batch.seconds < 10,
    };
  } finally {
    await app.close();
  }
}
