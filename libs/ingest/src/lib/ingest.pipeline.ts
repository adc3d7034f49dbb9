import {
  type CodedError,
  type Reading,
  type ReadingSource,
  type ReadingStatusFlag,
  buildReading,
  correctDeviceClock,
  derivedVitalProblem,
} from '@homeward/domain';
import type { InsertReadingsResult, Repositories, SqlClient, StoredReading } from '@homeward/storage';
import { CoalescedWake } from './coalesced-wake';
import { GroupCommitWriter, refusedByDatabase } from './group-commit.writer';

/** One reading as a source hands it in: any accepted unit, the device's own time stamp. */
export interface IncomingReading {
  readonly vital: string;
  readonly value: number;
  readonly unit: string;
  readonly deviceTime: Date | null;
  readonly status?: readonly ReadingStatusFlag[];
}

export interface Submission {
  readonly source: ReadingSource;
  readonly patientId: string;
  /** Null for a reading typed in by hand. */
  readonly deviceId: string | null;
  readonly receivedAt: Date;
  /** The device clock at send time (coincident timestamp), when the sender gave it. */
  readonly deviceClockAt: Date | null;
  /**
   * A redelivery (the MQTT DUP flag): deviceClockAt was stamped for an earlier attempt, so the
   * time since then is delay, never clock error (see correctDeviceClock).
   */
  readonly redelivered?: boolean;
  /**
   * The sender's identity for the message (the payload's messageId; a hub's queue entry id),
   * stable across redeliveries: with each reading's index it keys readings that have no device
   * time, so a redelivered one is stored once. Null or absent: such readings are keyed on their
   * receipt time, as before, and a redelivery stores them again.
   */
  readonly messageId?: string | null;
  /**
   * The Personal Health Gateway that relayed the message (a home hub publishing for one of its
   * patient's devices), as the transport authenticated it; recorded on every reading. Null or
   * absent when the device sent it itself or the relay is not known.
   */
  readonly gatewayId?: string | null;
  readonly readings: readonly IncomingReading[];
  /** Items the source already refused (a malformed GATT frame), reported and kept with the rest. */
  readonly refused?: ReadonlyArray<ItemRejection>;
  /** The message as received, kept in rejected_messages if anything in it is refused. */
  readonly raw?: { readonly payload: Uint8Array; readonly topic?: string | null };
}

export interface ItemRejection {
  readonly index: number | null;
  readonly error: CodedError;
}

export interface SubmissionOutcome {
  readonly stored: readonly StoredReading[];
  readonly duplicates: readonly Reading[];
  readonly rejected: readonly ItemRejection[];
}

export interface IngestPipelineOptions {
  /** A device clock off by more than this is flagged clock-skewed. */
  readonly maxClockSkewMs: number;
  /**
   * How far behind an MQTT sender's sentAt may be and still be taken as delivery delay rather
   * than a slow clock (reconnections, broker queues). Default: maxClockSkewMs, so a delay never
   * flags a good clock skewed. Other sources read the device clock with no network in between.
   */
  readonly maxTransitMs?: number;
  /** The largest clock correction applied; beyond it the device time is kept, flagged (default ~1 year). */
  readonly maxClockCorrectionMs?: number;
  readonly maxBatchReadings?: number;
  /** Group-commit batches written at once (default 2; see GroupCommitWriter). */
  readonly maxConcurrentBatches?: number;
  /**
   * The rules engine is woken (NOTIFY homeward_readings) at most once per this interval, the
   * first commit after a quiet spell at once (default 20 ms; 0: in every write's own statement).
   */
  readonly wakeIntervalMs?: number;
  /** A wake-up that could not be sent (the consumers still poll). */
  readonly onWakeError?: (error: unknown) => void;
  readonly onStored?: (stored: readonly StoredReading[]) => void;
}

/**
 * validate → normalise units and codes → correct the device clock → idempotency key →
 * group-committed durable write. `submit` resolves only after the readings are committed, so a
 * source acknowledges (PUBACK, HTTP 201) only then. Whatever is refused is kept, byte for byte,
 * in rejected_messages with its reasons, and reported back to the caller.
 */
export class IngestPipeline {
  private readonly writer: GroupCommitWriter;
  private readonly afterCommit: (stored: readonly StoredReading[]) => void;

  constructor(
    private readonly repositories: Repositories,
    private readonly options: IngestPipelineOptions,
  ) {
    const wakeIntervalMs = options.wakeIntervalMs ?? 20;
    // Without a wake of its own, insertBatch notifies the rules engine in each statement, at commit.
    const wake = wakeIntervalMs > 0 ? new CoalescedWake(() => repositories.readings.notifyNewReadings(), wakeIntervalMs, options.onWakeError) : undefined;
    this.afterCommit = (stored) => options.onStored?.(stored);
    this.writer = new GroupCommitWriter(repositories.readings, {
      ...(options.maxBatchReadings === undefined ? {} : { maxBatchReadings: options.maxBatchReadings }),
      ...(options.maxConcurrentBatches === undefined ? {} : { maxConcurrentBatches: options.maxConcurrentBatches }),
      afterCommit: this.afterCommit,
      ...(wake ? { wakeConsumers: () => wake.poke() } : {}),
    });
  }

  async submit(submission: Submission): Promise<SubmissionOutcome> {
    const { valid, rejected, validIndex } = this.prepareIndexed(submission);
    const written = await this.writeOrRefuse(valid, validIndex, rejected);
    if (isNonEmpty(rejected) && submission.raw) {
      await this.recordRejection({
        source: submission.source,
        deviceId: submission.deviceId,
        topic: submission.raw.topic ?? null,
        payload: submission.raw.payload,
        error: summarise(rejected, submission.readings.length + (submission.refused?.length ?? 0)),
        receivedAt: submission.receivedAt,
      });
    }
    return { stored: written.stored, duplicates: written.duplicates, rejected };
  }

