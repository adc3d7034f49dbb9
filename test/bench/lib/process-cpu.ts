import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Process groups to account CPU to: the given pids plus every process whose command matches. */
export interface CpuGroups {
  readonly [group: string]: { readonly pids?: readonly (number | undefined)[]; readonly command?: RegExp };
}

function snapshot(groups: CpuGroups): Map<string, Map<number, number>> {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const result = new Map<string, Map<number, number>>();
  for (const [group, spec] of Object.entries(groups)) {
    const pids = new Set<number>(spec.pids?.filter((p): p is number => p !== undefined) ?? []);
    if (spec.command) for (const pid of all) if (spec.command.test(commandOf(pid))) pids.add(pid);
    result.set(group, new Map([...pids].map((pid) => [pid, cpuTicks(pid)])));
  }
  return result;
}

/**
 * CPU used by each group between start() and stop(), as a share of one core (100 % = one core
 * busy; this machine has os.cpus().length of them). Processes that start in between count from 0.
 */
export function cpuMeter(groups: CpuGroups): { stop(): Record<string, number> } {
  const before = snapshot(groups);
  const startedAt = performance.now();
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      const after = snapshot(groups);
      const shares: Record<string, number> = {};
      for (const [group, pids] of after) {
        let ticks = 0;
        for (const [pid, now] of pids) ticks += now - (before.get(group)?.get(pid) ?? 0);
        shares[group] = Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10;
      }
      return shares;
    },
  };
}
