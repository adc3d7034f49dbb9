/**
 * A keyset cursor over a search snapshot: the highest reading id that existed when the search
 * began (later readings are not part of it), and the position of the last result shown (its
 * measurement time in microseconds, the column's precision, and its first reading id). Following
 * `next` therefore visits every match once, even when a late reading arrives between pages.
 */
export interface SearchCursor {
  readonly snapshot: string;
  readonly afterMicros: string;
  readonly afterId: string;
}

const FORMAT = /^(\d{1,19})\.(-?\d{1,18})\.(\d{1,19})$/;

export function encodeSearchCursor(cursor: SearchCursor): string {
  return `${cursor.snapshot}.${cursor.afterMicros}.${cursor.afterId}`;
}

export function parseSearchCursor(text: string): SearchCursor | undefined {
  const match = FORMAT.exec(text);
  if (!match) return undefined;
  const [, snapshot, afterMicros, afterId] = match as unknown as [string, string, string, string];
  if (BigInt(snapshot) > 9_223_372_036_854_775_807n || BigInt(afterId) > 9_223_372_036_854_775_807n) return undefined;
  return { snapshot, afterMicros, afterId };
}
