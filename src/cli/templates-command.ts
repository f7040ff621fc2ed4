import path from 'node:path';
import { NoteTemplates } from '../notes/note-templates.js';
import { UsageError, parseOptions } from './main.js';

/**
 * `rapport templates check [--dir <templates>]`: compiles and renders every note template under
 * <dir>/notes with sample data. Exit 0 when all render; 1 listing each broken template (file,
 * line and what is wrong). Needs no database, so it can run in CI before a deploy.
 */
export async function templatesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { dir: { type: 'string' } });
  if (positionals[0] !== 'check' || positionals.length > 1) throw new UsageError('expected `rapport templates check [--dir <templates dir>]`');
  const dir = path.resolve(values.dir ?? process.env['TEMPLATES_DIR'] ?? './templates');
  const templates = new NoteTemplates(dir);
  const count = (await templates.list()).reduce((n, t) => n + t.locales.length, 0);
  if (count === 0) {
    console.error(`rapport templates check: no note templates under ${path.join(dir, 'notes')}`);
    return 1;
  }
  const problems = await templates.check();
  for (const { problem } of problems) console.error(problem);
  console.log(problems.length ? `${problems.length} of ${count} templates cannot be rendered` : `All ${count} templates render`);
  return problems.length ? 1 : 0;
}
