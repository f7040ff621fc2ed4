/**
 * Token normalisation shared by the index (aliases, rule phrases) and the article scan, so both
 * sides of every comparison went through exactly the same steps.
 *
 * Two forms per token:
 * - the *primary* form: NFKC, lower case, Arabic-script letter variants unified, ZWNJ/tatweel and
 *   harakat removed, Persian/Arabic digits as ASCII;
 * - the *match key*: the primary form with Latin-script diacritics removed (đ→d), so "Việt" and
 *   "Viet" meet in the automaton; callers compare primary forms afterwards to reject a
 *   different-diacritics word ("kiến" is not "kiện").
 */

const ARABIC_VARIANTS: Readonly<Record<string, string>> = {
  '\u064A': '\u06CC', // Arabic yeh ي → Persian yeh ی
  '\u0649': '\u06CC', // alef maksura ى → ی
  '\u0643': '\u06A9', // Arabic kaf ك → Persian keheh ک
  '\u0629': '\u0647', // teh marbuta ة → heh ه
  '\u0623': '\u0627', // alef with hamza above أ → ا
  '\u0625': '\u0627', // alef with hamza below إ → ا
  '\u0671': '\u0627', // alef wasla ٱ → ا
  '\u0624': '\u0648', // waw with hamza ؤ → و
};

// Characters that change how a word is drawn, not which word it is.
const INVISIBLE = /[\u200C\u200D\u0640\u064B-\u065F\u0670]/g;
const ARABIC_VARIANT_CHARS = /[\u064A\u0649\u0643\u0629\u0623\u0625\u0671\u0624]/g;
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;
const NON_ASCII = /[^\x00-\x7F]/;
const ASCII_UPPER = /[A-Z]/;
const FOLDABLE_SCRIPT = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{M}\p{N}]+$/u;
const COMBINING_MARKS = /\p{M}+/gu;
const LETTERS_WITHOUT_DECOMPOSITION: Readonly<Record<string, string>> = { 'đ': 'd', 'ð': 'd', 'ł': 'l', 'ø': 'o', 'ß': 'ss', 'æ': 'ae', 'œ': 'oe' };
const UNDECOMPOSABLE = /[đðłøßæœ]/g;

function easternDigitToAscii(digit: string): string {
  const code = digit.charCodeAt(0);
  return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
}

/** The primary form of one token (see module comment). */
export function normalizeToken(raw: string): string {
  if (!NON_ASCII.test(raw)) return ASCII_UPPER.test(raw) ? raw.toLowerCase() : raw;
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(INVISIBLE, '')
    .replace(ARABIC_VARIANT_CHARS, (c) => ARABIC_VARIANTS[c] ?? c)
    .replace(EASTERN_DIGITS, easternDigitToAscii);
}

/** The match key of a primary form: Latin/Greek/Cyrillic diacritics removed; other scripts unchanged. */
export function foldDiacritics(primary: string): string {
  if (!NON_ASCII.test(primary) || !FOLDABLE_SCRIPT.test(primary)) return primary;
  return primary
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(UNDECOMPOSABLE, (c) => LETTERS_WITHOUT_DECOMPOSITION[c] ?? c)
    .normalize('NFC');
}

export function matchKey(raw: string): string {
  return foldDiacritics(normalizeToken(raw));
}

/**
 * True when two words with the same match key may be the same word: equal primary forms, or one of
 * them written without diacritics (its primary form is the key itself).
 */
export function diacriticsCompatible(articlePrimary: string, patternPrimary: string, key: string): boolean {
  return articlePrimary === patternPrimary || articlePrimary === key || patternPrimary === key;
}

/**
 * Scripts written without spaces between words. Each of their characters becomes its own token and
 * word boundaries come from Intl.Segmenter, so "กรุงเทพ" is found in "ธนาคารกรุงเทพได้รับ" but not
 * inside the single word "กรุงเทพมหานคร".
 */
export function isDenseScriptCode(code: number): boolean {
  return (
    (code >= 0x0e00 && code <= 0x0eff) || // Thai, Lao
    (code >= 0x1000 && code <= 0x109f) || // Myanmar
    (code >= 0x1780 && code <= 0x17ff) || // Khmer
    (code >= 0x3040 && code <= 0x30ff) || // Hiragana, Katakana
    (code >= 0x3400 && code <= 0x4dbf) || // CJK extension A
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0xf900 && code <= 0xfaff) // CJK compatibility ideographs
  );
}

export const DENSE_SCRIPT_CHAR = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/;
export interface NormalizedToken {
  primary: string;
  key: string;
}

/**
 * Memoised normalisation. Words repeat (Zipf), and NFKC plus folding costs a microsecond a token;
 * the cache is emptied when full so a long-running worker stays bounded. Equal inputs also share
 * one output string, which keeps a 100,000-account index small.
 */
export class TokenNormalizer {
  private readonly cache = new Map<string, NormalizedToken>();

  constructor(private readonly limit = 200_000) {}

  normalize(raw: string): NormalizedToken {
    // Plain ASCII needs only lower-casing, cheaper than a cache lookup.
    if (!NON_ASCII.test(raw)) {
      const lower = ASCII_UPPER.test(raw) ? raw.toLowerCase() : raw;
      return { primary: lower, key: lower };
    }
    let found = this.cache.get(raw);
    if (found === undefined) {
      const primary = normalizeToken(raw);
      found = { primary, key: foldDiacritics(primary) };
      if (this.cache.size >= this.limit) this.cache.clear();
      this.cache.set(raw, found);
    }
    return found;
  }
}
