import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Bundle, BundleEntry, Observation, OperationOutcome } from '@medplum/fhirtypes';
import type { Reading } from '@homeward/domain';
import {
  BLOOD_PRESSURE_VITALS,
  type BundleEntryImport,
  type FhirProblem,
  type ImportedObservation,
  type StoredReadingLike,
  bundleToReadings,
  observationToReadings,
  SYSTEM,
  operationOutcome,
  parseObservationSearch,
  parseReadingKey,
  problem,
  readingsToObservations,
  underPath,
} from '@homeward/fhir';
import type { IngestPipeline } from '@homeward/ingest';
import type { SqlClient, Storage, StoredReading } from '@homeward/storage';
import { assertPatientAccess } from '../patients/patient-access';
import { INGEST, STORAGE } from '../tokens';
import { problemOfThrown } from '../http/problem.filter';
import { UnreadableBody, fhirFailure } from './fhir-http';
import { gatewayOf } from './fhir-provenance';
import { FHIR_OPTIONS, type ResolvedFhirOptions } from './fhir.options';
import type { Caller } from './fhir.service';

/** Batch entries written per statement group (one SAVEPOINT each); a failing chunk is retried entry by entry. */
const BATCH_CHUNK = 250;

export interface CreateResult {
  readonly status: 200 | 201;
  readonly body: Observation;
  /** Where the Observation is: the new one, or the one already stored (duplicates and conditional matches too). */
  readonly location: string;
  readonly outcome: OperationOutcome | null;
}

/** One Observation ready to store: its readings built by the ingest pipeline (units, clock, key). */
interface Prepared {
  readonly observation: ImportedObservation;
  readonly readings: readonly Reading[];
}

/**
 * FHIR imports through the ingest pipeline's checks (units, clock, key) and into storage: one
 * Observation, a batch (each entry on its own) or a transaction (all entries in one database
 * transaction, or none). A reading already stored, by its key or as the same measurement under
 * another device (or none), is not stored again; the answer points at the stored one.
 */
