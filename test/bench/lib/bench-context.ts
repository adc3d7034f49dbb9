import type { RealDatabase } from '@homeward/testing';
import type { BenchOptions } from './bench-options';
import type { RunningHomeward } from './processes';

export interface BenchContext {
  readonly options: BenchOptions;
  readonly log: (message: string) => void;
  /** The PostgreSQL every Homeward of this run uses (a scratch database, migrated). */
  readonly db: RealDatabase;
  /** The one device secret (and its stored hash) every bench device uses. */
  readonly secret: { readonly secret: string; readonly hash: string };
  /** A fresh `homeward start` child process on db; the caller stops it. */
  homeward(options?: { cpuProfileDir?: string; env?: Record<string, string> }): Promise<RunningHomeward>;
}
