import {
  type CodedError,
  type Reading,
  type ReadingSource,
  type ReadingStatusFlag,
  buildReading,
  correctDeviceClock,
} from '@homeward/domain';
import type { Repositories, StoredReading } from '@homeward/storage';
import { GroupCommitWriter } from './group-commit.writer';

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
  readonly maxBatchReadings?: number;
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

  constructor(
    private readonly repositories: Repositories,
    private readonly options: IngestPipelineOptions,
  ) {
    this.writer = new GroupCommitWriter(repositories.readings, options.maxBatchReadings, (stored) => {
      void repositories.readings.notifyNewReadings().catch(() => undefined);
      options.onStored?.(stored);
    });
  }

  async submit(submission: Submission): Promise<SubmissionOutcome> {
    const rejected: ItemRejection[] = [...(submission.refused ?? [])];
    const valid: Reading[] = [];
    submission.readings.forEach((item, index) => {
      const clock = correctDeviceClock({
        deviceTime: item.deviceTime,
        receivedAt: submission.receivedAt,
        deviceClockAt: submission.deviceClockAt,
        maxSkewMs: this.options.maxClockSkewMs,
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
      });
      if (built.ok) valid.push(built.value);
      else rejected.push({ index, error: built.error });
    });
    const written = await this.writer.write(valid);
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
