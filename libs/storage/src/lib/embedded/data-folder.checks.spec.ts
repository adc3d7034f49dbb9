import { CodedFailure } from '@homeward/domain';
import { dataFolderFailure } from './data-folder.checks';

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

function codeOf(error: Error): string | undefined {
  return error instanceof CodedFailure ? error.error.code : undefined;
}

describe('dataFolderFailure', () => {
  it.each([
    ['ENOSPC from the file system', errno('ENOSPC', 'ENOSPC: no space left on device, write'), 'embedded-postgres.disk-full'],
    [
      "initdb's own words for a full disk",
      new CodedFailure({ code: 'embedded-postgres.initdb-failed', message: 'initdb failed: could not write to file "pg_wal/xlogtemp.1": No space left on device' }),
      'embedded-postgres.disk-full',
    ],
    [
      "PostgreSQL's words for a permission problem",
      new CodedFailure({ code: 'embedded-postgres.start-failed', message: 'Embedded PostgreSQL did not start (exited with code 1). Its last words: FATAL: could not open file "global/pg_control": Permission denied' }),
      'embedded-postgres.data-dir-permission',
    ],
    ['EACCES', errno('EACCES', "EACCES: permission denied, mkdir '/srv/x'"), 'embedded-postgres.data-dir-permission'],
    ['EROFS', errno('EROFS', 'EROFS: read-only file system'), 'embedded-postgres.data-dir-read-only'],
    ['ENOTDIR', errno('ENOTDIR', 'ENOTDIR: not a directory'), 'embedded-postgres.data-dir-not-a-folder'],
    ['a coded failure about something else', new CodedFailure({ code: 'embedded-postgres.busy', message: 'still running' }), 'embedded-postgres.busy'],
  ])('%s', (_what, error, code) => {
    const mapped = dataFolderFailure(error, '/srv/homeward');
    expect(codeOf(mapped)).toBe(code);
    if (code.includes('data-dir') || code.includes('disk-full')) expect(mapped.message).toContain('/srv/homeward');
  });

  it('passes on an error it does not recognise unchanged', () => {
    const error = new Error('something else');
    expect(dataFolderFailure(error, '/srv/homeward')).toBe(error);
  });
});
