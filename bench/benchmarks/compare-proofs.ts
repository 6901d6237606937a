/**
 * Real-run proofs of `hintbench compare`, each phase meant to run alone under the machine-wide
 * integration lock (flock /tmp/hb-integration.lock), each within a time budget:
 *
 *   aa    runs the proof suite again and again until the budget is spent, then compares
 *         disjoint consecutive pairs: every regressed or improved cell is a false positive;
 *         states the false-positive rate over all metric tests.
 *   hog   runs the suite, then again while `stress-ng -c 2` loads both CPUs: compare must flag
 *         it (exit 1) in the right direction.
 *   zram  runs the suite on zram with lzo-rle, re-creates the swap device with lz4 (swapoff,
 *         reset, comp_algorithm, disksize, mkswap, swapon -p 100), runs again, restores lzo-rle
 *         the same way and checks `swapon --show` and /run/hintbench/host-state.json are as
 *         they were.
 *   report  recomputes the figures of all phases from the runs already in --out.
 *
 *   node --import tsx bench/benchmarks/compare-proofs.ts <phase> [--out DIR] [--reps N] [--budget-s S] [--aa-from K]
 *
 * --aa-from K leaves the first K A/A runs out of the figures (runs made while other work
 * loaded the machine: the JSON lists the runs used).
 *
 * Writes results/benchmarks/compare-proofs-<phase>.json and one line of text.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildComparison, type Comparison, type ComparisonCell } from '../../reports/compare/compare.ts';
import { loadRun } from '../../reports/compare/load.ts';
import { writeBenchmark } from './output.ts';

const CLI = new URL('../hintbench.js', import.meta.url).pathname;
const SUITE = new URL('./compare-proof-suite.json', import.meta.url).pathname;
const ZRAM = '/dev/zram0';
const ZRAM_SYS = '/sys/block/zram0';
const HOST_STATE = '/run/hintbench/host-state.json';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, reps: { type: 'string' }, 'budget-s': { type: 'string' }, 'aa-from': { type: 'string' } },
});
const phase = positionals[0] ?? 'report';
const outRoot = resolve(values.out ?? 'results/compare-proofs');
const reps = Number(values.reps ?? 10);
const budgetMs = Number(values['budget-s'] ?? 540) * 1000;
/** A/A runs before this index are left out of the figures (e.g. runs made while other work loaded the machine). */
const aaFrom = Number(values['aa-from'] ?? 0);
mkdirSync(outRoot, { recursive: true });