@Injectable()
export class FhirImportService {
  private readonly logger = new Logger('FhirImport');

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(INGEST) private readonly ingest: IngestPipeline,
    @Inject(FHIR_OPTIONS) private readonly options: ResolvedFhirOptions,
  ) {}

  /** POST /fhir/Observation, conditional on If-None-Exist when given. */
  async create(caller: Caller, body: { raw: Uint8Array; json: unknown }, ifNoneExist: string | null): Promise<CreateResult> {
    const receivedAt = this.options.clock.now();
    const topic = 'api:POST /fhir/Observation';
    if (body.json instanceof UnreadableBody) return this.refuse(caller, body.raw, topic, body.json.problems, receivedAt, body.json.code);
    const mapped = observationToReadings(body.json, { latestEffective: this.latestEffective(receivedAt) });
    if (!mapped.ok) return this.refuse(caller, body.raw, topic, mapped.problems, receivedAt, mapped.problems.some((p) => p.path === 'Observation.resourceType') ? 'fhir.not-a-resource' : 'fhir.invalid');
    const observation = mapped.value;
    await assertPatientAccess(this.storage, caller.user, observation.patientId);
    const problems = [...(await this.checkDevice(observation)), ...(ifNoneExist === null ? [] : this.checkCondition(ifNoneExist, 'If-None-Exist'))];
    const prepared = this.prepare(observation, receivedAt, problems, 'Observation');
    if (problems.length > 0 || !prepared) return this.refuse(caller, body.raw, topic, problems, receivedAt, 'fhir.invalid');
    const matched = ifNoneExist === null ? null : await this.conditionalMatch(caller, observation.patientId, ifNoneExist);
    const [result] = matched ? [matched] : await this.storage.db.transaction((tx) => this.store(caller, [prepared], tx)).then((r) => this.afterCommit(r));
    if (!result) throw new Error('nothing stored and nothing found');
    caller.trail.aboutPatient(observation.patientId, { stored: result.status === 201 ? prepared.readings.length : 0, duplicates: result.status === 200 ? prepared.readings.length : 0 });
    return result;
  }

  /** POST /fhir: a transaction (atomic) or a batch (entries independent) of Observation creates. */
  async bundle(caller: Caller, body: { raw: Uint8Array; json: unknown }): Promise<Bundle> {
    const receivedAt = this.options.clock.now();
    const topic = 'api:POST /fhir';
    if (body.json instanceof UnreadableBody) return this.refuse(caller, body.raw, topic, body.json.problems, receivedAt, body.json.code);
    const parsed = bundleToReadings(body.json, { latestEffective: this.latestEffective(receivedAt) });
    if (!parsed.ok) return this.refuse(caller, body.raw, topic, parsed.problems, receivedAt, parsed.problems.some((p) => p.path === 'Bundle.resourceType' || p.path === 'Bundle.type') ? 'fhir.not-a-resource' : 'fhir.invalid');
    return parsed.type === 'transaction' ? this.transaction(caller, body.raw, parsed.entries, receivedAt) : this.batch(caller, body.raw, parsed.entries, receivedAt);
  }

  private async transaction(caller: Caller, raw: Uint8Array, entries: readonly BundleEntryImport[], receivedAt: Date): Promise<Bundle> {
    const problems = entries.flatMap((e) => (e.ok ? [] : e.problems));
    const items = entries.flatMap((e) => (e.ok ? [e.item] : []));
    for (const patientId of new Set(items.map((i) => i.observation.patientId))) await assertPatientAccess(this.storage, caller.user, patientId);
    const prepared: Prepared[] = [];
    for (const item of items) {
      const path = `Bundle.entry[${item.index}].resource`;
      const found = underPath(await this.checkDevice(item.observation), path, 'Observation');
      if (item.ifNoneExist !== null) found.push(...this.checkCondition(item.ifNoneExist, `Bundle.entry[${item.index}].request.ifNoneExist`));
      const ready = this.prepare(item.observation, receivedAt, found, path);
      problems.push(...found);
      if (ready) prepared.push(ready);
    }
    if (problems.length > 0) return this.refuse(caller, raw, 'api:POST /fhir', problems, receivedAt, 'fhir.invalid');
    // Conditional entries that match are answered with what exists; the rest are written in one transaction.
    const matches = new Map<number, CreateResult>();
    for (const item of items) {
      const match = item.ifNoneExist === null ? null : await this.conditionalMatch(caller, item.observation.patientId, item.ifNoneExist);
      if (match) matches.set(item.index, match);
    }
    const toStore = items.map((item, i) => ({ item, ready: prepared[i] as Prepared })).filter(({ item }) => !matches.has(item.index));
    const stored = this.afterCommit(await this.storage.db.transaction((tx) => this.store(caller, toStore.map((s) => s.ready), tx)));
    toStore.forEach(({ item }, i) => matches.set(item.index, stored[i] as CreateResult));
    this.auditImport(caller, items.map((item) => ({ patientId: item.observation.patientId, result: matches.get(item.index) })), 'transaction');
    return { resourceType: 'Bundle', type: 'transaction-response', entry: items.map((item) => responseEntry(matches.get(item.index) as CreateResult)) };
  }

  /**
   * A batch: each entry succeeds or fails on its own, and the answer says which. Checked entry by
   * entry (access and devices looked up once per patient and device), then written in one database
   * transaction, in chunks under a SAVEPOINT each: a chunk that fails is rolled back to its
   * savepoint and its entries written one by one under their own, so only the entry that fails
   * fails (answered 500, the rest stored). 5,000 entries are a few statements per chunk instead
   * of a transaction each.
   */
  private async batch(caller: Caller, raw: Uint8Array, entries: readonly BundleEntryImport[], receivedAt: Date): Promise<Bundle> {
    const answers = new Map<number, { patientId: string; result: CreateResult } | { problems: FhirProblem[]; entry: BundleEntry }>();
    const toStore: Array<{ index: number; patientId: string; ready: Prepared }> = [];
    const access = new Map<string, Promise<unknown>>();
    const devices = new Map<string, Promise<FhirProblem[]>>();
    for (const entry of entries) {
      const checked = await this.batchEntry(caller, entry, receivedAt, access, devices).catch((error: unknown) => failedEntry(error, entry.index));
      if ('ready' in checked) toStore.push({ index: entry.index, patientId: checked.patientId, ready: checked.ready });
      else answers.set(entry.index, checked);
    }
    const stored = await this.storage.db.transaction(async (tx) => {
      const written: StoredReading[] = [];
      for (let i = 0; i < toStore.length; i += BATCH_CHUNK) {
        const chunk = toStore.slice(i, i + BATCH_CHUNK);
        const whole = await this.underSavepoint(tx, () => this.store(caller, chunk.map((c) => c.ready), tx));
        if (whole.ok) {
          written.push(...whole.value.stored);
          chunk.forEach((c, j) => answers.set(c.index, { patientId: c.patientId, result: whole.value.results[j] as CreateResult }));
          continue;
        }
        // Something in the chunk failed: find which, entry by entry; the others are stored.
        for (const c of chunk) {
          const one = await this.underSavepoint(tx, () => this.store(caller, [c.ready], tx));
          if (one.ok) {
            written.push(...one.value.stored);
            answers.set(c.index, { patientId: c.patientId, result: one.value.results[0] as CreateResult });
          } else {
            this.logger.error(`batch entry ${c.index} not stored: ${one.error instanceof Error ? (one.error.stack ?? one.error.message) : String(one.error)}`);
            const problems = [problem('internal', 'This entry could not be stored (a fault on our side); nothing of it was written. Send it again.', `Bundle.entry[${c.index}]`, 'exception')];
            answers.set(c.index, { problems, entry: problemEntry(problems, 500) });
          }
        }
      }
      return written;
    });
    this.ingest.committed(stored);
    const refused = entries.flatMap((e) => {
      const answer = answers.get(e.index);
      return answer && 'problems' in answer ? answer.problems : [];
    });
    // The whole batch is kept when any entry was refused, with every refused entry's reasons.
    if (refused.length > 0) await this.record(caller, raw, 'api:POST /fhir (batch)', refused, receivedAt);
    const done = entries.flatMap((e) => {
      const answer = answers.get(e.index);
      return answer && 'result' in answer ? [answer] : [];
    });
    this.auditImport(caller, done, 'batch');
    return {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: entries.map((e) => {
        const answer = answers.get(e.index);
        if (!answer) throw new Error(`batch entry ${e.index} has no answer`);
        return 'problems' in answer ? answer.entry : responseEntry(answer.result);
      }),
    };
  }

  /** One batch entry checked and built, ready to store (or answered already: refused, or a conditional match). */
  private async batchEntry(
    caller: Caller,
    entry: BundleEntryImport,
    receivedAt: Date,
    access: Map<string, Promise<unknown>>,
    devices: Map<string, Promise<FhirProblem[]>>,
  ): Promise<{ patientId: string; ready: Prepared } | { patientId: string; result: CreateResult } | { problems: FhirProblem[]; entry: BundleEntry }> {
    if (!entry.ok) return { problems: entry.problems, entry: problemEntry(entry.problems, 422) };
    const { observation, ifNoneExist } = entry.item;
    const patientId = observation.patientId;
    if (!access.has(patientId)) access.set(patientId, assertPatientAccess(this.storage, caller.user, patientId).then(() => null, (error: unknown) => error));
    const denied = await access.get(patientId);
    if (denied) throw denied;
    const path = `Bundle.entry[${entry.index}].resource`;
    const deviceKey = `${patientId}|${observation.deviceId ?? ''}|${observation.gatewayDeviceId ?? ''}`;
    if (!devices.has(deviceKey)) devices.set(deviceKey, this.checkDevice(observation));
    const problems = underPath(await (devices.get(deviceKey) as Promise<FhirProblem[]>), path, 'Observation');
    if (ifNoneExist !== null) problems.push(...this.checkCondition(ifNoneExist, `Bundle.entry[${entry.index}].request.ifNoneExist`));
    const ready = this.prepare(observation, receivedAt, problems, path);
    if (problems.length > 0 || !ready) return { problems, entry: problemEntry(problems, 422) };
    const match = ifNoneExist === null ? null : await this.conditionalMatch(caller, patientId, ifNoneExist);
    if (match) return { patientId, result: match };
    return { patientId, ready };
  }

  /** Runs work under a SAVEPOINT of tx: released when it succeeds, rolled back to (the transaction goes on) when it fails. */
  private async underSavepoint<T>(tx: SqlClient, work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    await tx.query('SAVEPOINT batch_entries');
    try {
      const value = await work();
      await tx.query('RELEASE SAVEPOINT batch_entries');
      return { ok: true, value };
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT batch_entries');
      return { ok: false, error };
    }
  }

  /** The pipeline's checks and build (units, clock correction, key), without writing; refusals added to problems. */
  private prepare(observation: ImportedObservation, receivedAt: Date, problems: FhirProblem[], path: string): Prepared | null {
    const { valid, rejected } = this.ingest.prepare({
      source: 'fhir',
      patientId: observation.patientId,
      deviceId: observation.deviceId,
      receivedAt,
      deviceClockAt: observation.deviceClockAt(receivedAt),
      gatewayId: observation.gatewayDeviceId,
      readings: observation.readings.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, deviceTime: r.deviceTime, status: r.status })),
    });
    problems.push(...rejected.map((r) => problem(r.error.code, r.error.message, `${path}.value[x]`, 'business-rule')));
    return rejected.length > 0 ? null : { observation, readings: valid };
  }

  /**
   * Writes the readings of several Observations in the caller's transaction: one lookup of what is
   * already stored, one insert of the rest. Answers per Observation, in order.
   */
  private async store(caller: Caller, prepared: readonly Prepared[], tx: SqlClient): Promise<{ results: CreateResult[]; stored: readonly StoredReading[] }> {
    const all = prepared.flatMap((p) => p.readings);
    const before = new StoredIndex(await this.storage.observationSearch.sameReadings(all, tx));
    const fresh = all.filter((r) => !before.find(r));
    const written = await this.ingest.writeWithin(fresh, tx);
    const storedNow = new Map(written.stored.map((s) => [s.idempotencyKey, s]));
    // A key stored by this write belongs to the first Observation that carried it; later copies are duplicates of it.
    const claimed = new Set<string>();
    const answers = prepared.map((item) => {
      const created: StoredReading[] = [];
      const already: StoredReading[] = [];
      for (const reading of item.readings) {
        const mine = claimed.has(reading.idempotencyKey) ? undefined : storedNow.get(reading.idempotencyKey);
        if (mine) {
          claimed.add(reading.idempotencyKey);
          created.push(mine);
        } else {
          const found = before.find(reading) ?? storedNow.get(reading.idempotencyKey);
          if (found) already.push(found);
        }
      }
      return { item, created, already };
    });
    // A reading already stored is answered with the whole Observation it belongs to (a BP panel whole): one query for all.
    const wholes = await this.storage.observationSearch.resultsOf(
      answers.filter((a) => a.created.length === 0).map((a) => a.already[0]?.id ?? '0'),
      BLOOD_PRESSURE_VITALS,
      tx,
    );
    const gateways = new Map<string, (reading: StoredReadingLike) => string | null>();
    const results: CreateResult[] = [];
    for (const { item, created, already } of answers) {
      const patientId = item.observation.patientId;
      if (!gateways.has(patientId)) gateways.set(patientId, gatewayOf(await this.storage.registry.devicesOfPatient(patientId)));
      const isNew = created.length > 0;
      const readings = isNew ? [...created, ...already] : (wholes.get(already[0]?.id ?? '0') ?? []);
      const [observation] = readingsToObservations(readings, { gatewayDeviceFor: gateways.get(patientId) as (reading: StoredReadingLike) => string | null });
      if (!observation?.id) throw new Error('an imported Observation has no stored readings');
      results.push({
        status: isNew ? 201 : 200,
        body: observation,
        location: `${caller.baseUrl}/Observation/${observation.id}`,
        outcome: isNew
          ? null
          : operationOutcome([{ code: 'fhir.duplicate', message: 'Already stored (the same reading: its duplicate-detection identifier, or the same patient, vital, time and value under any device); not stored again.', path: 'Observation', type: 'duplicate', severity: 'information' }]),
      });
    }
    return { results, stored: written.stored };
  }

  private afterCommit(written: { results: CreateResult[]; stored: readonly StoredReading[] }): CreateResult[] {
    this.ingest.committed(written.stored);
    return written.results;
  }

  /**
   * If-None-Exist (R4 §3.1.0.8.1): `identifier=urn:homeward:reading-key|<key>`, or Observation
   * search parameters (patient defaults to the Observation's). One match: 200 with it; several:
   * 412; none: create. Checked up front by checkCondition, so only supported criteria get here.
   */
  private async conditionalMatch(caller: Caller, patientId: string, criteria: string): Promise<CreateResult | null> {
    const params = new URLSearchParams(criteria.replace(/^\?/, ''));
    const keys = params.getAll('identifier').map((v) => v.slice(v.indexOf('|') + 1));
    params.delete('identifier');
    let matched: StoredReading[] | null = null;
    for (const key of keys) {
      // Identifiers are ANDed: every key must belong to the one Observation.
      const [stored] = (await this.storage.observationSearch.sameReadings([{ ...keyedReading(key), patientId, idempotencyKey: key }])).filter((r) => r.idempotencyKey === key);
      if (!stored) return null;
      const result = await this.storage.observationSearch.resultOf(stored.id, BLOOD_PRESSURE_VITALS);
      if (matched && matched[0]?.id !== result[0]?.id) return null;
      matched = result;
    }
    if ([...params.keys()].some((name) => name !== 'patient' && name !== 'subject') || keys.length === 0) {
      if (!params.has('patient') && !params.has('subject')) params.set('patient', patientId);
      const parsed = parseObservationSearch(params, { handling: 'strict', now: this.options.clock.now() });
      if (!parsed.ok) throw fhirFailure('fhir.search-invalid', parsed.problems);
      if (parsed.value.patientId !== patientId || parsed.value.matchesNothing) return null;
      const page = await this.storage.observationSearch.search({ patientId, groupedVitals: BLOOD_PRESSURE_VITALS, tokens: parsed.value.tokens, times: parsed.value.dates, snapshot: null, after: null, offset: 0, limit: 2 });
      if (matched) {
        const ids = new Set(page.readings.map((r) => r.id));
        if (!matched.some((r) => ids.has(r.id))) return null;
      } else {
        if (page.total > 1) throw fhirFailure('fhir.condition-ambiguous', [problem('fhir.condition-ambiguous', `If-None-Exist "${criteria}" matches ${page.total} Observations; make it name one.`, 'If-None-Exist', 'multiple-matches')]);
        matched = page.total === 1 ? page.readings : null;
      }
    }
    if (!matched || matched.length === 0) return null;
    const [observation] = readingsToObservations(matched, { gatewayDeviceFor: gatewayOf(await this.storage.registry.devicesOfPatient(patientId)) });
    if (!observation?.id) return null;
    return {
      status: 200,
      body: observation,
      location: `${caller.baseUrl}/Observation/${observation.id}`,
      outcome: operationOutcome([{ code: 'fhir.condition-matched', message: `If-None-Exist matched Observation/${observation.id}; nothing created.`, path: 'Observation', type: 'duplicate', severity: 'information' }]),
    };
  }

  /** What If-None-Exist may say: our reading-key identifier, or supported Observation search parameters. */
  private checkCondition(criteria: string, path: string): FhirProblem[] {
    const params = new URLSearchParams(criteria.replace(/^\?/, ''));
    const problems: FhirProblem[] = [];
    for (const value of params.getAll('identifier')) {
      if (!value.startsWith(`${SYSTEM.readingKey}|`) || !parseReadingKey(value.slice(value.indexOf('|') + 1))) {
        problems.push(problem('fhir.condition-identifier', 'Only the duplicate-detection identifier is stored: identifier=urn:homeward:reading-key|<value>. (Without If-None-Exist, the same reading is recognised anyway.)', path, 'not-supported'));
      }
    }
    params.delete('identifier');
    const parsed = parseObservationSearch(params, { handling: 'strict', now: this.options.clock.now() });
    if (!parsed.ok) problems.push(...parsed.problems.map((p) => ({ ...p, path: `${path} ${p.path}` })));
    if ([...new URLSearchParams(criteria.replace(/^\?/, '')).keys()].length === 0) problems.push(problem('fhir.condition-empty', 'If-None-Exist is empty; give search parameters.', path, 'required'));
    return problems;
  }

  /**
   * The device must be a registered device of this patient (a reading is filed under its device),
   * and a gatewayDevice extension one of the patient's hubs (it is recorded on the readings as the
   * hub that relayed them).
   */
  private async checkDevice(observation: ImportedObservation): Promise<FhirProblem[]> {
    const problems: FhirProblem[] = [];
    if (observation.deviceId) {
      const device = await this.storage.registry.getDevice(observation.deviceId);
      if (!device || device.patientId !== observation.patientId) {
        problems.push(problem('fhir.device-unknown', `Device/${observation.deviceId} is not a device issued to this patient; register it first, or leave device out.`, 'Observation.device.reference', 'business-rule'));
      }
    }
    if (observation.gatewayDeviceId) {
      const hub = await this.storage.registry.getDevice(observation.gatewayDeviceId);
      if (!observation.deviceId || !hub || hub.patientId !== observation.patientId || hub.type !== 'hub') {
        const why = observation.deviceId ? 'is not a hub issued to this patient' : 'is named, but a reading without a device has no gateway';
        problems.push(problem('fhir.gateway-unknown', `gatewayDevice Device/${observation.gatewayDeviceId} ${why}; leave the extension out.`, 'Observation.extension', 'business-rule'));
      }
    }
    return problems;
  }

  private latestEffective(receivedAt: Date): Date {
    return new Date(receivedAt.getTime() + this.options.maxFutureSkewMs);
  }

  /** Keeps the refused body with the rejected messages, then refuses with `code` (its status is the error table's). */
  private async refuse(caller: Caller, raw: Uint8Array, topic: string, problems: readonly FhirProblem[], receivedAt: Date, code: string): Promise<never> {
    await this.record(caller, raw, topic, problems, receivedAt);
    throw fhirFailure(code, problems);
  }

  private async record(caller: Caller, raw: Uint8Array, topic: string, problems: readonly FhirProblem[], receivedAt: Date): Promise<void> {
    const [first] = problems;
    await this.ingest.recordRejection({
      source: 'fhir',
      deviceId: null,
      topic,
      payload: raw,
      receivedAt,
      error: {
        code: problems.length === 1 && first ? first.code : 'fhir.invalid',
        message: problems.map((p) => `${p.path}: ${p.message}`).join(' '),
        details: { issues: problems.map((p) => ({ code: p.code, path: p.path, message: p.message })), by: caller.user.id },
      },
    });
  }

  /** The transaction's audit record, one per patient with that patient's counts (written by the AuditInterceptor). */
  private auditImport(caller: Caller, done: ReadonlyArray<{ patientId: string; result: CreateResult | undefined }>, type: 'transaction' | 'batch'): void {
    const perPatient = new Map<string, { stored: number; duplicates: number }>();
    for (const { patientId, result } of done) {
      const counts = perPatient.get(patientId) ?? { stored: 0, duplicates: 0 };
      perPatient.set(patientId, result?.status === 201 ? { ...counts, stored: counts.stored + 1 } : { ...counts, duplicates: counts.duplicates + 1 });
    }
    for (const [patientId, counts] of perPatient) caller.trail.aboutPatient(patientId, { ...counts, type });
  }

}

