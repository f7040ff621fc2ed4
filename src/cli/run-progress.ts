import cliProgress from 'cli-progress';

/**
 * Progress of a long run (print, packing) on stderr, so stdout keeps only the report: a bar on a
 * terminal, one line per step when the output goes to a log or a pipe.
 */
export function runProgress(verb: string, unit: string) {
  const bar = new cliProgress.SingleBar({ format: `${verb} [{bar}] {value}/{total} ${unit}  {step}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done: number, total: number, step: string): void {
      if (!process.stderr.isTTY) return void process.stderr.write(`${verb} ${done}/${total} ${unit}  ${step}\n`);
      if (!started) bar.start(total, 0, { step });
      started = true;
      bar.update(done, { step });
    },
    stop(): void {
      if (started) bar.stop();
      started = false;
    },
  };
}
