import { SseParser, reconnectDelayMs } from './sse';

describe('reading the live stream', () => {
  it('parses events split anywhere across chunks, skipping keep-alive comments', () => {
    const parser = new SseParser();
    const stream = ': keep-alive\n\nevent: ready\ndata: {"wardIds":["w1"]}\n\nid: 7\nevent: alert\ndata: {"alert":\ndata: {"id":"a1"}}\n\n';
    const events = [];
    for (let i = 0; i < stream.length; i += 5) events.push(...parser.push(stream.slice(i, i + 5)));
    expect(events).toEqual([
      { event: 'ready', data: '{"wardIds":["w1"]}' },
      { event: 'alert', data: '{"alert":\n{"id":"a1"}}', id: '7' },
    ]);
  });

  it('accepts CRLF and CR line ends, even with \\r\\n split between chunks', () => {
    const parser = new SseParser();
    expect([...parser.push('event: ping\r'), ...parser.push('\ndata: {}\r\n\r\n')]).toEqual([{ event: 'ping', data: '{}' }]);
    // A chunk ending in \r may be half of \r\n: the event completes when the next chunk shows it was not.
    expect(parser.push('data: x\r\r')).toEqual([]);
    expect(parser.push('data: y')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('backs off exponentially with jitter, capped at 30 s', () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => reconnectDelayMs(a, middle))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(reconnectDelayMs(0, () => 0)).toBe(750);
    expect(reconnectDelayMs(0, () => 1)).toBe(1250);
  });
});
