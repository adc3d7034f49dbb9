import { isISO8601 } from 'class-validator';
import { parseJsonPayload } from '@homeward/contracts';
import { plainlyValidReadingsPayload } from '../../apps/gateway/src/mqtt/readings-payload.fast-path';
const payload = Buffer.from(JSON.stringify({ messageId: 'c12-3456', readings: [{ vital: 'heart_rate', value: 72, unit: '/min', deviceTime: new Date(Date.now() - 400 * 86400000).toISOString() }] }));
const time = (label: string, n: number, f: () => unknown) => { for (let i = 0; i < 20000; i++) f(); const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); console.log(label, (Number(process.hrtime.bigint() - t0) / n).toFixed(0), 'ns'); };
for (let r = 0; r < 2; r++) {
time('parseJsonPayload', 200000, () => parseJsonPayload(payload, { maxBytes: 256 * 1024, maxDepth: 32 }));
const v = (parseJsonPayload(payload) as any).value;
time('JSON.parse(toString)', 200000, () => JSON.parse(payload.toString('utf8')));
time('TextDecoder new', 200000, () => new TextDecoder('utf-8', { fatal: true }).decode(payload));
const td = new TextDecoder('utf-8', { fatal: true });
time('TextDecoder shared', 200000, () => td.decode(payload));
time('fast path', 200000, () => plainlyValidReadingsPayload(v));
time('isISO8601', 200000, () => isISO8601('2025-10-29T12:00:00.500Z', { strict: true }));
time('new Date', 200000, () => new Date('2025-10-29T12:00:00.500Z'));
}
