import { createBrowserPool, type BrowserPool } from '../../infra/browser.js';
import { setPageBoxes } from './page-boxes.js';
import { PrintTemplates, type PrintNote } from './print-document.js';
import { loadPrintFonts, preparePrintPage } from './print-fonts.js';
import { pageSize, type PrintFormat } from './print-formats.js';

/** Runs in the page (the project's TypeScript has no DOM types, so it is kept as source text). */
const REMOVE_OVERFLOWING_NOTES = `(() => {
  const ids = [];
  for (const note of document.querySelectorAll('article.note')) {
    const boxes = [...note.querySelectorAll('.flow')];
    if (boxes.some((b) => b.scrollHeight > b.clientHeight + 1 || b.scrollWidth > b.clientWidth + 1)) {
      ids.push(note.dataset.delivery);
      note.remove();
    }
  }
  return ids;
})()`;

export interface RenderedPrint {
  /** The PDF: exact page size, TrimBox/BleedBox set, fonts embedded (subset). */
  pdf: Buffer;
  /** Delivery ids in the PDF, in page order; each has exactly `format.pagesPerNote` pages. */
  printed: string[];
  /** Notes whose text did not fit their format: left out of the PDF, for a person to shorten. */
  overflowing: string[];
}

export interface PrintRenderer {
  /** Renders notes into one PDF. Throws if Chromium produced a different number of pages than the format promises. */
  render(format: PrintFormat, notes: PrintNote[]): Promise<RenderedPrint>;
  /**
   * Renders a whole HTML document that is not a note (gift packing slips) on the same Chromium and
   * pages, so it may use the print fonts (fontFaceCss()). Pages are `page` sized (points, no bleed).
   */
  renderDocument(html: string, page: { width: number; height: number }): Promise<{ pdf: Buffer; pages: number }>;
  close(): Promise<void>;
}

/**
 * Print rendering for a process: one Chromium (started on first use, reused by every job), a pool of
 * pages that already hold the fonts, and the compiled templates. main/runtime closes it on shutdown.
 */
export function createPrintRenderer(opts: { chromiumPath: string; pages: number; templatesDir: string; fontDirs?: string[] }): PrintRenderer {
  let fonts: ReturnType<typeof loadPrintFonts> | null = null;
  const browser: BrowserPool = createBrowserPool({
    executablePath: opts.chromiumPath,
    pages: opts.pages,
    preparePage: async (page) => {
      fonts ??= loadPrintFonts(opts.fontDirs);
      fonts.catch(() => (fonts = null));
      await preparePrintPage(await fonts)(page);
    },
  });
  const templates = new PrintTemplates(opts.templatesDir);

  return {
    async render(format, notes) {
      if (!notes.length) throw new Error('render: no notes');
      const html = await templates.document(format, notes);
      const { pdf, overflowing } = await browser.withPage(async (page) => {
        await page.setContent(html, { waitUntil: 'load' });
        await page.evaluate('document.fonts.ready.then(() => undefined)');
        // A note whose text runs past its box would be cut off on paper (and could push the pages of
        // every later note): find those, take them out, and let the caller fail them with a reason.
        const overflowing = await page.evaluate<string[]>(REMOVE_OVERFLOWING_NOTES);
        if (overflowing.length === notes.length) return { pdf: null, overflowing };
        return { pdf: await page.pdf({ preferCSSPageSize: true, printBackground: true }), overflowing };
      });
      const left = new Set(overflowing);
      const printed = notes.map((n) => n.deliveryId).filter((id) => !left.has(id));
      if (!pdf) return { pdf: Buffer.alloc(0), printed, overflowing };
      const page = pageSize(format);
      const exact = setPageBoxes(pdf, { width: page.width, height: page.height, bleed: format.bleed });
      // Page numbers in a run's manifest are computed from pagesPerNote; this is where that promise is kept.
      if (exact.pages !== printed.length * format.pagesPerNote) {
        throw new Error(`${format.name}: Chromium produced ${exact.pages} pages for ${printed.length} notes (expected ${format.pagesPerNote} each)`);
      }
      return { pdf: exact.pdf, printed, overflowing };
    },
    async renderDocument(html, page) {
      const pdf = await browser.withPage(async (p) => {
        await p.setContent(html, { waitUntil: 'load' });
        await p.evaluate('document.fonts.ready.then(() => undefined)');
        return p.pdf({ preferCSSPageSize: true, printBackground: true });
      });
      return setPageBoxes(pdf, { ...page, bleed: 0 });
    },
    close: () => browser.close(),
  };
}
