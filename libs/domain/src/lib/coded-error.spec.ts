import { CodedFailure, fail, ok, unwrap } from './coded-error';

describe('coded errors', () => {
  it('are plain data', () => {
    expect(fail('x.y', 'Something', { a: 1 })).toEqual({ ok: false, error: { code: 'x.y', message: 'Something', details: { a: 1 } } });
    expect(fail('x.y', 'Something')).toEqual({ ok: false, error: { code: 'x.y', message: 'Something' } });
  });

  it('unwrap returns the value or throws a CodedFailure keeping the coded error', () => {
    expect(unwrap(ok(3))).toBe(3);
    try {
      unwrap(fail('x.y', 'Broken'));
      throw new Error('unreachable');
    } catch (error) {
      expect(error).toBeInstanceOf(CodedFailure);
      expect((error as CodedFailure).error).toEqual({ code: 'x.y', message: 'Broken' });
    }
  });
});
