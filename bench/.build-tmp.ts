import { generateAccounts } from './matching.bench.js';
import { buildMatchIndex } from '../src/matching/match-index.js';
const accounts = generateAccounts(100_000);
for (let r = 0; r < 3; r++) { const t = performance.now(); const ix = buildMatchIndex(accounts); console.log('build', Math.round(performance.now() - t), ix.automaton.stateCount); }
