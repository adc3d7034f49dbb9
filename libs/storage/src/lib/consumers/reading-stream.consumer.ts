import type { SqlClient } from '../database';
import { type LaneCursors, type ReadingCursor, type ReadingLane, READING_LANES, type StoredReading } from '../repositories/reading.repository';
import { type LeaseClaim, type Partitioning, partitionCursorName } from '../repositories/rules-partition.repository';
import type { Storage } from '../storage';

/** How often a later lane's page looks for announced first-lane pages at most (yieldToFirstLane). */
const YIELD_EVERY_MS = 20;
/** Later-lane page size while the first lane is busy (ReadingStreamConsumerOptions.whileFirstLaneBusy). */
const BUSY_LATER_PAGE = 50;
/** The first lane counts as busy for this long after it last had a page. */
const FIRST_LANE_BUSY_MS = 2_000;
/** The share of the time later lanes' pages may take while the first lane is busy. */
const LATER_LANE_SHARE = 0.5;
/** The longest a later lane gives way after one page. */
const MAX_GIVE_WAY_MS = 250;

/** One page of committed readings, handed to the consumer's handler. */
export interface ReadingStreamPage {
  readonly lane: ReadingLane;
  /** The partition of the patients it belongs to (undefined without partitioning). */
  readonly partition: number | undefined;
  /** In commit-safe stream order. */
  readonly readings: readonly StoredReading[];
  /**
   * Where each lane's cursor of this partition stood when the page was read: the readings at or
   * before them have been handled. A handler that looks back (a late reading re-opening later
   * moments) re-handles those; the others get their own page, with this one's readings in view.
   */
  readonly handled: LaneCursors;
  /**
   * For a page of a later lane (late readings): call between units of work (patients). When
   * readings were announced since (nudge()), the first lane's waiting pages are handled and
   * committed before it returns, so a fresh reading waits for the next yield, not for this page.
   * This page still stands as read: those pages saw its readings (committed before it was read),
   * and later pages of its lane see theirs as handled. A no-op for a first-lane page.
   */
  readonly yieldToFirstLane: () => Promise<void>;
  /**
   * A later lane's page read while the first lane is busy (live readings flowing): the handler
   * should work in small steps, since a fresh page can only go between them. False for a
   * first-lane page.
   */
  readonly firstLaneBusy: boolean;
}

/** What a handler wants written with the page: runs in the transaction that moves the cursor. */
export interface PageWrites {
  write(tx: SqlClient): Promise<void>;
  /** After the commit (events, metrics). Not called when the page was rolled back or lost. */
  committed?(): void;
}

export type ReadingPageHandler = (page: ReadingStreamPage) => Promise<PageWrites>;

