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
  // One loop, no array callbacks: with five of them inlined, V8 spent ~35 ms compiling this
  // function (twice, after a deopt) while a fresh worker's first articles waited for it.
  for (const [account, list] of byAccount) {
    const names: Mention[] = [];
    const contacts: Mention[] = [];
    const keywords: Mention[] = [];
    let domain = false;
    let unambiguous = false;
    let distinctiveContact = false;
    let firstPattern = -1;
    let distinctNames = false; // two names with different patterns
    for (const m of list) {
      if (m.contact < 0 && m.role !== 'keyword') {
        // Compared before the branch so the comparison has run (and V8 has seen it) by the time
        // an article names an account twice.
        const samePattern = m.pattern === firstPattern;
        if (firstPattern < 0) firstPattern = m.pattern;
        else if (!samePattern) distinctNames = true;
        names.push(m);
        domain ||= m.role === 'domain';
        unambiguous ||= !m.ambiguous;
      }
      if (m.role === 'contact') {
        contacts.push(m);
        distinctiveContact ||= m.distinctive;
      }
      if (m.role === 'keyword') keywords.push(m);
    }
    // Every length read on every path: a read only an ambiguous-only account reaches would
    // have no type feedback, and V8 discards the compiled function the first time one arrives.
    const hasNames = names.length > 0;
    const corroborated = domain || contacts.length > 0 || keywords.length > 0 || distinctNames;
    const named = unambiguous || (hasNames && corroborated);
    if (!named && !distinctiveContact) continue;
    identified.push({
      account,
      mentions: names.concat(contacts).sort(byFirstToken),
      identity: identityScore(evidenceWeights(names, contacts, keywords, named)),
    });
  }
  return identified;
}

function byFirstToken(a: Mention, b: Mention): number {
  return a.first - b.first;
}

/** One weight per distinct piece of evidence: repeating a name in every paragraph adds nothing. */
function evidenceWeights(names: readonly Mention[], contacts: readonly Mention[], keywords: readonly Mention[], named: boolean): number[] {
  // The best weight per pattern and per contact, in the order first offered (the noisy-OR multiplies
  // in that order). A handful per account, so flat lists searched in turn, not a Map with a string
  // key built per mention.
  const evidence: Evidence = { contacts: [], ids: [], weights: [] };
  for (const m of names) offer(evidence, 0, m.pattern, m.weight);
  for (const m of contacts) {
    // Standing alone, a distinctive contact is the whole proof; next to the company it corroborates.
    offer(evidence, 1, m.contact, !named && m.distinctive ? DISTINCTIVE_CONTACT_WEIGHT : m.weight);
  }
  for (const m of keywords) offer(evidence, 0, m.pattern, m.weight);
  return evidence.weights;
}

interface Evidence {
  /** 1 for a contact (id is the contact index), 0 for a pattern. */
  contacts: number[];
  ids: number[];
  weights: number[];
}

function offer(evidence: Evidence, contact: number, id: number, weight: number): void {
  for (let i = 0; i < evidence.ids.length; i++) {
    if (evidence.ids[i] === id && evidence.contacts[i] === contact) {
      evidence.weights[i] = Math.max(evidence.weights[i] ?? 0, weight);
      return;
    }
  }
  evidence.contacts.push(contact);
  evidence.ids.push(id);
  evidence.weights.push(Math.max(0, weight));
}
