import { type Storage, openScratchStorage } from '../src';
import { readingIdsOf } from '../src/lib/repositories/alert.repository';

// An alert's evidence (alerts.reading_ids, bigint[]) is read as the array's text and split by
// readingIdsOf: it must give what pg's own array parser gives, for every shape the server writes.
describe('readingIdsOf', () => {
  it.each([
    ['{}', []],
    ['{7}', ['7']],
    ['{7,12,9223372036854775807}', ['7', '12', '9223372036854775807']],
    ['[0:1]={7,12}', ['7', '12']],
  ])('%s', (text, ids) => {
    expect(readingIdsOf(text)).toEqual(ids);
  });

  describe('against a real server', () => {
    let storage: Storage;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ storage, dispose } = await openScratchStorage());
    }, 120_000);
    afterAll(() => dispose?.());

    it("splits every array the server writes as pg's array parser reads it", async () => {
      const { rows } = await storage.db.query<{ text: string; parsed: string[] }>(
        `SELECT x::text AS text, x::text[] AS parsed FROM (
           SELECT '{}'::bigint[] AS x
           UNION ALL SELECT ARRAY[1]::bigint[]
           UNION ALL SELECT ARRAY(SELECT g FROM generate_series(1, 250) AS g)::bigint[]
           UNION ALL SELECT ARRAY[9223372036854775807, 1, 0]::bigint[]
           UNION ALL SELECT '[0:2]={5,6,7}'::bigint[]
           UNION ALL SELECT ARRAY(SELECT (random() * 1e15)::bigint FROM generate_series(1, 200))::bigint[]
         ) AS v`,
      );
      expect(rows).toHaveLength(6);
      for (const row of rows) expect(readingIdsOf(row.text)).toEqual(row.parsed);
    });
  });
});
