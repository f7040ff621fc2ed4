/**
 * Chromium lays PDF pages out on a 1/300-inch grid, so a page asked to be 154 mm wide comes out as
 * 437.04 pt instead of 436.54 pt, and it writes only a MediaBox. A print shop wants the exact size
 * and to know where to cut: this sets every page's MediaBox and BleedBox to the full page (trim plus
 * bleed) and its TrimBox to the finished size, then repairs the cross-reference table.
 *
 * It relies on the shape of Chromium's (Skia's) PDFs — a classic xref table, page dictionaries
 * written as plain objects — and refuses anything else rather than guess.
 */
export interface PageBoxes {
  width: number;
  height: number;
  bleed: number;
}

const fmt = (v: number) => String(Math.round(v * 100) / 100);

export function setPageBoxes(pdf: Buffer, boxes: PageBoxes): { pdf: Buffer; pages: number } {
  const text = pdf.toString('latin1');
  const startxrefAt = text.lastIndexOf('startxref');
  const xrefAt = Number(/startxref\s+(\d+)/.exec(text.slice(startxrefAt))?.[1]);
  const table = /^xref\s+(\d+) (\d+)\s+/.exec(text.slice(xrefAt));
  if (!Number.isInteger(xrefAt) || !table || Number(table[1]) !== 0) {
    throw new Error('setPageBoxes: expected a PDF with one classic xref table (as Chromium writes)');
  }
  const count = Number(table[2]);
  const entriesAt = xrefAt + table[0].length;
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(Number(text.slice(entriesAt + i * 20, entriesAt + i * 20 + 10)));

  const { width, height, bleed } = boxes;
  const full = `[0 0 ${fmt(width)} ${fmt(height)}]`;
  const trim = `[${fmt(bleed)} ${fmt(bleed)} ${fmt(width - bleed)} ${fmt(height - bleed)}]`;
  const replacement = `/MediaBox ${full} /BleedBox ${full} /TrimBox ${trim}`;

  // Edits are collected as (position, removed length, inserted text), applied in file order.
  const edits: { at: number; remove: number; insert: string }[] = [];
  for (let i = 1; i < count; i++) {
    const start = offsets[i]!;
    if (!start) continue;
    const end = text.indexOf('endobj', start);
    const streamAt = text.indexOf('stream', start);
    const dict = text.slice(start, streamAt !== -1 && streamAt < end ? streamAt : end);
    if (!/\/Type\s*\/Page\b/.test(dict)) continue;
    const box = /\/MediaBox\s*\[[^\]]*\]/.exec(dict);
    if (!box) throw new Error(`setPageBoxes: page object ${i} has no MediaBox`);
    edits.push({ at: start + box.index, remove: box[0].length, insert: replacement });
  }
  if (!edits.length) throw new Error('setPageBoxes: no pages found');
  edits.sort((a, b) => a.at - b.at);

  const shift = (position: number) => edits.filter((e) => e.at < position).reduce((sum, e) => sum + e.insert.length - e.remove, 0);
  let body = '';
  let cursor = 0;
  for (const e of edits) {
    body += text.slice(cursor, e.at) + e.insert;
    cursor = e.at + e.remove;
  }
  body += text.slice(cursor, xrefAt);

  const entries = [text.slice(entriesAt, entriesAt + 20)];
  for (let i = 1; i < count; i++) {
    const entry = text.slice(entriesAt + i * 20, entriesAt + (i + 1) * 20);
    entries.push(entry.endsWith('n \n') || entry.endsWith('n\r\n') ? `${String(offsets[i]! + shift(offsets[i]!)).padStart(10, '0')}${entry.slice(10)}` : entry);
  }
  const trailer = text.slice(entriesAt + count * 20, startxrefAt);
  const newXrefAt = xrefAt + shift(xrefAt);
  const out = `${body}xref\n0 ${count}\n${entries.join('')}${trailer}startxref\n${newXrefAt}\n%%EOF\n`;
  return { pdf: Buffer.from(out, 'latin1'), pages: edits.length };
}
