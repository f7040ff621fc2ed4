/**
 * One measured number. `baseline` is a reference measured in the same process on the same machine
 * (so a slow laptop and a fast server compare alike), and `ratio = value / baseline.value`: the ratio
 * is the headline, the absolute value is context. `target` is a goal such as "≥ 0.05×" (against
 * the ratio) or "≤ 300 MB" (against the value); see `targetMet` for what can be judged.
 */
export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  target?: string;
};

/** Fills in `ratio` from `baseline` so benchmarks only have to measure. */
export function withRatio(result: BenchResult): BenchResult {
  if (result.ratio !== undefined || !result.baseline || result.baseline.value === 0) return result;
  return { ...result, ratio: result.value / result.baseline.value };
}

/**
 * Whether `target` is met. A target is one or more clauses joined by "and", each a comparison
 * (`>=`, `≥`, `>`, `<=`, `≤`, `<`) and a number: a number followed by "×" is compared with the
 * ratio, any other with the value (its unit is not checked). Wording that fits no clause cannot be
 * judged and yields null rather than a guess.
 */
export function targetMet(result: BenchResult): boolean | null {
  if (!result.target) return null;
  const withRatioFilled = withRatio(result);
  const verdicts = result.target.split(/\band\b/).map((clause) => clauseMet(clause, withRatioFilled));
  if (verdicts.some((v) => v === null)) return null;
  return verdicts.every(Boolean);
}

function clauseMet(clause: string, result: BenchResult): boolean | null {
  const m = /^\s*(>=|≥|<=|≤|>|<)\s*(-?[\d,]+(?:\.\d+)?)\s*(×)?/.exec(clause);
  if (!m) return null;
  const [, op, raw, times] = m;
  const limit = Number((raw ?? '').replaceAll(',', ''));
  const actual = times ? result.ratio : result.value;
  if (actual === undefined || Number.isNaN(limit)) return null;
  switch (op) {
    case '>=':
    case '≥':
      return actual >= limit;
    case '<=':
    case '≤':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '<':
      return actual < limit;
    default:
      return null;
  }
}

/** Three significant figures for small numbers, whole numbers with separators for large ones. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs === 0) return '0';
  return Number(n.toPrecision(3)).toString();
}

const formatRatio = (r: number) => `${r >= 100 ? Math.round(r).toLocaleString('en-US') : Number(r.toPrecision(3))}× of baseline`;

/** Prints the results as an aligned table on stdout, ratios first-class, then a line per unmet target. */
export function printResults(results: BenchResult[]): void {
  const header = ['benchmark', 'value', 'baseline', 'ratio', 'target'];
  const rows = results.map((raw) => {
    const r = withRatio(raw);
    const met = targetMet(r);
    return [
      r.name,
      `${formatNumber(r.value)} ${r.unit}`,
      r.baseline ? `${formatNumber(r.baseline.value)} ${r.unit} (${r.baseline.name})` : '—',
      r.ratio !== undefined ? formatRatio(r.ratio) : '—',
      r.target ? `${r.target} ${met === null ? '(not judged)' : met ? '✓ met' : '✗ missed'}` : '—',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  // Numbers are right-aligned so magnitudes line up; text columns are left-aligned.
  const rightAligned = new Set([1, 3]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const missed = results.map(withRatio).filter((r) => targetMet(r) === false);
  if (missed.length) console.log(`\n${missed.length} target(s) missed: ${missed.map((r) => r.name).join(', ')}`);
}
