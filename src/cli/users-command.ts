import { randomBytes } from 'node:crypto';
import { SYSTEM } from '../audit/audit-log.js';
import { UserInput, createUser, setPassword } from '../auth/users.js';
import { openRuntime } from '../infra/runtime.js';
import { parseInput } from '../validation/parse-input.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

const HELP = `rapport users create --email <e> --name <n> --role <admin|marketing|account_manager> [--time-zone <tz>] [--password-stdin]
rapport users set-password --email <e> [--password-stdin]
Without --password-stdin a random password is generated and printed once.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Only the first line: `echo secret | rapport …` must not make the newline part of the password.
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** `rapport users create|set-password`: web sign-in accounts (passwords hashed with scrypt). */
export async function usersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    'time-zone': { type: 'string' },
    'password-stdin': { type: 'boolean' },
  });
  const sub = positionals[0];
  if (sub !== 'create' && sub !== 'set-password') throw new UsageError(HELP);
  if (!values.email) throw new UsageError(`--email is required\n\n${HELP}`);
  const generated = !values['password-stdin'];
  const password = generated ? randomBytes(12).toString('base64url') : await readStdin();
  const input =
    sub === 'create'
      ? parseInput(UserInput, { email: values.email, name: values.name ?? '', role: values.role ?? '', ...(values['time-zone'] ? { timeZone: values['time-zone'] } : {}) })
      : null;
  const { config, logger } = loadCliConfig();
  const runtime = await openRuntime(config, logger);
  try {
    const user = input ? await createUser(runtime.db.prisma, input, password, SYSTEM) : await setPassword(runtime.db.prisma, values.email, password, SYSTEM);
    console.log(`${sub === 'create' ? 'Created' : 'Updated'} ${user.email} (${user.role}).`);
    if (generated) console.log(`Password (shown once): ${password}`);
    return 0;
  } finally {
    await runtime.close();
  }
}
