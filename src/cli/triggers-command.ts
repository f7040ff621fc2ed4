import { readFile } from 'node:fs/promises';
import { SYSTEM } from '../audit/audit-log.js';
import { openRuntime } from '../infra/runtime.js';
import { previewTrigger } from '../triggers/preview-trigger.js';
import { setTriggerEnabled } from '../triggers/set-trigger-enabled.js';
import { saveTrigger } from '../triggers/trigger-store.js';
import { UsageError, loadCliConfig, parseOptions } from './main.js';

const TRIGGERS_USAGE = `rapport triggers list
rapport triggers save <key> --file <definition.json>     create, or add a version when it changed
rapport triggers enable <key> | disable <key>
rapport triggers preview <key> [--days 30] [--file <definition.json>]
                                                         dry run: who would get a note, and why not`;

/** `rapport triggers …`: manage triggers from the command line (same validation as the API). */
export async function triggersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { file: { type: 'string' }, days: { type: 'string' } });
  const [action, key] = positionals;
  if (!action || !['list', 'save', 'enable', 'disable', 'preview'].includes(action)) throw new UsageError(TRIGGERS_USAGE);
  if (action !== 'list' && !key) throw new UsageError(`expected a trigger key\n${TRIGGERS_USAGE}`);
  if (action === 'save' && !values.file) throw new UsageError(`--file <definition.json> is required\n${TRIGGERS_USAGE}`);
  const days = values.days === undefined ? 30 : Number(values.days);
  if (!Number.isInteger(days) || days < 0 || days > 365) throw new UsageError('--days: expected a whole number from 0 to 365');
  const definition = values.file ? await readDefinition(values.file) : undefined;

  const { config, logger } = loadCliConfig();
  const rt = await openRuntime(config, logger);
  try {
    const prisma = rt.db.prisma;
    if (action === 'list') {
      for (const t of await prisma.trigger.findMany({ orderBy: { key: 'asc' } })) {
        console.log(`${t.key.padEnd(32)} v${t.currentVersion}  ${t.enabled ? 'enabled ' : 'disabled'}  ${t.name}`);
      }
      return 0;
    }
    if (action === 'save') {
      const { trigger, changed } = await saveTrigger(prisma, { key: key!, definition, actor: SYSTEM });
      console.log(changed ? `Saved ${trigger.key} as version ${trigger.version}.` : `${trigger.key} is unchanged (version ${trigger.version}).`);
      return 0;
    }
    const trigger = await prisma.trigger.findUnique({ where: { key: key! }, include: { versions: true } });
    if (!trigger && !(action === 'preview' && definition)) throw new UsageError(`no trigger with key "${key}"`);
    if (action === 'enable' || action === 'disable') {
      await setTriggerEnabled(prisma, { id: trigger!.id, enabled: action === 'enable', actor: SYSTEM });
      console.log(`${key} ${action}d.`);
      return 0;
    }
    const current = definition ?? trigger!.versions.find((v) => v.version === trigger!.currentVersion)?.definition;
    const preview = await previewTrigger(prisma, { definition: current, ...(trigger ? { triggerId: trigger.id } : {}), days, frequencyCapDays: config.frequencyCapDays });
    console.log(`Over the last ${days} days and now: ${preview.matched} firings, ${preview.wouldCreate} suggestions would be created${preview.truncated ? ' (stopped early: too many to evaluate)' : ''}.`);
    for (const [reason, count] of Object.entries(preview.excludedBy)) console.log(`  excluded by ${reason}: ${count}`);
    for (const c of preview.customers) console.log(`${c.included ? '+' : '-'} ${c.name} (${c.why})${c.reasons.length ? ` — ${c.reasons.join('; ')}` : ''}`);
    return 0;
  } finally {
    await rt.close();
  }
}

async function readDefinition(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--file: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--file: ${file} is not valid JSON: ${(err as Error).message}`);
  }
}
