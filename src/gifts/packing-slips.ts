import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatCss, postalAddressLines } from '../delivery/print/print-document.js';
import { fontFaceCss } from '../delivery/print/print-fonts.js';
import { pageSize, printFormat, type PrintFormat } from '../delivery/print/print-formats.js';
import { csvCell } from '../delivery/print/print-manifest.js';
import type { PrintRenderer } from '../delivery/print/render-print.js';
import type { PostalAddress } from './ship-to.js';

export type PackingPaper = 'a4' | 'letter';

/**
 * A packing slip is a one-page letter: the recipient's address sits where the letter formats put it,
 * so a slip folded into a window envelope (DIN 5008 DL/C5 on A4, #10 on US Letter) shows it.
 */
const LETTER_FORMAT: Record<PackingPaper, string> = { a4: 'letter-a4', letter: 'letter-us' };

export interface PackingSlip {
  orderId: string;
  /** Printed large, for people to read and type back: the order id's first eight hex digits. */
  reference: string;
  sku: string;
  giftName: string;
  /** Who the gift is from: the account manager the note was assigned to. */
  sender: string;
  /** The recipient's language, for hyphenation and shaping of their name and address. */
  locale: string;
  address: PostalAddress;
  page: number;
}

/** "G-1A2B3C4D": short enough to read over the phone; the full order id is printed beside it. */
export const packingReference = (orderId: string) => `G-${orderId.replaceAll('-', '').slice(0, 8).toUpperCase()}`;

let compiled: { dir: string; template: Promise<Handlebars.TemplateDelegate>; css: Promise<string> } | null = null;

function templates(templatesDir: string) {
  const dir = path.resolve(templatesDir, 'print');
  if (compiled?.dir !== dir) {
    const hbs = Handlebars.create();
    compiled = {
      dir,
      // HTML escaping stays ON: names and addresses come from people.
      template: readFile(path.join(dir, 'packing-slip.hbs'), 'utf8').then((source) => hbs.compile(source, { strict: true, knownHelpersOnly: true })),
      css: readFile(path.join(dir, 'print.css'), 'utf8'),
    };
    const failed = compiled;
    Promise.all([failed.template, failed.css]).catch(() => {
      if (compiled === failed) compiled = null;
    });
  }
  return compiled;
}

/** One PDF, one page per slip, in the print fonts (Thai and Persian names included). */
export async function renderPackingSlips(renderer: PrintRenderer, args: { templatesDir: string; paper: PackingPaper; runId: string; slips: PackingSlip[] }): Promise<Buffer> {
  const format: PrintFormat = printFormat(LETTER_FORMAT[args.paper]);
  const t = templates(args.templatesDir);
  const [template, css] = await Promise.all([t.template, t.css]);
  const html = template({
    runId: args.runId,
    total: args.slips.length,
    css: `${fontFaceCss()}\n${formatCss(format)}\n${css}`,
    slips: args.slips.map((s) => ({ ...s, lang: s.locale, recipient: postalAddressLines(s.address) })),
  });
  const { pdf, pages } = await renderer.renderDocument(html, pageSize(format));
  // The CSV names a page for every order; this is where that promise is kept.
  if (pages !== args.slips.length) throw new Error(`Chromium produced ${pages} pages for ${args.slips.length} packing slips (expected one each)`);
  return pdf;
}

const HEADER = ['order_id', 'reference', 'page', 'sku', 'gift_name', 'sender', 'recipient', 'address_line_1', 'address_line_2', 'address_line_3', 'postal_code', 'city', 'region', 'country'];

/** The same orders as the PDF, for a spreadsheet or a courier's import (formula-safe, RFC 4180). */
export function packingCsv(slips: PackingSlip[]): string {
  const lines = slips.map((s) => {
    const a = s.address;
    const street = [a.addressLines[0] ?? '', a.addressLines[1] ?? '', a.addressLines.slice(2).join(', ')];
    return [s.orderId, s.reference, s.page, s.sku, s.giftName, s.sender, a.name, ...street, a.postalCode, a.city, a.region, a.country].map(csvCell).join(',');
  });
  return `${[HEADER.join(','), ...lines].join('\r\n')}\r\n`;
}
