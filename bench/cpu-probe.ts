/**
 * A fixed piece of CPU work, timed: integer arithmetic in registers, no memory traffic, no
 * allocation, so its time moves only with the machine. On the virtual machine these benchmarks ran
 * on in December 2026 it took 10.1-10.5 ms in matching runs whose fastest pass reached
 * 19,457-20,230 articles/s and 12.5-15.9 ms in runs that reached 10,900-12,908, in consecutive runs
 * of the same code. Printed beside each timed run, it tells a slow run from a slow machine.
 */
export function cpuProbeMs(): number {
  // Compiled before it is timed: a chunk is a call of its own, so V8 optimises it as a hot
  // function (a single long loop waited seconds here for its optimised code to be entered).
  for (let r = 0; r < 50; r++) kept ^= chunk(r, 10_000);
  const started = performance.now();
  for (let r = 0; r < 200; r++) kept ^= chunk(r, 100_000);
  return performance.now() - started;
}

let kept = 0;

function chunk(seed: number, iterations: number): number {
  let x = seed;
  for (let i = 0; i < iterations; i++) x = (x + i * 7) | 0;
  return x;
}

/** Milliseconds of CPU (user and system) in a `process.cpuUsage()` reading or difference. */
export const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;