export interface ReadingStreamConsumerOptions {
  /** The cursor family in reading_consumers; a lane other than the first adds `.<lane>` to it. */
  readonly consumer: string;
  /** Readings per page; one page is one transaction (default 500). */
  readonly pageSize?: number;
  /**
   * A later lane's pages while the first lane is idle (default `pageSize`). A backlog's cost is
   * mostly per patient per page (the rules engine reads each patient's window and open alerts,
   * and rewrites their evidence, once a page), so a backlog spread over many patients goes several
   * times faster in large pages. The fresh lane loses nothing by it: a later lane's page yields to
   * it between patients, and is small while it is busy (whileFirstLaneBusy).
   */
  readonly laterLanePageSize?: number;
  /**
   * After a later lane's page that had readings but was not full, its next page waits this long
   * (default 0: none), gathering what arrives meanwhile; after a full page (a backlog) the next
   * follows at once, and after an empty one the next reading is read as it comes. A
   * later lane's readings are late already, and its cost is mostly per patient per page: a stream
   * of late readings from many patients (hubs uploading what they held) read as it trickles in
   * costs a patient's window, open alerts and evidence rewrite for almost every reading. The first
   * lane never waits. DrainResult.laterDueInMs says when a gathering lane is due.
   */
  readonly laterLaneGatherMs?: number;
  /**
   * Where a cursor that does not exist yet starts: `beginning` (default: every reading ever
   * stored, as the rules engine needs) or `end` (only what is committed from then on; history is
   * never read, as for FHIR subscriptions).
   */
  readonly startAt?: 'beginning' | 'end';
  /** Lanes in priority order: a page of the first is always taken before one of the next (default fresh, late). */
  readonly lanes?: readonly ReadingLane[];
  /** Split the patients between workers by partition leases (migration 0007). */
  readonly partitioning?: { readonly partitions: number; readonly leaseMs: number; readonly workerId: string };
  /** Leases renewed, taken or given up (for the log). */
  readonly onLeases?: (claim: LeaseClaim) => void;
  /** A page whose commit found the lease gone, or its cursor moved by another instance: left to that one. */
  readonly onPageLost?: (reason: 'lease-lost' | 'cursor-moved', cursor: string) => void;
  /**
   * While the first lane is busy (it had a page within `forMs`, default 2 s), a later lane's pages
   * hold at most `pageSize` readings (default 50). A page's statements and its commit cannot be
   * interrupted, and a backfill page of 500 keeps the database busy for a few hundred ms on a
   * loaded machine: the live reading that arrives meanwhile waits for that, and every other query
   * (the live stream's) competes with it. Small pages while live readings flow, full pages once
   * they pause: the backfill still goes as fast as it can when nothing is live. Meanwhile a later
   * lane also takes at most `laterLaneShare` of the time (default 0.5): after each of its pages it
   * gives way, watching for announced first-lane pages, for as long again (at most 250 ms).
   */
  readonly whileFirstLaneBusy?: { readonly pageSize?: number; readonly forMs?: number; readonly laterLaneShare?: number };
  /** Milliseconds now (Date.now) and a wait (setTimeout); tests move time by hand. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DrainResult {
  /** Readings handled and committed. */
  readonly consumed: number;
  /** The last look found committed readings held back behind an open transaction: look again soon. */
  readonly heldBack: boolean;
  /** A later lane was left gathering (laterLaneGatherMs): drain again in this many ms. */
  readonly laterDueInMs?: number;
}

/**
 * A consumer of the committed readings stream at least once: reads its cursors (one per lane, per
 * partition), pages each lane of each partition it holds, and commits the handler's writes with
 * the compare-and-set move of the cursor in one transaction (after checking the partition's lease
 * in that same transaction), so a crash replays a page and never skips one. A page of a
 * higher-priority lane is always taken before the next page of a lower one: fresh readings never
 * wait behind a backlog of late ones.
 */
