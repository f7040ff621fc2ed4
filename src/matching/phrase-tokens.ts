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
// Reused for every phrase (hundreds of thousands while an index is built); the cut is synchronous.
const phraseDoc = new TokenizedText();

/** Tokens of a name or phrase, cut by the same TokenizedText that cuts articles. */
export function phraseTokens(text: string, normalizer: TokenNormalizer = sharedNormalizer): PhraseTokens {
  const tokens: PhraseTokens = { keys: [], primaries: [], surfaces: [], dense: false, words: 0 };
  const doc = phraseDoc;
  doc.tokenize(text);
  let lastRun = -1;
  for (let t = 0; t < doc.count; t++) {
    const surface = doc.raw(t);
    const { primary, key } = normalizer.normalize(surface);
    if (primary === '') continue; // a lone tatweel or ZWNJ
    tokens.keys.push(key);
    tokens.primaries.push(primary);
    tokens.surfaces.push(surface);
    if (doc.dense[t] === 1) tokens.dense = true;
    const run = doc.runs[t] ?? 0;
    if (run !== lastRun) tokens.words++;
    lastRun = run;
  }
  return tokens;
}

/** True when the phrase carries diacritics that a reader could drop ("Việt" vs "Viet"). */
export function hasDiacritics(tokens: PhraseTokens): boolean {
  for (let i = 0; i < tokens.keys.length; i++) if (tokens.keys[i] !== tokens.primaries[i]) return true;
  return false;
}
