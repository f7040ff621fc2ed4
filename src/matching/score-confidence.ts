/**
 * Confidence of a signal = identity × (0.4 + 0.6 × classification strength).
 *
 * identity — how sure we are the article is about this account — is a noisy-OR over the distinct
 * pieces of evidence found in the article, 1 − Π(1 − wᵢ), with these weights wᵢ:
 *   name or alias          specificity(letters, words) = clamp(0.6 + 0.05·letters + 0.05·(words − 1), 0.7, 0.95)
 *                          × 0.9 when it is the short name derived by dropping "Corp", "Công ty"…
 *                          × 0.95 when matched without the diacritics it was written with
 *   ambiguous alias        0.35 (a common word such as "Apple", ≤ 3 letters, or shared by accounts)
 *   domain ("acme.com")    0.9
 *   contact's full name    0.5 next to the company; 0.7 for a distinctive name standing alone
 *   configured keyword     0.3
 * so "Acme Corp" alone gives 0.95, "Apple" + keyword "iPhone" 0.55, "Apple" + "Tim Cook" 0.68.
 *
 * classification strength is the winning rule phrase's weight (1 unless the rule file says less),
 * × 0.8 when the phrase sat in a neighbouring sentence and × 0.75 when only in the headline; 0.8×
 * for a reversed positive ("award revoked"), 0.5× for a negated kind, and 0.3 when nothing
 * classified the mention (kind `other`). An unclassified but certain mention thus scores 0.55–0.6:
 * worth recording, not worth a note on its own.
 */

export const AMBIGUOUS_ALIAS_WEIGHT = 0.35;
export const SHORT_NAME_FACTOR = 0.9;
export const WITHOUT_DIACRITICS_FACTOR = 0.95;
export const DOMAIN_WEIGHT = 0.9;
export const CONTACT_WEIGHT = 0.5;
export const DISTINCTIVE_CONTACT_WEIGHT = 0.7;
export const KEYWORD_WEIGHT = 0.3;
export const NEIGHBOUR_SENTENCE_FACTOR = 0.8;
export const HEADLINE_FACTOR = 0.75;
export const UNCLASSIFIED_STRENGTH = 0.3;

export function aliasSpecificity(letters: number, words: number): number {
  return Math.min(0.95, Math.max(0.7, 0.6 + 0.05 * letters + 0.05 * (words - 1)));
}

export function identityScore(weights: Iterable<number>): number {
  let miss = 1;
  for (const weight of weights) miss *= 1 - weight;
  return 1 - miss;
}

export function signalConfidence(identity: number, strength: number): number {
  const value = identity * (0.4 + 0.6 * strength);
  return Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
}
