import { parseArgs } from 'node:util';
import { payloadAsText, payloadView } from '@homeward/contracts';
import type { RejectedMessage, RejectedMessageFilter } from '@homeward/storage';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { withStorage } from '../storage-and-topics';

const USAGE = `homeward rejected [--device <device id>] [--code <code or prefix>] [--since <ISO time | 30m | 12h | 7d>] [--limit 50] [--before <id>] [--json]
homeward rejected show <id> [--json]`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The operator's view of refused device input (rejected_messages): newest first, filtered; one
 * record in full with its payload as text when it is printable UTF-8, else as a hex dump.
 * Everything printed from a record is escaped: a refused payload must not drive the terminal.
 */
export const rejectedCommand: Command = {
  summary: 'List refused device messages (homeward rejected --device … --code … --since 1d), or show one: homeward rejected show <id>',
  usage: USAGE,
  async run(context: CliContext): Promise<number> {
    const show = context.args[0] === 'show';
    const rest = show ? context.args.slice(1) : context.args[0] === 'list' ? context.args.slice(1) : context.args;
    let parsed: { values: { device?: string; code?: string; since?: string; limit?: string; before?: string; json?: boolean }; positionals: string[] };
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { device: { type: 'string' }, code: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, before: { type: 'string' }, json: { type: 'boolean' } },
        allowPositionals: show,
        strict: true,
      });
    } catch (error) {
      context.err(`${describeFailure(error)}\nUsage: ${USAGE}`);
      return 2;
    }
    const { values, positionals } = parsed;
    const problems: string[] = [];
    if (show) {
      if (positionals.length !== 1 || !/^\d{1,18}$/.test(positionals[0] ?? '')) problems.push('show needs one record id (a number, as `homeward rejected` lists them)');
    } else {
      if (values.device !== undefined && !UUID.test(values.device)) problems.push('--device must be a device id');
      if (values.code !== undefined && !/^[a-z0-9.-]{1,100}$/.test(values.code)) problems.push('--code must be a reason code such as payload.too-deep, or a prefix such as payload');
      if (values.limit !== undefined && !(/^\d{1,4}$/.test(values.limit) && Number(values.limit) >= 1 && Number(values.limit) <= 1000)) problems.push('--limit must be between 1 and 1000');
      if (values.before !== undefined && !/^\d{1,18}$/.test(values.before)) problems.push('--before must be a record id');
    }
    const since = values.since === undefined ? undefined : parseSince(values.since, new Date());
    if (since === null) problems.push('--since must be an ISO 8601 time or a duration such as 30m, 12h or 7d');
    if (problems.length > 0) {
      context.err(`${problems.join('\n')}\nUsage: ${USAGE}`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    return withStorage(config, context, () => undefined, async (storage) => {
      if (show) {
        const record = await storage.rejected.get(positionals[0] ?? '');
        if (!record) {
          context.err(`No rejected message ${positionals[0] ?? ''}.`);
          return 1;
        }
        context.out(values.json ? JSON.stringify(toJson(record), null, 2) : renderRecord(record));
        return 0;
      }
      const filter: RejectedMessageFilter = {
        ...(values.device ? { deviceId: values.device } : {}),
        ...(values.code ? { code: values.code } : {}),
        ...(since ? { since } : {}),
        ...(values.before ? { before: values.before } : {}),
        limit: values.limit === undefined ? 50 : Number(values.limit),
      };
      const records = await storage.rejected.list(filter);
      if (values.json) {
        context.out(JSON.stringify(records.map((r) => ({ ...toJson(r), payload: undefined, payloadBytes: r.payload.byteLength })), null, 2));
        return 0;
      }
      if (records.length === 0) {
        context.out('No rejected messages match.');
        return 0;
      }
      context.out(renderList(records));
      const last = records[records.length - 1];
      if (last && records.length === filter.limit) context.out(`\nOlder: homeward rejected --before ${last.id}${values.device ? ` --device ${values.device}` : ''}${values.code ? ` --code ${values.code}` : ''}`);
      return 0;
    });
  },
};

/** An ISO 8601 time, or a duration back from now (30m, 12h, 7d); null when neither. */
export function parseSince(text: string, now: Date): Date | null {
  const duration = /^(\d{1,6})([smhd])$/.exec(text);
  if (duration) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(duration[1]) * unit);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const at = new Date(text);
  return Number.isFinite(at.getTime()) ? at : null;
}

/** Control characters (C0, C1, line separators, bidi overrides) shown as \u escapes; newlines and tabs too unless kept. */
export function terminalSafe(text: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the terminal
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\n|\t/g, (c) =>
    keepNewlines && (c === '\n' || c === '\t') ? c : c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** 16 bytes a line: offset, hex, and the ASCII beside it (dots for the rest), like `xxd`. */
export function hexDump(payload: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < payload.byteLength; offset += 16) {
    const row = payload.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

function renderList(records: readonly RejectedMessage[]): string {
  const rows = records.map((r) => [r.id, r.receivedAt.toISOString(), r.deviceId ?? '-', terminalSafe(r.reasonCode), `${r.payload.byteLength} B`, clip(terminalSafe(r.reason), 80)]);
  const head = ['id', 'received', 'device', 'code', 'payload', 'reason'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function renderRecord(r: RejectedMessage): string {
  const text = payloadAsText(r.payload);
  return [
    `id        ${r.id}`,
    `received  ${r.receivedAt.toISOString()}`,
    `source    ${r.source}`,
    `device    ${r.deviceId ?? '-'}`,
    `topic     ${r.topic === null ? '-' : terminalSafe(r.topic)}`,
    `code      ${terminalSafe(r.reasonCode)}`,
    `reason    ${terminalSafe(r.reason)}`,
    `details   ${terminalSafe(JSON.stringify(r.details, null, 2), true).replace(/\n/g, '\n          ')}`,
    `payload   ${r.payload.byteLength} bytes, ${text === undefined ? 'not printable UTF-8: hex' : 'UTF-8 text'}`,
    text === undefined ? hexDump(r.payload) : text,
  ].join('\n');
}

function toJson(r: RejectedMessage): Record<string, unknown> {
  return { ...r, payload: payloadView(r.payload) };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
