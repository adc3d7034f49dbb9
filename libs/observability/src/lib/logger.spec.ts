import { Writable } from 'node:stream';
import { REDACTED, createLogger } from './logger';

function capture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with level, time, message and fields', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', format: 'json', destination }).info({ deviceId: 'd-1', requestId: 'r-1' }, 'device message stored');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', service: 'homeward', deviceId: 'd-1', requestId: 'r-1', msg: 'device message stored' });
    expect(typeof line['time']).toBe('string');
  });

  it('redacts patient identifiers, reading values, payloads and secrets at any of the first levels', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'debug', format: 'json', destination });
    logger.warn(
      {
        deviceId: 'd-2',
        patientId: '5d7c4c0e-3a43-4d4a-9d51-2d4c1f1a7d10',
        nhsNumber: '9434765919',
        patient: { givenName: 'Ada', familyName: 'Lovelace', dateOfBirth: '1948-02-29' },
        outcome: { readings: [{ vital: 'spo2', value: 93.25 }], first: { value: 71.337 } },
        deep: { a: { b: { password: 'hunter2' } } },
      },
      'refused',
    );
    const text = lines.join('');
    for (const secret of ['5d7c4c0e', '9434765919', 'Ada', 'Lovelace', '1948-02-29', '93.25', '71.337', 'hunter2']) expect(text).not.toContain(secret);
    expect(text).toContain('d-2');
    expect(text).toContain(REDACTED);
  });

  it('drops lines below the level, and can write human-friendly lines', () => {
    const json = capture();
    createLogger({ level: 'warn', format: 'json', destination: json.destination }).info('not shown');
    expect(json.lines).toEqual([]);
    const pretty = capture();
    createLogger({ level: 'info', format: 'pretty', destination: pretty.destination }).info({ deviceId: 'd-3' }, 'device connected');
    const text = pretty.lines.join('');
    expect(text).toMatch(/INFO.*device connected/);
    expect(text).toContain('deviceId: "d-3"');
    expect(() => JSON.parse(text)).toThrow();
  });
});
