import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** poppler-utils (`apt-get install poppler-utils`) reading a PDF the way a print shop's tools would. */
async function withFile<T>(pdf: Buffer, use: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rapport-pdf-'));
  try {
    const file = path.join(dir, 'in.pdf');
    await writeFile(file, pdf);
    return await use(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface PdfInfo {
  pages: number;
  /** As pdfinfo prints it, e.g. "436.54 x 314.65". */
  pageSize: string;
  trimBox: number[];
  bleedBox: number[];
}

export const pdfInfo = (pdf: Buffer): Promise<PdfInfo> =>
  withFile(pdf, async (file) => {
    const { stdout } = await run('pdfinfo', ['-box', file]);
    const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(stdout)?.[1]?.trim() ?? '';
    const box = (name: string) => field(name).split(/\s+/).map(Number);
    return {
      pages: Number(field('Pages')),
      pageSize: field('Page size').replace(/\s*pts.*$/, ''),
      trimBox: box('TrimBox'),
      bleedBox: box('BleedBox'),
    };
  });

export const pdfFonts = (pdf: Buffer): Promise<{ name: string; embedded: boolean }[]> =>
  withFile(pdf, async (file) => {
    const { stdout } = await run('pdffonts', [file]);
    return stdout
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((line) => {
        const cols = line.trim().split(/\s+/);
        // name type… encoding emb sub uni object ID: "emb" is the fifth column from the end.
        return { name: cols[0] ?? '', embedded: cols.at(-5) === 'yes' };
      });
  });

/** The PDF's text in reading order, with bidi control marks removed so RTL text compares plainly. */
export const pdfText = (pdf: Buffer, pages?: { first: number; last: number }): Promise<string> =>
  withFile(pdf, async (file) => {
    const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', ...range, file, '-']);
    return stdout.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  });

/** Renders the first page to a PNG with pdftoppm and returns its size in bytes (0: nothing rendered). */
export const renderFirstPage = (pdf: Buffer, keepAs?: string): Promise<number> =>
  withFile(pdf, async (file, dir) => {
    await run('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', '-png', file, path.join(dir, 'page')]);
    const png = (await readdir(dir)).find((f) => f.endsWith('.png'));
    if (!png) return 0;
    if (keepAs) await writeFile(keepAs, await readFile(path.join(dir, png)));
    return (await stat(path.join(dir, png))).size;
  });
