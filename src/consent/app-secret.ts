import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that signs links Rapport puts in emails (unsubscribe today). In production it must come
 * from RAPPORT_SECRET (config refuses to start without it). On a laptop or in tests it is generated
 * once and kept in `DATA_DIR/secret` (mode 0600), because a secret that changed at every restart
 * would silently break every unsubscribe link already sitting in someone's inbox — and a recipient
 * who clicks "unsubscribe" and gets an error is a recipient who reports spam.
 */
export async function resolveAppSecret(config: { secret: string | undefined; dataDir: string }): Promise<string> {
  if (config.secret) return config.secret;
  const file = path.resolve(config.dataDir, 'secret');
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const generated = randomBytes(48).toString('base64url');
  try {
    // `wx`: two processes starting together must agree on one secret; the loser reads the winner's.
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(`${generated}\n`);
    await handle.close();
    return generated;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`Cannot create ${file} for the signing secret`, { cause: err });
    const winner = await readSecret(file);
    if (!winner) throw new Error(`${file} exists but is empty; delete it or set RAPPORT_SECRET`);
    return winner;
  }
}

async function readSecret(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text.length >= 32 ? text : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Cannot read the signing secret from ${file}`, { cause: err });
  }
}
