import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface CpuProfileSummary {
  readonly file: string;
  readonly samples: number;
  /** Share of busy (non-idle) samples by area: a package, a Homeward library, Node internals, GC. */
  readonly byArea: ReadonlyArray<{ readonly area: string; readonly percent: number }>;
  /** The functions with the most self time, share of busy samples. */
  readonly topFunctions: ReadonlyArray<{ readonly fn: string; readonly where: string; readonly percent: number }>;
}

/** Where a sample's code lives: the package or Homeward project it belongs to. */
function areaOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8/native (program)';
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const project = /\/(libs|apps)\/([^/]+)\//.exec(url);
  if (project) return `@homeward/${project[2]}`;
  if (url.startsWith('node:')) return 'node core';
  return url;
}

/**
 * Reads the newest .cpuprofile in dir (of process `pid` when given) and sums self time by area and by function, over the
 * samples taken between `window.fromMs` and `window.toMs` after the profile started (the
 * measured load, without start-up's module compilation), or over all of them.
 */
export function summariseCpuProfile(dir: string, window?: { fromMs: number; toMs: number }, pid?: number): CpuProfileSummary | null {
  // `homeward start`'s rules workers inherit --cpu-prof and write theirs to the same folder:
  // node names each file CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile.
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && (pid === undefined || new RegExp(`^CPU\\.\\d+\\.\\d+\\.${pid}\\.`).test(f)))
    .map((f) => join(dir, f));
  const newest = files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) return null;
  const profile = JSON.parse(readFileSync(newest, 'utf8')) as { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] };
  // Self time per node, from the samples in the window (hitCount covers the whole run).
  const hitsInWindow = new Map<number, number>();
  if (window && profile.samples && profile.timeDeltas) {
    let atUs = 0;
    profile.samples.forEach((nodeId, i) => {
      atUs += profile.timeDeltas?.[i] ?? 0;
      if (atUs >= window.fromMs * 1000 && atUs <= window.toMs * 1000) hitsInWindow.set(nodeId, (hitsInWindow.get(nodeId) ?? 0) + 1);
    });
  }
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const hits = window ? (hitsInWindow.get(node.id) ?? 0) : (node.hitCount ?? 0);
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    busy += hits;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
    const where = node.callFrame.url ? `${node.callFrame.url.replace(/^.*?\/(node_modules|libs|apps)\//, '$1/')}:${node.callFrame.lineNumber + 1}` : area;
    const key = `${node.callFrame.functionName || '(anonymous)'}\u0000${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  const percent = (hits: number) => Math.round((hits / Math.max(1, busy)) * 1000) / 10;
  return {
    file: newest,
    samples: busy,
    byArea: [...byArea.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([area, hits]) => ({ area, percent: percent(hits) })),
    topFunctions: [...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([key, hits]) => {
        const [fn, where] = key.split('\u0000');
        return { fn: fn ?? '', where: where ?? '', percent: percent(hits) };
      }),
  };
}