export class ReadingStreamConsumer {
  private owned: readonly number[] = [];
  private leasesRenewedAt = 0;
  private readonly lanes: readonly ReadingLane[];
  private readonly partitioning: Partitioning | undefined;
  /** Lane cursors this process has made sure exist. */
  private readonly seeded = new Set<string>();
  /** Readings were announced since the last look at the first lane from inside a later lane's page. */
  private nudged = false;
  /** When a yield last looked at the first lane (now()). */
  private lookedAt = 0;
  /** When a yield last let the event loop take a turn to read announcements (now()). */
  private ioTurnAt = Number.NEGATIVE_INFINITY;
  /** A later lane's page is handing over to the first lane: no nesting. */
  private yielding = false;
  /** Readings handled by yields during the drain in progress. */
  private consumedInYields = 0;
  /** When the first lane last had a page (now()); -Infinity: never. */
  private firstLaneBusyAt = Number.NEGATIVE_INFINITY;
  /** Later-lane cursors gathering (laterLaneGatherMs): when their last page, not full, was read (now()). */
  private readonly gatheringSince = new Map<string, number>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly storage: Storage,
    private readonly options: ReadingStreamConsumerOptions,
  ) {
    this.lanes = options.lanes ?? READING_LANES;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.partitioning = options.partitioning ? { consumer: options.consumer, partitions: options.partitioning.partitions } : undefined;
  }

  /** The partitions this worker holds (all, as partition 0, without partitioning). */
  get ownedPartitions(): readonly number[] {
    return this.partitioning ? this.owned : [0];
  }

  /** The cursor name of a lane of a partition (the first lane's is the consumer's own name). */
  cursorName(lane: ReadingLane, partition: number | undefined): string {
    const family = lane === this.lanes[0] ? this.options.consumer : `${this.options.consumer}.${lane}`;
    return this.partitioning && partition !== undefined ? partitionCursorName(family, partition, this.partitioning.partitions) : family;
  }

  /** Every lane cursor's name of the partitions this worker holds (all of them without partitioning). */
  cursorNames(): string[] {
    const partitions = this.partitioning ? this.owned : [undefined];
    return partitions.flatMap((partition) => this.lanes.map((lane) => this.cursorName(lane, partition)));
  }

  /** Heartbeat: renew this worker's leases, give up what exceeds its share, take free or expired ones. */
  async renewLeases(): Promise<LeaseClaim | undefined> {
    const lease = this.options.partitioning;
    if (!this.partitioning || !lease) return undefined;
    const claim = await this.storage.partitions.claim(this.partitioning, lease.workerId, lease.leaseMs);
    this.leasesRenewedAt = Date.now();
    this.owned = claim.owned;
    this.options.onLeases?.(claim);
    return claim;
  }

  /** Hands the partitions back (a stopping worker), rather than make the others wait for expiry. */
  async release(): Promise<void> {
    const lease = this.options.partitioning;
    if (!this.partitioning || !lease || this.leasesRenewedAt === 0) return;
    await this.storage.partitions.release(this.partitioning, lease.workerId);
    this.owned = [];
    this.leasesRenewedAt = 0;
  }

  /** Between pages, so a long catch-up never lets the leases lapse. */
  async renewLeasesIfDue(): Promise<void> {
    const lease = this.options.partitioning;
    if (lease && Date.now() - this.leasesRenewedAt >= lease.leaseMs / 3) await this.renewLeases();
  }

  /** New readings were announced: a later lane's page in progress lets the first lane go at its next yield. */
  nudge(): void {
    this.nudged = true;
  }

  /**
   * Handles pages until every lane of every held partition is at its end, or `stopping()` says so
   * after a page (that page is committed; the rest waits for the next drain).
   */
  async drain(handler: ReadingPageHandler, stopping: () => boolean = () => false): Promise<DrainResult> {
    let consumed = 0;
    let heldBack = false;
    this.consumedInYields = 0;
    for (;;) {
      await this.renewLeasesIfDue();
      const partitions = this.partitioning ? this.owned : [undefined];
      let handled = 0;
      let handledLane: ReadingLane | undefined;
      heldBack = false;
      let laterDueInMs: number | undefined;
      const started = this.now();
      // The first lane with a page wins; then start again from the first lane.
      for (const lane of this.lanes) {
        for (const partition of partitions) {
          const gathering = this.gatheringFor(lane, partition);
          if (gathering > 0) {
            laterDueInMs = Math.min(laterDueInMs ?? gathering, gathering);
            continue;
          }
          const step = await this.pageOf(lane, partition, handler);
          heldBack ||= step.heldBack;
          handled = step.consumed;
          if (handled > 0) break;
        }
        if (handled > 0) {
          handledLane = lane;
          break;
        }
      }
      consumed += handled;
      if (handled === 0 || stopping()) return { consumed: consumed + this.consumedInYields, heldBack, ...(laterDueInMs === undefined ? {} : { laterDueInMs }) };
      if (handledLane !== this.lanes[0] && this.firstLaneBusy()) await this.giveWay(this.now() - started, handler, stopping);
    }
  }

  /**
   * After a later lane's page while the first lane is busy: leave the database to live work for
   * a while in proportion to the page's time (its share, whileFirstLaneBusy.laterLaneShare),
   * taking the first lane's announced pages meanwhile. A backfill then slows live readings'
   * ingest and evaluation, and the live stream's queries, far less on a loaded machine.
   */
  private async giveWay(pageMs: number, handler: ReadingPageHandler, stopping: () => boolean): Promise<void> {
    const share = Math.min(1, Math.max(0.05, this.options.whileFirstLaneBusy?.laterLaneShare ?? LATER_LANE_SHARE));
    // Counted in the waits themselves (the fresh pages taken meanwhile are live work, not backlog).
    let left = Math.min(MAX_GIVE_WAY_MS, (pageMs * (1 - share)) / share);
    while (left > 0 && !stopping()) {
      const wait = Math.min(left, YIELD_EVERY_MS);
      await this.sleep(wait);
      left -= wait;
      await this.yieldToFirstLane(handler);
    }
  }

  /** How long a later lane of a partition still gathers before its next page (0: due now, and always for the first lane). */
  private gatheringFor(lane: ReadingLane, partition: number | undefined): number {
    const gather = this.options.laterLaneGatherMs ?? 0;
    if (gather <= 0 || lane === this.lanes[0]) return 0;
    const since = this.gatheringSince.get(this.cursorName(lane, partition));
    return since === undefined ? 0 : Math.max(0, since + gather - this.now());
  }

  private firstLaneBusy(): boolean {
    return this.now() - this.firstLaneBusyAt < (this.options.whileFirstLaneBusy?.forMs ?? FIRST_LANE_BUSY_MS);
  }

  /** One page of a lane of a partition, handled and committed with its cursor; 0 at the lane's end. */
  private async pageOf(lane: ReadingLane, partition: number | undefined, handler: ReadingPageHandler): Promise<DrainResult> {
    const { alerts, readings, db } = this.storage;
    const handledCursors = await this.cursors(partition);
    const cursor = this.cursorName(lane, partition);
    const from = handledCursors[lane];
    const slice = this.partitioning && partition !== undefined ? { index: partition, count: this.partitioning.partitions } : undefined;
    // A later lane's page is small while the first lane is busy (whileFirstLaneBusy), large while it is idle.
    const later = lane !== this.lanes[0];
    const firstLaneBusy = later && this.firstLaneBusy();
    const pageSize = this.options.pageSize ?? 500;
    const size = !later ? pageSize : firstLaneBusy ? Math.min(pageSize, this.options.whileFirstLaneBusy?.pageSize ?? BUSY_LATER_PAGE) : (this.options.laterLanePageSize ?? pageSize);
    const page = await readings.afterCursor(from, size, slice, lane);
    if (lane === this.lanes[0] && page.readings.length > 0) this.firstLaneBusyAt = this.now();
    // Holding the partition's lease first (share-locked to commit) keeps a page from committing
    // after its lease passed to another worker: that worker's page would count it again.
    const lease = this.options.partitioning;
    const stillMine = async (tx: SqlClient) =>
      !this.partitioning || !lease || partition === undefined || this.storage.partitions.holds(this.partitioning, lease.workerId, partition, tx);
    // A later lane's page with readings but not full starts a gathering; a full one (a backlog) or
    // an empty one (nothing arriving, or all of it held back for now) ends it: a late reading after
    // a quiet spell goes at once, and only a stream of them is gathered.
    if (later && page.readings.length > 0 && page.readings.length < size) this.gatheringSince.set(cursor, this.now());
    else this.gatheringSince.delete(cursor);
    if (page.readings.length === 0) {
      // Only other partitions' readings went by: move past them so the next page starts there.
      if (!sameCursor(from, page.cursor)) await db.transaction(async (tx) => (await stillMine(tx)) && alerts.advanceCursor(cursor, from, page.cursor, tx));
      return { consumed: 0, heldBack: page.heldBack };
    }
    const yieldToFirstLane = lane === this.lanes[0] ? async () => undefined : async () => void (await this.yieldToFirstLane(handler));
    const writes = await handler({ lane, partition, readings: page.readings, handled: handledCursors, yieldToFirstLane, firstLaneBusy });
    const outcome = await db.transaction(async (tx): Promise<'committed' | 'lease-lost' | 'cursor-moved'> => {
      if (!(await stillMine(tx))) return 'lease-lost';
      // Then the cursor, so its row is locked for the whole page (compare and set).
      if (!(await alerts.advanceCursor(cursor, from, page.cursor, tx))) return 'cursor-moved';
      await writes.write(tx);
      return 'committed';
    });
    if (outcome !== 'committed') {
      if (outcome === 'lease-lost') this.owned = this.owned.filter((p) => p !== partition);
      this.options.onPageLost?.(outcome, cursor);
      return { consumed: 0, heldBack: false };
    }
    writes.committed?.();
    return { consumed: page.readings.length, heldBack: page.heldBack };
  }

  /**
   * Between units of other work (a later lane's patients, the timer pass's admissions): the first
   * lane's pages of every held partition, to its end, when readings were announced (nudge()) and
   * it has not looked within YIELD_EVERY_MS. Resolves with the readings it handled (0: none).
   */
  async yieldToFirstLane(handler: ReadingPageHandler): Promise<number> {
    const first = this.lanes[0];
    // A steady stream of announcements (late readings announce themselves too) looks at most every
    // YIELD_EVERY_MS; the announcement stays noted for the next yield after that.
    if (this.yielding || first === undefined || this.now() - this.lookedAt < YIELD_EVERY_MS) return 0;
    if (!this.nudged && this.now() - this.ioTurnAt >= YIELD_EVERY_MS) {
      // The announcement arrives as I/O (a LISTEN notification): a late page's patients can run
      // for a second in promise continuations alone, where no socket is ever read, so the yields
      // between them would never see it. Let the event loop take a turn, at most every YIELD_EVERY_MS.
      this.ioTurnAt = this.now();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!this.nudged || this.yielding) return 0;
    this.nudged = false;
    this.yielding = true;
    let total = 0;
    try {
      for (;;) {
        let handled = 0;
        for (const partition of this.partitioning ? this.owned : [undefined]) handled += (await this.pageOf(first, partition, handler)).consumed;
        this.consumedInYields += handled;
        total += handled;
        if (handled === 0) return total;
      }
    } finally {
      this.yielding = false;
      this.lookedAt = this.now();
    }
  }

  /**
   * Makes sure every lane cursor of the partitions held exists, as the first page would (at the
   * stream's end with startAt 'end'), without reading a page: for a consumer that moves its
   * cursors by other means while it has nothing to read them for.
   */
  async ensureCursors(): Promise<void> {
    for (const partition of this.partitioning ? this.owned : [undefined]) await this.seed(partition);
  }

  /** Stores a partition's lane cursors not stored yet (once per process); a later lane starts where the first lane is. */
  private async seed(partition: number | undefined): Promise<void> {
    const first = this.lanes[0] ?? 'fresh';
    for (const lane of this.lanes) {
      const name = this.cursorName(lane, partition);
      if (this.seeded.has(name)) continue;
      // The first lane before the others are seeded from it, so with startAt 'end' they start at the end too.
      if (lane === first && this.options.startAt === 'end') await this.storage.alerts.seedCursorAtEnd(name);
      if (lane !== first) await this.storage.alerts.seedCursor(name, [this.cursorName(first, partition)], `${this.options.consumer}.${lane}`);
      this.seeded.add(name);
    }
  }

  /** Every lane's cursor of a partition; a lane cursor not stored yet starts where the first lane's is. */
  private async cursors(partition: number | undefined): Promise<LaneCursors> {
    const first = this.lanes[0] ?? 'fresh';
    await this.seed(partition);
    const found: Partial<Record<ReadingLane, ReadingCursor>> = {};
    for (const lane of this.lanes) found[lane] = await this.storage.alerts.readCursor(this.cursorName(lane, partition));
    const start = found[first] ?? { txid: '0', id: '0' };
    return { fresh: found.fresh ?? start, late: found.late ?? start };
  }
}

function sameCursor(a: ReadingCursor, b: ReadingCursor): boolean {
  return a.txid === b.txid && a.id === b.id;
}
