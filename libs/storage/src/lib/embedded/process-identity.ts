import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * A process as the kernel knows it: its pid and when it started (clock ticks since boot, field 22
 * of /proc/<pid>/stat). A pid alone is not an identity: after a crash and a reboot or a busy day,
 * the same number can belong to an unrelated program, and killing it would be a disaster. The pair
 * is unique for the life of the machine.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: number;
}

/** The identity of a live process, or undefined when there is none (or it is a zombie, or /proc is absent). */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTicks = Number(fields[19]);
  if (state === 'Z' || state === 'X' || !Number.isFinite(startTicks)) return undefined;
  return { pid, startTicks };
}

/** True only when the same process (pid and start time) is still running. */
export function isSameProcess(recorded: ProcessIdentity): boolean {
  const now = processIdentity(recorded.pid);
  return now !== undefined && now.startTicks === recorded.startTicks;
}

/** The process's command line, NUL-separated arguments, or [] when unreadable. */
export function processArguments(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

let ticksPerSecond: number | undefined;

/** When a process started, in Unix seconds: boot time (btime in /proc/stat) plus its start ticks. */
export function processStartedAtSeconds(identity: ProcessIdentity): number | undefined {
  try {
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(btime)) return undefined;
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return btime + identity.startTicks / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** Whether a signal can reach pid (it exists); says nothing about which program it is. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
