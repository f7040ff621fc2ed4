import type { Mention } from './collect-mentions.js';
import { DISTINCTIVE_CONTACT_WEIGHT, identityScore } from './score-confidence.js';

/** An account the article is about, with the mentions that prove it. */
export interface IdentifiedAccount {
  account: number;
  /** Name, alias, domain and accepted contact mentions, in text order. */
  mentions: Mention[];
  identity: number;
}

/**
 * Decides which mentioned accounts the article is really about. An account counts when it is
 * named by an unambiguous name, alias or domain; or by an ambiguous one ("Apple", a name two
 * accounts share) together with corroboration — its domain, one of its contacts, a second distinct
 * alias, or one of its keywords; or by a contact name distinctive enough to stand alone. A contact
 * name with neither is dropped: "John Smith" alone is nobody in particular.
 */
export function resolveAccounts(mentions: readonly Mention[]): IdentifiedAccount[] {
  const byAccount = new Map<number, Mention[]>();
  for (const mention of mentions) {
    const list = byAccount.get(mention.account);
    if (list) list.push(mention);
    else byAccount.set(mention.account, [mention]);
  }
  const identified: IdentifiedAccount[] = [];
  for (const [account, list] of byAccount) {
    const names = list.filter((m) => m.contact < 0 && m.role !== 'keyword');
    const contacts = list.filter((m) => m.role === 'contact');
    const keywords = list.filter((m) => m.role === 'keyword');
    const distinctNames = new Set(names.map((m) => m.pattern));
    const corroborated =
      names.some((m) => m.role === 'domain') || contacts.length > 0 || keywords.length > 0 || distinctNames.size > 1;
    const named = names.some((m) => !m.ambiguous) || (names.length > 0 && corroborated);
    const distinctiveContact = contacts.some((m) => m.distinctive);
    if (!named && !distinctiveContact) continue;
    identified.push({
      account,
      mentions: [...names, ...contacts].sort((a, b) => a.first - b.first),
      identity: identityScore(evidenceWeights(names, contacts, keywords, named)),
    });
  }
  return identified;
}

/** One weight per distinct piece of evidence: repeating a name in every paragraph adds nothing. */
function evidenceWeights(names: readonly Mention[], contacts: readonly Mention[], keywords: readonly Mention[], named: boolean): number[] {
  const best = new Map<string, number>();
  for (const m of names) offer(best, `p${m.pattern}`, m.weight);
  for (const m of contacts) {
    // Standing alone, a distinctive contact is the whole proof; next to the company it corroborates.
    offer(best, `c${m.contact}`, !named && m.distinctive ? DISTINCTIVE_CONTACT_WEIGHT : m.weight);
  }
  for (const m of keywords) offer(best, `p${m.pattern}`, m.weight);
  return [...best.values()];
}

// A module-level function, not a closure: tsx wraps every closure in a naming helper per call.
function offer(best: Map<string, number>, key: string, weight: number): void {
  best.set(key, Math.max(best.get(key) ?? 0, weight));
}
