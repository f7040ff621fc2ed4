import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrintRenderer, type PrintRenderer } from '../../src/delivery/print/render-print.js';
import { pageSize, PRINT_FORMATS, round2 } from '../../src/delivery/print/print-formats.js';
import { postalAddressLines, type PrintNote } from '../../src/delivery/print/print-document.js';
import { pdfFonts, pdfInfo, pdfText, renderFirstPage } from '../helpers/pdf-tools.js';

// Real Chromium (Debian's), real fonts, and poppler reading the result the way a print shop would.
const THAI = 'ขอบคุณมากที่เลือกซื้อโคมไฟตั้งโต๊ะ';
const VIETNAMESE = 'Cảm ơn chị đã mua Bút chì gỗ óc chó';
const PERSIAN = 'سپاسگزاریم';

const notes: PrintNote[] = [
  { deliveryId: 'th-1', locale: 'th', subject: 'ขอบคุณค่ะ คุณสมชาย', body: `เรียน คุณสมชาย\n\n${THAI} เราหวังว่าคุณจะชอบมันนะคะ\n\nด้วยความเคารพ\nมาย เหงียน`, recipient: ['สมชาย ใจดี', '99/1 ถนนสุขุมวิท', '10110 กรุงเทพมหานคร'] },
  { deliveryId: 'vi-1', locale: 'vi', subject: 'Cảm ơn chị Lan', body: `Chào chị Lan,\n\n${VIETNAMESE}.\n\nThân mến,\nMai Nguyễn`, recipient: ['Trần Thị Lan', '12 Đường Lê Lợi', '700000 Thành phố Hồ Chí Minh'] },
  { deliveryId: 'fa-1', locale: 'fa', subject: 'سپاس از خرید شما', body: `مریم عزیز،\n\nاز اینکه چراغ رومیزی آرورا را خریدید ${PERSIAN}.\n\nبا احترام`, recipient: ['مریم احمدی', 'خیابان ولیعصر، پلاک ۱۲', '1581734911 تهران'], returnAddress: 'Rapport GmbH · Hauptstraße 1 · 10115 Berlin' },
];

describe('print rendering', () => {
  let renderer: PrintRenderer;
  before(() => {
    renderer = createPrintRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', pages: 2, templatesDir: 'templates' });
  });
  after(() => renderer?.close());

  for (const format of PRINT_FORMATS.values()) {
    test(`${format.name}: exact page size with trim and bleed boxes, fonts embedded, Thai/Vietnamese/Persian text, pdftoppm renders it`, async () => {
      const out = await renderer.render(format, notes);
      assert.deepEqual(out.printed, ['th-1', 'vi-1', 'fa-1']);
      assert.deepEqual(out.overflowing, []);
      const info = await pdfInfo(out.pdf);
      const page = pageSize(format);
      assert.equal(info.pages, notes.length * format.pagesPerNote);
      assert.equal(info.pageSize, `${round2(page.width)} x ${round2(page.height)}`);
      assert.deepEqual(info.trimBox, [format.bleed, format.bleed, page.width - format.bleed, page.height - format.bleed].map(round2));
      assert.deepEqual(info.bleedBox, [0, 0, page.width, page.height].map(round2));

      const fonts = await pdfFonts(out.pdf);
      assert.ok(fonts.length >= 3, `fonts: ${JSON.stringify(fonts)}`);
      for (const f of fonts) assert.ok(f.embedded, `${f.name} is embedded`);
      for (const family of ['NotoSerif-', 'NotoSerifThai-', 'NotoNaskhArabic-']) {
        assert.ok(fonts.some((f) => f.name.includes(family)), `${family} is used: ${fonts.map((f) => f.name).join(', ')}`);
      }
      const text = (await pdfText(out.pdf)).normalize('NFC');
      for (const phrase of [THAI, VIETNAMESE, PERSIAN]) assert.ok(text.includes(phrase), `${format.name} text contains ${phrase}`);
      assert.ok((await renderFirstPage(out.pdf, process.env.KEEP_PNG ? `/tmp/${format.name}.png` : undefined)) > 1_000, 'pdftoppm rendered a page');
    });
  }

  test('the note is plain text: markup in it is printed, never interpreted', async () => {
    const format = PRINT_FORMATS.get('letter-a4')!;
    const out = await renderer.render(format, [{ ...notes[1]!, deliveryId: 'x', body: 'Hi <b>Lan</b> & <img src=x onerror=alert(1)> {{firstName}}', subject: 'A <i>subject</i>' }]);
    const text = await pdfText(out.pdf);
    assert.match(text, /Hi <b>Lan<\/b> & <img src=x onerror=alert\(1\)> \{\{firstName\}\}/);
    assert.match(text, /A <i>subject<\/i>/);
  });

  test('a note too long for its format is left out and reported; the others keep their pages', async () => {
    const format = PRINT_FORMATS.get('postcard-4x6')!;
    const long = { ...notes[1]!, deliveryId: 'too-long', body: Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: ${VIETNAMESE}.`).join('\n\n') };
    const out = await renderer.render(format, [notes[0]!, long, notes[2]!]);
    assert.deepEqual(out.overflowing, ['too-long']);
    assert.deepEqual(out.printed, ['th-1', 'fa-1']);
    assert.equal((await pdfInfo(out.pdf)).pages, 2 * format.pagesPerNote);
  });

  test('postal address lines follow the country', () => {
    const base = { name: 'Jane Doe', addressLines: ['1 Main St', 'Apt 4'], postalCode: '62701', city: 'Springfield', region: 'IL', country: 'US' };
    assert.deepEqual(postalAddressLines(base), ['Jane Doe', '1 Main St', 'Apt 4', 'Springfield, IL 62701', 'UNITED STATES']);
    assert.deepEqual(postalAddressLines({ ...base, postalCode: '10115', city: 'Berlin', region: null, country: 'DE' }), ['Jane Doe', '1 Main St', 'Apt 4', '10115 Berlin', 'GERMANY']);
    assert.deepEqual(postalAddressLines({ ...base, country: null, region: null }), ['Jane Doe', '1 Main St', 'Apt 4', '62701 Springfield']);
  });
});
