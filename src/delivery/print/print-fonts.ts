import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * The typefaces every print note is set in, one CSS family ("Rapport Text") stitched together from
 * Noto faces by Unicode range: Noto Serif for Latin (Vietnamese's stacked diacritics included),
 * Noto Serif Thai, and Noto Naskh Arabic for Persian (joined letters, right to left). All come from
 * Debian's `fonts-noto-core` (SIL Open Font License), installed by the project's setup (.ci/run,
 * README). Naming the files ourselves — instead of trusting whatever fontconfig falls back to — is
 * what keeps a Thai card from ever showing empty boxes on a machine with other fonts.
 */
interface FontFace {
  file: string;
  weight: 400 | 700;
  style: 'normal' | 'italic';
  unicodeRange: string;
}

const LATIN = 'U+0000-024F, U+0259, U+02B0-02FF, U+0300-036F, U+1E00-1EFF, U+2000-206F, U+20A0-20CF, U+2100-214F, U+2190-21FF, U+FEFF';
const THAI = 'U+0E00-0E7F, U+200B-200D, U+25CC';
const ARABIC = 'U+0600-06FF, U+0750-077F, U+08A0-08FF, U+FB50-FDFF, U+FE70-FEFF, U+200C-200F';

export const PRINT_FONT_FACES: readonly FontFace[] = [
  { file: 'NotoSerif-Regular.ttf', weight: 400, style: 'normal', unicodeRange: LATIN },
  { file: 'NotoSerif-Bold.ttf', weight: 700, style: 'normal', unicodeRange: LATIN },
  { file: 'NotoSerif-Italic.ttf', weight: 400, style: 'italic', unicodeRange: LATIN },
  { file: 'NotoSerifThai-Regular.ttf', weight: 400, style: 'normal', unicodeRange: THAI },
  { file: 'NotoSerifThai-Bold.ttf', weight: 700, style: 'normal', unicodeRange: THAI },
  { file: 'NotoNaskhArabic-Regular.ttf', weight: 400, style: 'normal', unicodeRange: ARABIC },
  { file: 'NotoNaskhArabic-Bold.ttf', weight: 700, style: 'normal', unicodeRange: ARABIC },
];

export const FONT_DIRS = ['/usr/share/fonts/truetype/noto', '/usr/share/fonts/noto', '/usr/local/share/fonts/noto'];

/** Print documents are served from this made-up origin so they may load fonts through a route. */
export const PRINT_ORIGIN = 'https://print.rapport.invalid';

export const fontFaceCss = () =>
  PRINT_FONT_FACES.map(
    (f) =>
      `@font-face { font-family: 'Rapport Text'; src: url('${PRINT_ORIGIN}/fonts/${f.file}') format('truetype'); ` +
      `font-weight: ${f.weight}; font-style: ${f.style}; unicode-range: ${f.unicodeRange}; font-display: block; }`,
  ).join('\n');

/** Finds every font file; fails naming the missing ones and the package to install. */
export async function loadPrintFonts(dirs: string[] = FONT_DIRS): Promise<Map<string, Buffer>> {
  const fonts = new Map<string, Buffer>();
  const missing: string[] = [];
  for (const face of PRINT_FONT_FACES) {
    let found: string | null = null;
    for (const dir of dirs) {
      const candidate = path.join(dir, face.file);
      if (await access(candidate).then(() => true, () => false)) {
        found = candidate;
        break;
      }
    }
    if (found) fonts.set(face.file, await readFile(found));
    else missing.push(face.file);
  }
  if (missing.length) {
    throw new Error(`Print fonts not found: ${missing.join(', ')} (looked in ${dirs.join(', ')}). Install them: apt-get install fonts-noto-core`);
  }
  return fonts;
}

/**
 * Gives a pooled page its home: a blank document on PRINT_ORIGIN, with the fonts served from memory.
 * Documents are then written into it with setContent, which keeps the origin.
 */
export function preparePrintPage(fonts: Map<string, Buffer>) {
  return async (page: Page): Promise<void> => {
    await page.route(`${PRINT_ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>print</title>' });
      const font = url.pathname.startsWith('/fonts/') ? fonts.get(url.pathname.slice('/fonts/'.length)) : undefined;
      if (!font) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ status: 200, contentType: 'font/ttf', body: font, headers: { 'cache-control': 'max-age=31536000, immutable' } });
    });
    // Anything else (a stray remote image in a template) is refused: printing never reaches out.
    await page.route((url) => !url.href.startsWith(PRINT_ORIGIN), (route) => route.abort());
    await page.goto(`${PRINT_ORIGIN}/`);
  };
}
