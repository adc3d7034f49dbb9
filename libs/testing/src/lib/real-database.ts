import { type Storage, openScratchStorage } from '@homeward/storage';

export interface RealDatabase {
  readonly url: string;
  readonly storage: Storage;
  dispose(): Promise<void>;
}

/**
 * A real PostgreSQL for an integration or system test: a scratch database on DATABASE_URL's
 * server when set, else a throw-away embedded server. Code under test is pointed at `url`, and
 * the test reads what was stored through the same storage library.
 */
export function realDatabase(): Promise<RealDatabase> {
  return openScratchStorage();
}
