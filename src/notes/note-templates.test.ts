import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.js';
import { NoteTemplates } from './note-templates.js';
import { sampleNoteContext } from './sample-context.js';
import { main } from '../cli/main.js';

const context = { firstName: 'Lan', name: 'Trần Thị Lan', event: { data: { product: 'Bút chì gỗ óc chó' } }, sender: { name: 'Mai Nguyen' } };

describe('note templates', () => {
  const shipped = new NoteTemplates('templates');
  let dir: string;
  let scratch: NoteTemplates;
  const write = async (key: string, locale: string, source: string) => {
    await mkdir(path.join(dir, 'notes', key), { recursive: true });
    await writeFile(path.join(dir, 'notes', key, `${locale}.hbs`), source);
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rapport-templates-'));
    scratch = new NoteTemplates(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('every shipped thank-you locale renders, personalised and without HTML escaping', async () => {
    for (const locale of ['en', 'vi', 'th', 'fa']) {
      const note = await shipped.render('thank-you', locale, context);
      assert.equal(note.locale, locale);
      assert.ok(note.subject.includes('Lan'), `${locale} subject: ${note.subject}`);
      assert.ok(note.body.includes('Bút chì gỗ óc chó'), `${locale} body mentions the product`);
      assert.ok(note.body.includes('Mai Nguyen'), `${locale} body is signed`);
      assert.doesNotMatch(note.body, /undefined|&amp;|&#/);
    }
    const withAmpersand = await shipped.render('thank-you', 'en', { ...context, event: { data: { product: 'Salt & Pepper set' } } });
    assert.match(withAmpersand.body, /Salt & Pepper set/);
  });

  test('locale fallback: vi-VN → vi, unknown → account default → en', async () => {
    assert.deepEqual(NoteTemplates.candidateLocales('vi-VN', 'th'), ['vi-vn', 'vi', 'th', 'en']);
    assert.equal((await shipped.render('thank-you', 'vi-VN', context)).locale, 'vi');
    assert.equal((await shipped.render('thank-you', 'de-AT', context, 'th')).locale, 'th');
    assert.equal((await shipped.render('thank-you', 'de-AT', context)).locale, 'en');
  });

  test('a missing, null or blank variable is an error naming the template and position, never an empty greeting', async () => {
    const { firstName: _omitted, ...withoutFirstName } = context;
    for (const broken of [withoutFirstName, { ...context, firstName: undefined }, { ...context, firstName: null }, { ...context, firstName: '  ' }]) {
      await assert.rejects(
        shipped.render('thank-you', 'en', broken),
        (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_INVALID' && /thank-you\/en\.hbs: "firstName" not defined in .* - 2:/.test(err.message),
      );
    }
  });

  test('syntax errors, unknown helpers and missing front matter are clear errors', async () => {
    await write('broken', 'en', '---\nsubject: Hi\n---\n{{#if x}}unclosed\n');
    await write('helper', 'en', '---\nsubject: Hi\n---\n{{shout firstName}}\n');
    await write('bare', 'en', 'Dear {{firstName}}\n');
    await write('nosubject', 'en', '---\ntitle: Hi\n---\nbody\n');
    const expectInvalid = (key: string, pattern: RegExp) =>
      assert.rejects(scratch.render(key, 'en', context), (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_INVALID' && pattern.test(err.message));
    // Line numbers are the file's, front matter included.
    await expectInvalid('broken', /broken\/en\.hbs: Parse error on line 5/);
    await expectInvalid('helper', /helper\/en\.hbs: You specified knownHelpersOnly, but used the unknown helper shout/);
    await expectInvalid('bare', /bare\/en\.hbs: expected a front matter block/);
    await expectInvalid('nosubject', /no "subject:" line/);
  });

  test('an unknown template or a key that tries to leave the folder is refused', async () => {
    await assert.rejects(shipped.render('no-such-note', 'en', context), (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_NOT_FOUND');
    await assert.rejects(shipped.render('../../etc', 'en', context), (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_NOT_FOUND');
  });

  test('prototype properties are not reachable from templates', async () => {
    await write('proto', 'en', '---\nsubject: Hi\n---\n{{constructor.name}}\n');
    await assert.rejects(scratch.render('proto', 'en', context), (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_INVALID');
  });

  test('formatDate, formatNumber and formatCurrency follow the recipient’s locale and time zone', async () => {
    await write('helpers', 'en', '---\nsubject: {{formatDate when "medium"}}\n---\n{{formatDate when}}|{{formatDate day}}|{{formatNumber n}}|{{formatCurrency total "eur"}}\n');
    await write('helpers', 'fa', '---\nsubject: x\n---\n{{formatNumber n}}|{{formatDate when}}\n');
    await write('helpers', 'vi', '---\nsubject: x\n---\n{{formatCurrency total "VND"}}\n');
    const facts = { when: '2026-11-20T23:30:00Z', day: '1990-06-15', n: 1234.5, total: 129 };
    const tokyo = await scratch.render('helpers', 'en-GB', { ...facts, recipient: { timeZone: 'Asia/Tokyo' } });
    assert.equal(tokyo.subject, '21 Nov 2026', 'late evening UTC is the next day in Tokyo, in en-GB');
    assert.equal(tokyo.body, '21 November 2026|15 June 1990|1,234.5|€129.00\n');
    const utc = await scratch.render('helpers', 'en-US', facts);
    assert.match(utc.body, /^November 20, 2026\|June 15, 1990\|1,234.5\|€129.00/, 'no time zone: UTC; the US order');
    const fa = await scratch.render('helpers', 'fa', { ...facts, recipient: { timeZone: 'Asia/Tehran' } });
    assert.match(fa.body, /^۱٬۲۳۴٫۵\|/, 'Persian digits');
    assert.match((await scratch.render('helpers', 'vi-VN', facts)).body, /^129\s₫/);
    // A German reader of the English fallback gets English dates, not German ones inside English text.
    assert.match((await scratch.render('helpers', 'de-AT', facts)).body, /^20 November 2026|^November 20, 2026/);
  });

  test('a helper with a missing or unusable argument fails loudly, naming the template and line', async () => {
    const cases: [string, RegExp][] = [
      // Strict mode does not check helper arguments; the helper itself refuses a missing one.
      ['{{formatDate nope}}', /formatDate: expected a date, got nothing - 4:0/],
      ['{{formatDate bad}}', /formatDate: expected a date, got "yesterday" - 4:0/],
      ['{{formatDate when "huge"}}', /formatDate: style must be one of full, long, medium, short/],
      ['{{formatNumber bad}}', /formatNumber: expected a number, got "yesterday"/],
      ['{{formatCurrency total}}', /formatCurrency: expected an amount and a currency code/],
      ['{{formatCurrency bad "EUR"}}', /formatCurrency: expected an amount, got "yesterday"/],
      ['{{formatCurrency total "euro"}}', /expected a three-letter currency code/],
    ];
    for (const [i, [body, pattern]] of cases.entries()) {
      await write(`bad-helper-${i}`, 'en', `---\nsubject: Hi\n---\n${body}\n`);
      await assert.rejects(
        scratch.render(`bad-helper-${i}`, 'en', { when: '2026-11-20T10:00:00Z', bad: 'yesterday', total: 5 }),
        (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_INVALID' && new RegExp(`bad-helper-${i}/en\\.hbs: `).test(err.message) && pattern.test(err.message) && !/Invalid Date|NaN/.test(err.message),
        body,
      );
    }
  });

  test('partials come in the note’s locale, falling back to the default file', async () => {
    await mkdir(path.join(dir, 'partials'), { recursive: true });
    await writeFile(path.join(dir, 'partials', 'sign.hbs'), 'Regards,\n{{sender.name}}\n');
    await writeFile(path.join(dir, 'partials', 'sign.vi.hbs'), 'Trân trọng,\n{{sender.name}}\n');
    const fresh = new NoteTemplates(dir);
    await write('signed', 'en', '---\nsubject: Hi\n---\nBody\n\n{{> sign}}\n');
    await write('signed', 'vi', '---\nsubject: Hi\n---\nBody\n\n{{> sign}}\n');
    await write('signed', 'th', '---\nsubject: Hi\n---\nBody\n\n{{> sign}}\n');
    assert.equal((await fresh.render('signed', 'en', context)).body, 'Body\n\nRegards,\nMai Nguyen\n');
    assert.equal((await fresh.render('signed', 'vi-VN', context)).body, 'Body\n\nTrân trọng,\nMai Nguyen\n');
    assert.equal((await fresh.render('signed', 'th', context)).body, 'Body\n\nRegards,\nMai Nguyen\n');
    // Partials are strict too: a missing variable inside one is an error, not a blank signature.
    await assert.rejects(fresh.render('signed', 'en', { ...context, sender: {} }), /"name" not defined/);
    await write('unknown-partial', 'en', '---\nsubject: Hi\n---\n{{> nope}}\n');
    await assert.rejects(fresh.render('unknown-partial', 'en', context), (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_INVALID' && /could not be found/.test(err.message));
    for (const locale of ['en', 'vi', 'th', 'fa']) {
      const note = await shipped.render('thank-you', locale, context);
      assert.ok(note.body.trimEnd().endsWith('\nMai Nguyen'), `${locale}: signed by the partial`);
    }
  });

  test('validateTemplateSource reports syntax errors, unknown helpers and missing variables with the line', async () => {
    const check = (source: string) => shipped.validateTemplateSource(source, { key: 'draft', locale: 'en' });
    const note = await check('---\nsubject: Hi {{firstName}}\n---\n{{> greeting}}\n\nOrdered {{formatDate event.occurredAt}}.\n\n{{> signature}}\n');
    assert.match(note.body, /^Dear Linh,\n\nOrdered November 20, 2026\.\n\nWith warm regards,\nMai Nguyen\n$/);
    const invalid = (source: string, pattern: RegExp) =>
      assert.rejects(check(source), (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_INVALID' && /draft\/en\.hbs: /.test(err.message) && pattern.test(err.message));
    await invalid('---\nsubject: Hi\n---\nline 4\n{{firstNmae}}\n', /"firstNmae" not defined .* - 5:/);
    await invalid('---\nsubject: Hi {{shout firstName}}\n---\nbody\n', /unknown helper shout/);
    await invalid('---\nsubject: Hi\n---\n\n\n{{#each x}}\n', /Parse error on line 7/);
    await invalid('---\nsubject: Hi\n---\n{{formatCurrency event.data.total}}\n', /formatCurrency: .* - 4:/);
    // Every shipped template renders with the sample data, in each of its locales.
    for (const { key, locales } of await shipped.list()) {
      for (const locale of locales) await shipped.render(key, locale, sampleNoteContext('Mai', locale));
    }
  });

  test('rapport templates check: exit 0 for the shipped templates, 1 listing each broken one', async () => {
    const lines: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = console.error = (line: string) => void lines.push(line);
    try {
      assert.equal(await main(['templates', 'check', '--dir', 'templates']), 0);
      assert.match(lines.join('\n'), /All \d+ templates render/);
      lines.length = 0;
      const broken = await mkdtemp(path.join(tmpdir(), 'rapport-check-'));
      try {
        await mkdir(path.join(broken, 'notes', 'ok'), { recursive: true });
        await mkdir(path.join(broken, 'notes', 'typo'), { recursive: true });
        await writeFile(path.join(broken, 'notes', 'ok', 'en.hbs'), '---\nsubject: Hi {{firstName}}\n---\nDear {{firstName}}\n');
        await writeFile(path.join(broken, 'notes', 'typo', 'en.hbs'), '---\nsubject: Hi\n---\nDear {{frstName}}\n');
        await writeFile(path.join(broken, 'notes', 'typo', 'fa.hbs'), '---\nsubject: Hi\n---\n{{formatDate}}\n');
        assert.equal(await main(['templates', 'check', '--dir', broken]), 1);
      } finally {
        await rm(broken, { recursive: true, force: true });
      }
      const out = lines.join('\n');
      assert.match(out, /typo\/en\.hbs: "frstName" not defined .* - 4:/);
      assert.match(out, /typo\/fa\.hbs: formatDate: expected a date and optionally a style - 4:0/);
      assert.match(out, /2 of 3 templates cannot be rendered/);
      assert.equal(await main(['templates', 'lint']), 2, 'an unknown subcommand is a usage error');
    } finally {
      console.log = log;
      console.error = error;
    }
  });
});