/** Runs the proof suite into `dir`; returns its wall time. Throws when the run does not finish cleanly. */
function runSuite(dir: string): number {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'run', '--suite', SUITE, '--reps', String(reps), '--no-setup', '--out', dir], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 3) throw new Error(`hintbench run into ${dir} exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  return Date.now() - t0;
}

/** Compares two run directories with the default options. */
function compareDirs(base: string, next: string): Comparison {
  return buildComparison(loadRun(base), [loadRun(next)]);
}

/** A cell's figures for the JSON output. */
function cellFigures(c: ComparisonCell): object {
  return {
    scenario: c.scenarioId,
    metric: c.field,
    nBase: c.nBase,
    nNew: c.nNew,
    ratioOfMedians: c.ratioOfMedians,
    shift: c.shift,
    adjustedPValue: c.adjustedPValue,
    verdict: c.verdict,
    reason: c.reason,
  };
}

const pct = (f: number | null | undefined): string => (f === null || f === undefined ? '-' : `${f >= 0 ? '+' : ''}${(f * 100).toFixed(1)}%`);
const shiftText = (c: ComparisonCell): string => (c.shift === null ? '-' : `${pct(c.shift.estimate)} [${pct(c.shift.lower)}, ${pct(c.shift.upper)}]`);

/** Run directories of a phase, in the order they were made. */
function phaseDirs(prefix: string): string[] {
  return readdirSync(outRoot)
    .filter((d) => d.startsWith(prefix) && existsSync(join(outRoot, d, 'results.json')))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map((d) => join(outRoot, d));
}

function aaRuns(): void {
  const start = Date.now();
  let k = phaseDirs('aa-').length;
  let last = 0;
  while (Date.now() - start + last * 1.2 < budgetMs) {
    last = runSuite(join(outRoot, `aa-${k}`));
    process.stderr.write(`aa-${k}: ${(last / 1000).toFixed(1)} s\n`);
    k++;
  }
}

function aaReport(): void {
  const dirs = phaseDirs('aa-').slice(aaFrom);
  const pairs: Comparison[] = [];
  for (let i = 0; i + 1 < dirs.length; i += 2) pairs.push(compareDirs(dirs[i]!, dirs[i + 1]!));
  const cells = pairs.flatMap((p) => p.cells);
  const falsePositives = cells.filter((c) => c.verdict === 'regressed' || c.verdict === 'improved');
  const tested = cells.filter((c) => c.adjustedPValue !== null).length;
  const rawSignificant = cells.filter((c) => c.pValue !== null && c.pValue < 0.05).length;
  const counts = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 };
  for (const c of cells) counts[c.verdict]++;
  const rate = cells.length === 0 ? 0 : falsePositives.length / cells.length;
  // Every pair (i < j): more comparisons, not independent of each other (each run is in several).
  const allPairs: Comparison[] = [];
  for (let i = 0; i < dirs.length; i++) for (let j = i + 1; j < dirs.length; j++) allPairs.push(compareDirs(dirs[i]!, dirs[j]!));
  const allCells = allPairs.flatMap((p) => p.cells);
  const allFalse = allCells.filter((c) => c.verdict === 'regressed' || c.verdict === 'improved');
  const allRate = allCells.length === 0 ? 0 : allFalse.length / allCells.length;
  const shifts = cells.flatMap((c) => (c.shift === null ? [] : [Math.abs(c.shift.estimate)])).sort((a, b) => a - b);
  const widths = cells.flatMap((c) => (c.shift === null ? [] : [c.shift.upper - c.shift.lower])).sort((a, b) => a - b);
  const mid = (xs: number[]): number | null => (xs.length === 0 ? null : xs[Math.floor(xs.length / 2)]!);
  writeBenchmark(
    'compare-proofs-aa',
    {
      runs: dirs,
      leftOutRuns: aaFrom,
      pairs: pairs.length,
      metricTests: cells.length,
      testsWithPValue: tested,
      falsePositives: falsePositives.map(cellFigures),
      falsePositiveRate: rate,
      nominalRate: 0.05,
      uncorrectedPBelow005: rawSignificant,
      verdictCounts: counts,
      pairsWithRegression: pairs.filter((p) => p.regressed).length,
      medianAbsShift: mid(shifts),
      medianIntervalWidth: mid(widths),
      allPairs: { pairs: allPairs.length, metricTests: allCells.length, falsePositives: allFalse.map(cellFigures), falsePositiveRate: allRate },
    },
    `A/A: ${pairs.length} pairs, ${cells.length} metric tests, ${falsePositives.length} false positives (rate ${(rate * 100).toFixed(2)}%, nominal 5%); ` +
      `verdicts ${counts.unchanged} unchanged, ${counts.inconclusive} inconclusive; ${rawSignificant} tests with uncorrected p < 0.05; ${pairs.filter((p) => p.regressed).length} pairs would exit 1; ` +
      `all ${allPairs.length} pairs: ${allFalse.length} of ${allCells.length} (${(allRate * 100).toFixed(2)}%); median |shift| ${pct(mid(shifts))}, median interval width ${pct(mid(widths))}`,
  );
}

/** Starts `stress-ng -c 2` and waits until its workers are running. */
function startHog(): ChildProcess {
  const hog = spawn('stress-ng', ['-c', '2', '--timeout', '0', '--quiet'], { stdio: 'ignore' });
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const kids = spawnSync('pgrep', ['-P', String(hog.pid)], { encoding: 'utf8' }).stdout.trim();
    if (kids.split('\n').filter(Boolean).length >= 2) break;
    spawnSync('sleep', ['0.1']);
  }
  return hog;
}

async function stopHog(hog: ChildProcess): Promise<void> {
  if (hog.exitCode !== null) return;
  const exited = new Promise((r) => hog.once('exit', r));
  hog.kill('SIGTERM');
  await exited;
}

async function hogRuns(): Promise<void> {
  runSuite(join(outRoot, 'hog-base'));
  const hog = startHog();
  try {
    runSuite(join(outRoot, 'hog-new'));
  } finally {
    await stopHog(hog);
  }
}

function abReport(name: string, base: string, next: string, extra: object = {}): void {
  const c = compareDirs(join(outRoot, base), join(outRoot, next));
  const flagged = c.cells.filter((x) => x.verdict === 'regressed' || x.verdict === 'improved');
  writeBenchmark(
    `compare-proofs-${name}`,
    { base, next, exitCode: c.regressed ? 1 : 0, counts: c.counts, environmentDifferences: c.news[0]!.environmentDifferences, cells: c.cells.map(cellFigures), ...extra },
    `${name}: exit ${c.regressed ? 1 : 0}; ${c.counts.regressed} regressed, ${c.counts.improved} improved, ${c.counts.unchanged} unchanged, ${c.counts.inconclusive} inconclusive; ` +
      c.cells
        .filter((x) => x.field === 'userLatencyNs' || x.field === 'kernelLatencyNs' || flagged.includes(x))
        .map((x) => `${x.scenarioId.split('/')[0]} ${x.field} ${shiftText(x)} ${x.verdict}`)
        .join('; '),
  );
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function write(path: string, text: string): void {
  sh('sh', ['-c', `printf '%s' "$1" > "$2"`, 'sh', text, path]);
}

/** Recreates the zram swap device with `algorithm`: swapoff, reset, comp_algorithm, disksize, mkswap, swapon -p 100. */
function recreateZram(algorithm: string, disksize: string): void {
  sh('swapoff', [ZRAM]);
  write(`${ZRAM_SYS}/reset`, '1');
  write(`${ZRAM_SYS}/comp_algorithm`, algorithm);
  write(`${ZRAM_SYS}/disksize`, disksize);
  sh('mkswap', [ZRAM]);
  sh('swapon', ['-p', '100', ZRAM]);
}

function activeAlgorithm(): string {
  return /\[([^\]]+)\]/.exec(readFileSync(`${ZRAM_SYS}/comp_algorithm`, 'utf8'))?.[1] ?? '?';
}

function swapShow(): string {
  return sh('swapon', ['--show=NAME,TYPE,SIZE,PRIO', '--noheadings']).trim();
}

function zramRuns(): void {
  const before = { swap: swapShow(), algorithm: activeAlgorithm(), hostState: readFileSync(HOST_STATE, 'utf8'), disksize: readFileSync(`${ZRAM_SYS}/disksize`, 'utf8').trim() };
  if (before.algorithm !== 'lzo-rle') throw new Error(`zram0 uses ${before.algorithm}, expected lzo-rle before the proof`);
  runSuite(join(outRoot, 'zram-lzo-rle'));
  let restoreError: unknown = null;
  try {
    recreateZram('lz4', before.disksize);
    runSuite(join(outRoot, 'zram-lz4'));
  } finally {
    try {
      recreateZram('lzo-rle', before.disksize);
    } catch (e) {
      restoreError = e;
    }
  }
  const after = { swap: swapShow(), algorithm: activeAlgorithm(), hostState: readFileSync(HOST_STATE, 'utf8') };
  const restored = restoreError === null && after.swap === before.swap && after.algorithm === 'lzo-rle' && after.hostState === before.hostState;
  writeBenchmark(
    'compare-proofs-zram-restore',
    { before, after, restored, restoreError: restoreError === null ? null : String(restoreError) },
    `zram restored: ${restored} (${after.swap}, ${after.algorithm})`,
  );
  if (!restored) throw new Error('zram0 was not restored as it was: see compare-proofs-zram-restore.json');
}

switch (phase) {
  case 'aa':
    aaRuns();
    aaReport();
    break;
  case 'hog':
    await hogRuns();
    abReport('hog', 'hog-base', 'hog-new');
    break;
  case 'zram':
    zramRuns();
    abReport('zram', 'zram-lzo-rle', 'zram-lz4');
    break;
  case 'report':
    if (phaseDirs('aa-').length >= 2) aaReport();
    if (existsSync(join(outRoot, 'hog-new', 'results.json'))) abReport('hog', 'hog-base', 'hog-new');
    if (existsSync(join(outRoot, 'zram-lz4', 'results.json'))) abReport('zram', 'zram-lzo-rle', 'zram-lz4');
    break;
  default:
    throw new Error(`unknown phase '${phase}': aa, hog, zram or report`);
}
