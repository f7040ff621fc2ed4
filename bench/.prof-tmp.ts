import { generateAccounts, generateArticles } from './matching.bench.js';
import { findSignals } from '../src/matching/find-signals.js';
import { buildMatchIndex } from '../src/matching/match-index.js';
const accounts = generateAccounts(100_000);
const articles = generateArticles(accounts, 3000);
let t = performance.now();
const index = buildMatchIndex(accounts);
console.log('build', Math.round(performance.now() - t));
for (const a of articles.slice(0, 300)) findSignals(index, a);
for (let r = 0; r < 3; r++) {
t = performance.now();
let s = 0;
for (const a of articles) s += findSignals(index, a).length;
const ms = performance.now() - t;
console.log('scan', Math.round(3000 / ms * 1000), 'art/s signals', s);
}
