import { decodeCharacteristic, parseCharacteristicUuid } from '../src';
import { MALFORMED } from './fixtures/malformed';

describe('malformed frames', () => {
  it('cover every characteristic with a frame layout', () => {
    const uuids = new Set(MALFORMED.map((m) => parseCharacteristicUuid(m.uuid)).map((r) => (r.ok ? r.value : -1)));
    expect(uuids.size).toBe(13);
  });

  it.each(MALFORMED.map((m) => [`${m.uuid} ${m.name}`, m] as const))('%s: refused with code, field and offset', (_title, m) => {
    const result = decodeCharacteristic(m.uuid, Uint8Array.from(m.bytes));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(m.code);
    expect(result.error.details.offset).toBe(m.offset);
    expect(result.error.details.field).toBe(m.field);
    // The message names the field and the offset, so a person can act on it without the details.
    expect(result.error.message).toContain(m.field.split('.').pop());
    if (m.offset !== null) expect(result.error.message).toContain(`offset ${m.offset}`);
  });
});
