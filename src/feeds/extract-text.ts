import { compile } from 'html-to-text';

// Feeds put HTML everywhere, escaped or in CDATA, even in titles that RSS says are plain
// text, so every string from a feed goes through the same HTML-to-text conversion.
// Headings and table headers keep their case: html-to-text upper-cases them by default,
// which would turn "Acme Corp" into "ACME CORP" and defeat company-name matching.
const htmlToPlainText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'ul', options: { itemPrefix: ' ' } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

// C0/C1 control characters other than tab and newline carry no text, and U+FEFF is a stray
// byte order mark. Zero-width (non-)joiners are kept: Persian spelling depends on U+200C.
const INVISIBLE_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff]/g;

/**
 * The readable text of an HTML fragment: tags stripped, entities decoded, one line per
 * block (paragraph, list item, line break), spaces collapsed, Unicode in NFC so that text
 * typed with combining accents (common in Vietnamese) compares equal to precomposed text.
 */
export function extractText(html: string): string {
  if (html.trim() === '') return '';
  return htmlToPlainText(html)
    .normalize('NFC')
    .replace(INVISIBLE_CHARACTERS, '')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Like extractText, on a single line: for titles and names. */
export function extractInlineText(html: string): string {
  return extractText(html).replace(/\n/g, ' ');
}