/** Stored readings found again by key, or as the same measurement (patient, vital, time, value). */
class StoredIndex {
  private readonly byKey = new Map<string, StoredReading>();
  private readonly byMeasurement = new Map<string, StoredReading>();

  constructor(readings: readonly StoredReading[]) {
    for (const reading of readings) {
      this.byKey.set(reading.idempotencyKey, reading);
      this.byMeasurement.set(measurement(reading), reading);
    }
  }

  find(reading: Reading): StoredReading | undefined {
    return this.byKey.get(reading.idempotencyKey) ?? this.byMeasurement.get(measurement(reading));
  }
}

function measurement(reading: Pick<Reading, 'patientId' | 'vital' | 'measuredAt' | 'value'>): string {
  return `${reading.patientId}|${reading.vital}|${reading.measuredAt.getTime()}|${reading.value}`;
}

/** A reading key's vital, time and value (parseReadingKey), enough to look its reading up. */
function keyedReading(key: string): { vital: Reading['vital']; measuredAt: Date; value: number } {
  const parsed = parseReadingKey(key);
  return parsed ? { vital: parsed.vital, measuredAt: parsed.time, value: parsed.value } : { vital: 'heart_rate', measuredAt: new Date(0), value: Number.NaN };
}

function responseEntry(result: CreateResult): BundleEntry {
  return {
    // A fullUrl must be unique in a Bundle (bdl-7): the new resource has it; a duplicate points at it by location.
    ...(result.status === 201 ? { fullUrl: result.location } : {}),
    resource: result.body,
    response: { status: result.status === 201 ? '201 Created' : '200 OK', location: result.location, ...(result.outcome ? { outcome: result.outcome } : {}) },
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Entity', 500: 'Internal Server Error' };

function problemEntry(problems: readonly FhirProblem[], status: number): BundleEntry {
  return { response: { status: `${status} ${STATUS_TEXT[status] ?? 'Unprocessable Entity'}`, outcome: operationOutcome(problems) } };
}

/** An entry refused by access rules (another ward's patient): its own answer, the batch goes on. */
function failedEntry(error: unknown, index: number): { problems: FhirProblem[]; entry: BundleEntry } {
  const answer = problemOfThrown(error);
  if (!answer || answer.status >= 500) throw error;
  const message = Array.isArray(answer.body.message) ? answer.body.message.join(' ') : String(answer.body.message);
  const problems = [problem(answer.body.code, message, `Bundle.entry[${index}]`, answer.issue)];
  return { problems, entry: problemEntry(problems, answer.status) };
}