  /**
   * Every step but the write: the readings `submit` would store and the items it would refuse.
   * For a caller that must write several submissions atomically (a FHIR transaction): it writes
   * them with writeWithin in its own database transaction, then calls committed.
   */
  prepare(submission: Submission): { valid: Reading[]; rejected: ItemRejection[] } {
    const { valid, rejected } = this.prepareIndexed(submission);
    return { valid, rejected };
  }

  /**
   * The write, where the database refusing the readings' content (SQLSTATE class 22 or 23: they
   * would fail again however often they were sent) refuses those readings like any invalid item,
   * instead of failing the message as if the store were down, which would have the device send it
   * again for ever. With several readings each is tried on its own, so only the refused ones are.
   * Anything else (the store unreachable) still rejects: nothing is acknowledged, the sender retries.
   */
  private async writeOrRefuse(valid: readonly Reading[], validIndex: readonly number[], rejected: ItemRejection[]): Promise<InsertReadingsResult> {
    try {
      return await this.writer.write(valid);
    } catch (error) {
      if (!refusedByDatabase(error)) throw error;
      if (valid.length === 1) {
        rejected.push({ index: validIndex[0] ?? null, error: databaseRefusal(error) });
        return { stored: [], duplicates: [] };
      }
      const stored: StoredReading[] = [];
      const duplicates: Reading[] = [];
      for (const [i, reading] of valid.entries()) {
        const one = await this.writeOrRefuse([reading], validIndex.slice(i, i + 1), rejected);
        stored.push(...one.stored);
        duplicates.push(...one.duplicates);
      }
      return { stored, duplicates };
    }
  }

  private prepareIndexed(submission: Submission): { valid: Reading[]; rejected: ItemRejection[]; validIndex: number[] } {
    const rejected: ItemRejection[] = [...(submission.refused ?? [])];
    const valid: Reading[] = [];
    const validIndex: number[] = [];
    submission.readings.forEach((item, index) => {
      // Here, not in each source: every entry (MQTT, BLE, manual, FHIR) passes this one place.
      const derived = derivedVitalProblem(item.vital);
      if (derived) {
        rejected.push({ index, error: derived });
        return;
      }
      const clock = correctDeviceClock({
        deviceTime: item.deviceTime,
        receivedAt: submission.receivedAt,
        deviceClockAt: submission.deviceClockAt,
        delayed: submission.redelivered === true,
        maxSkewMs: this.options.maxClockSkewMs,
        ...(submission.source === 'mqtt' ? { maxTransitMs: this.options.maxTransitMs ?? this.options.maxClockSkewMs } : {}),
        ...(this.options.maxClockCorrectionMs === undefined ? {} : { maxCorrectionMs: this.options.maxClockCorrectionMs }),
      });
      const built = buildReading({
        patientId: submission.patientId,
        deviceId: submission.deviceId,
        vital: item.vital,
        value: item.value,
        unit: item.unit,
        measuredAt: clock.measuredAt,
        deviceTime: item.deviceTime,
        receivedAt: submission.receivedAt,
        source: submission.source,
        status: [...(item.status ?? []), ...clock.flags],
        message: submission.messageId ? { messageId: submission.messageId, index } : null,
        gatewayId: submission.gatewayId ?? null,
      });
      if (built.ok) {
        valid.push(built.value);
        validIndex.push(index);
      } else rejected.push({ index, error: built.error });
    });
    return { valid, rejected, validIndex };
  }

  /** Writes prepared readings in the caller's transaction (idempotent, as submit). Call committed after the commit. */
  writeWithin(readings: readonly Reading[], client: SqlClient): Promise<InsertReadingsResult> {
    return this.repositories.readings.insertBatch(readings, client);
  }

  /** After the caller's transaction committed: wakes the rules engine and counts, as submit does. */
  committed(stored: readonly StoredReading[]): void {
    if (stored.length > 0) this.afterCommit(stored);
  }

  /** Keeps a whole message that could not be read at all (bad JSON, unknown device, too large). */
  recordRejection(input: {
    source: ReadingSource;
    deviceId: string | null;
    topic: string | null;
    payload: Uint8Array;
    error: CodedError;
    receivedAt?: Date;
  }): Promise<unknown> {
    return this.repositories.rejected.record(input);
  }

  get backlog(): number {
    return this.writer.backlog;
  }
}

/** A reading the database itself refused, in words the sender can act on (kept with the message). */
function databaseRefusal(error: unknown): CodedError {
  const { code, message } = error as { code?: string; message?: string };
  return {
    code: 'reading.refused-by-database',
    message: `The database refused this reading (${message ?? 'no reason given'}; SQLSTATE ${code ?? '?'}): sending it again will not help.`,
    details: { sqlstate: code ?? null },
  };
}

function summarise(rejected: readonly [ItemRejection, ...ItemRejection[]], total: number): CodedError {
  const first = rejected[0].error;
  if (rejected.length === 1 && total <= 1) return first;
  return {
    code: rejected.every((r) => r.error.code === first.code) ? first.code : 'payload.items-rejected',
    message: `${rejected.length} of ${total} item(s) refused: ${rejected.map((r) => `${r.index === null ? '' : `#${r.index} `}${r.error.message}`).join('; ')}`,
    details: { items: rejected.map((r) => ({ index: r.index, ...r.error })) },
  };
}

function isNonEmpty<T>(items: readonly T[]): items is readonly [T, ...T[]] {
  return items.length > 0;
}
