import { TokenNormalizer } from './normalize-token.js';
import { TokenizedText } from './tokenize-text.js';

/** A name or rule phrase cut into tokens exactly the way article text is. */
export interface PhraseTokens {
  /** Match keys (diacritics folded), one per token. */
  keys: string[];
  /** Primary forms, kept to reject a different-diacritics word after a key match. */
  primaries: string[];
  /** Original spelling of each token, for case checks on short aliases. */
  surfaces: string[];
  /** True when the phrase contains characters of a script written without spaces. */
  dense: boolean;
  /** Space- or punctuation-separated words, which for Thai is not the token count. */
  words: number;
}

const sharedNormalizer = new TokenNormalizer();

export function phraseTokens(text: string, normalizer: TokenNormalizer = sharedNormalizer): PhraseTokens {
  const tokenized = new TokenizedText(text);
  const result: PhraseTokens = { keys: [], primaries: [], surfaces: [], dense: false, words: 0 };
  let lastRun = -1;
  for (let t = 0; t < tokenized.count; t++) {
    const surface = tokenized.raw(t);
    const { primary, key } = normalizer.normalize(surface);
    if (primary === '') continue; // a lone tatweel or ZWNJ
    result.keys.push(key);
    result.primaries.push(primary);
    result.surfaces.push(surface);
    if (tokenized.dense[t] === 1) result.dense = true;
    if (tokenized.runs[t] !== lastRun) result.words++;
    lastRun = tokenized.runs[t] ?? lastRun;
  }
  return result;
}

/** True when the phrase carries diacritics that a reader could drop ("Việt" vs "Viet"). */
export function hasDiacritics(tokens: PhraseTokens): boolean {
  return tokens.keys.some((key, i) => key !== tokens.primaries[i]);
}
