import { TokenNormalizer } from './normalize-token.js';
import { scanTokens, type TokenSink } from './tokenize-text.js';

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

class PhraseSink implements TokenSink {
  readonly tokens: PhraseTokens = { keys: [], primaries: [], surfaces: [], dense: false, words: 0 };
  private lastRun = -1;

  constructor(
    private readonly text: string,
    private readonly normalizer: TokenNormalizer,
  ) {}

  token(_index: number, start: number, end: number, run: number, dense: boolean): void {
    const surface = this.text.slice(start, end);
    const { primary, key } = this.normalizer.normalize(surface);
    if (primary === '') return; // a lone tatweel or ZWNJ
    const tokens = this.tokens;
    tokens.keys.push(key);
    tokens.primaries.push(primary);
    tokens.surfaces.push(surface);
    if (dense) tokens.dense = true;
    if (run !== this.lastRun) tokens.words++;
    this.lastRun = run;
  }

  run(): void {}
}

/** Tokens of a name or phrase; articles go through TokenizedText, which cuts text identically. */
export function phraseTokens(text: string, normalizer: TokenNormalizer = sharedNormalizer): PhraseTokens {
  const sink = new PhraseSink(text, normalizer);
  scanTokens(text, sink);
  return sink.tokens;
}

/** True when the phrase carries diacritics that a reader could drop ("Việt" vs "Viet"). */
export function hasDiacritics(tokens: PhraseTokens): boolean {
  for (let i = 0; i < tokens.keys.length; i++) if (tokens.keys[i] !== tokens.primaries[i]) return true;
  return false;
}
