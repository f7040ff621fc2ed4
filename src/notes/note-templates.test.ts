import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.js';
import { NoteTemplates } from './note-templates.js';

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
        (err: unknown) => err instanceof AppError && err.code === 'RAPPORT_TEMPLATE_INVALID' && /thank-you\/en\.hbs: "firstName" not defined in .* - 1:/.test(err.message),
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
    await expectInvalid('broken', /broken\/en\.hbs: Parse error on line 2/);
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
});
