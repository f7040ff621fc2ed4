import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/rapport.js', import.meta.url));

/** A real `rapport start` child process, to be killed the hard way in crash tests. */
export interface RapportProcess {
  child: ChildProcess;
  url: string | null;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnRapport(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<RapportProcess> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rapport did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('Rapport is running')) continue;
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve((JSON.parse(line) as { url: string | null }).url);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rapport exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
