/**
 * Shape tests on the words of a name, used once per pattern while the index is built (hundreds of
 * thousands of times). Most names are plain ASCII, so each test answers those with a character
 * loop and leaves everything else to the Unicode regex it stands for, which gives the same answer.
 */
const LATIN_WORD = /^[\p{Script=Latin}\p{N}]+$/u;
const DIGITS = /^\p{N}+$/u;
/** 2–6 ASCII capitals and digits, at least one of them a letter: "CHUA", "VN30"; not "Acme", "VIỆT", "2024". */
const TICKER = /^(?=[0-9]*[A-Z])[A-Z0-9]{2,6}$/;

/** `^[\p{Script=Latin}\p{N}]+$`: a word written in Latin letters and digits. */
export function isLatinWord(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (!isAsciiLetter(code) && !(code >= 0x30 && code <= 0x39)) return LATIN_WORD.test(word);
  }
  return true;
}

/** `^\p{N}+$` over the words joined: every character a digit. */
export function isAllDigits(words: readonly string[]): boolean {
  // An ASCII letter first settles it without building the joined string.
  if (isAsciiLetter(words[0]?.charCodeAt(0) ?? 0)) return false;
  return DIGITS.test(words.join(''));
}

/**
 * True for a ticker or abbreviation: a one-word name written as TICKER says. Its diacritic-free
 * capitals are its exact spelling, not a Vietnamese word whose marks were left out, so an article
 * word that had marks or đ folded away ("chưa", "đang") is not this name (see IndexBuilder.add).
 */
export function isTickerWord(words: readonly string[]): boolean {
  return words.length === 1 && TICKER.test(words[0] ?? '');
}

/** True when lower-casing would change some word: it has a capital (or title-case) letter. */
export function hasCapital(words: readonly string[]): boolean {
  for (const word of words) {
    for (let i = 0; i < word.length; i++) {
      const code = word.charCodeAt(i);
      if (code >= 0x41 && code <= 0x5a) return true;
      if (code >= 0x80) {
        if (word !== word.toLowerCase()) return true;
        break;
      }
    }
  }
  return false;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}
