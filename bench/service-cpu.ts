import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The services a benchmark talks to, by process name: PostgreSQL's processes and Redis. */
const SERVICE_NAMES = new Set(['postgres', 'redis-server']);

/**
 * CPU time (ms) used so far by each of this machine's PostgreSQL and Redis processes, by process
 * id, from Linux's /proc; null where there is no /proc. A benchmark's own CPU time leaves out the
 * work it hands to those processes, which on a small machine share its cores: on the two-core
 * machine here the email path used about as much CPU in them as a third of its own.
 */
export function serviceCpuSnapshot(): Map<number, number> | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const msPerTick = 1000 / clockTicksPerSecond();
  const snapshot = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended since the directory was read
    }
    // "pid (name) state …": the name may hold spaces, so cut at the last ')'. utime and stime are
    // the 14th and 15th fields, the 12th and 13th after the name.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!SERVICE_NAMES.has(name)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    snapshot.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * msPerTick);
  }
  return snapshot;
}

/**
 * CPU ms the services used between two snapshots. A process that started in between counts
 * whole; one that ended in between (an autovacuum worker, a closed connection's backend) is
 * missed, so this is a floor. Resolution: one clock tick (10 ms) per process.
 */
export function serviceCpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // USER_HZ on every Linux build in common use
    }
  }
  return ticksPerSecond;
}
