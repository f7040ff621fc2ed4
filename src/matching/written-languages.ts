const THAI = 1;
const ARABIC_SCRIPT = 2;
const LATIN = 4;
const VIETNAMESE = 8;

/** Letters that only Vietnamese uses among Latin-script languages we rank rules for. */
const VIETNAMESE_LETTER = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ]/;
const LATIN_LETTER = /\p{Script=Latin}/u;

/**
 * Which of the scripts above each code unit belongs to, computed once: a sentence is classified
 * for every account mention, and four Unicode regexes over its text cost more than one table read
 * per character.
 */
const SCRIPTS = ((): Uint8Array => {
  const table = new Uint8Array(0x10000);
  const thai = /[\u0E00-\u0E7F]/;
  const arabic = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/;
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // surrogate halves: see languagesWrittenIn
    const char = String.fromCharCode(code);
    table[code] =
      (thai.test(char) ? THAI : 0) |
      (arabic.test(char) ? ARABIC_SCRIPT : 0) |
      (LATIN_LETTER.test(char) ? LATIN : 0) |
      (VIETNAMESE_LETTER.test(char) ? VIETNAMESE : 0);
  }
  return table;
})();
const ALL = THAI | ARABIC_SCRIPT | LATIN | VIETNAMESE;

/**
 * The scripts text[start, end) is written in, as a set of bits: sentences written in the same
 * scripts get the same rules, so a caller can keep the rules per value (see languagesOfScripts).
 */
export function scriptsIn(text: string, start: number, end: number): number {
  let found = 0;
  for (let i = start; i < end && found !== ALL; i++) {
    const code = text.charCodeAt(i);
    // Latin letters outside the BMP (Latin Extended-F, -G) are rare: a regex is fine.
    if (code >= 0xd800 && code <= 0xdbff && LATIN_LETTER.test(text.slice(i, i + 2))) found |= LATIN;
    else found |= SCRIPTS[code] ?? 0;
  }
  return found;
}

/**
 * Languages whose rules apply to text written in `scripts` (from scriptsIn): Thai; Persian, Arabic
 * and Urdu for Arabic script; English for Latin letters; Vietnamese for its own letters.
 */
export function languagesOfScripts(found: number): string[] {
  const languages: string[] = [];
  if (found & THAI) languages.push('th');
  if (found & ARABIC_SCRIPT) languages.push('fa', 'ar', 'ur');
  if (found & LATIN) languages.push('en');
  if (found & VIETNAMESE) languages.push('vi');
  return languages;
}
