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
  const identified: IdentifiedAccount[] = [];
  // Accounts in the order the mentions first name them, each with its mentions in their order.
  // Grouped by searching the list, not with a Map of lists: an article has a few dozen mentions at
  // most, and this function, run once per article, is optimised hundreds of articles into a run;
  // iterating a Map (and taking its entries apart) made it the costliest function to compile.
  for (let first = 0; first < mentions.length; first++) {
    const account = mentions[first]?.account ?? -1;
    if (namedEarlier(mentions, first, account)) continue;
    const names: Mention[] = [];
    const contacts: Mention[] = [];
    const keywords: Mention[] = [];
    let domain = false;
    let unambiguous = false;
    let distinctiveContact = false;
    let firstPattern = -1;
    let distinctNames = false; // two names with different patterns
    // One loop, no array callbacks: with five of them inlined, V8 spent ~35 ms compiling this
    // function (twice, after a deopt) while a fresh worker's first articles waited for it.
    for (let i = first; i < mentions.length; i++) {
      const m = mentions[i];
      if (m === undefined || m.account !== account) continue;
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
      // In text order; stable, so a name and a contact at the same token keep names first.
      mentions: names.concat(contacts).sort((a, b) => a.first - b.first),
      identity: identityScore(evidenceWeights(names, contacts, keywords, named)),
    });
  }
  return identified;
}

/** True when a mention before `index` names `account`: its group was made there. */
function namedEarlier(mentions: readonly Mention[], index: number, account: number): boolean {
  for (let i = 0; i < index; i++) if (mentions[i]?.account === account) return true;
  return false;
}


/** One weight per distinct piece of evidence: repeating a name in every paragraph adds nothing. */
function evidenceWeights(names: readonly Mention[], contacts: readonly Mention[], keywords: readonly Mention[], named: boolean): number[] {
  // The best weight per pattern and per contact, in the order first offered (the noisy-OR multiplies
  // in that order). A handful per account, so flat lists searched in turn, not a Map with a string
  // key built per mention.
  // Index loops, not for-of: this is inlined into resolveAccounts, and the iterator protocol,
  // three times over, was a good part of what V8 compiled there.
  const evidence: Evidence = { contacts: [], ids: [], weights: [] };
  for (let i = 0; i < names.length; i++) {
    const m = names[i];
    if (m !== undefined) offer(evidence, 0, m.pattern, m.weight);
  }
  for (let i = 0; i < contacts.length; i++) {
    const m = contacts[i];
    // Standing alone, a distinctive contact is the whole proof; next to the company it corroborates.
    if (m !== undefined) offer(evidence, 1, m.contact, !named && m.distinctive ? DISTINCTIVE_CONTACT_WEIGHT : m.weight);
  }
  for (let i = 0; i < keywords.length; i++) {
    const m = keywords[i];
    if (m !== undefined) offer(evidence, 0, m.pattern, m.weight);
  }
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
