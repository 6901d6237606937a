/**
 * The strategy lab, standalone: for a hot/cold working-set workload in a memory cgroup of its
 * own, each strategy (no hint, COLD on the cold set, PAGEOUT on the cold set, PAGEOUT on
 * everything; delivered by process_madvise or injected by ptrace) followed by pressure (the cgroup's limit lowered
 * below the working set). Writes the samples and per-strategy medians as JSON and one line of
 * text per strategy: freed MiB, hot-set refaults, cold pages evicted, hot-set access p99 under
 * pressure vs without, OOM kills. Medians come with a confidence interval and its coverage
 * (`[lower to upper, coverage]`); samples of the strategies are interleaved.
 *
 *   node --import tsx bench/benchmarks/pressure-lab.ts [--hot-mib 64] [--cold-mib 192]
 *     [--hot-kind anon] [--cold-kind anon] [--content random] [--limit-mib N]
 *     [--strategies none,cold_cold_set,pageout_cold_set,pageout_all] [--repeat 3]
 *     [--batches 40] [--batch-pages N] [--interval-ms 25] [--file-dir DIR]
 *     [--via process_madvise|ptrace] [--out FILE]
 *
 * Needs root, a memory cgroup controller and swap (run `hintbench setup` first). docs/lab.md
 * says what each figure means.
 */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { parseArgs } from 'node:util';
import { HintbenchError } from '../../core/errors.ts';
import { requireRoot } from '../../core/process/privileges.ts';
import { formatError } from '../cli.ts';
import { type LabFlags, parseLabConfig } from '../pressure/config.ts';
import { detectMemcg, removeStaleLabMemcgs } from '../pressure/memcg-host.ts';
import { type LabSample, runLabSample } from '../pressure/sample.ts';
import { strategyLine, summarizeStrategy } from '../pressure/summary.ts';
import { writeBenchmark } from './output.ts';

const FLAGS = [
  'hot-mib',
  'cold-mib',
  'hot-kind',
  'cold-kind',
  'content',
  'limit-mib',
  'strategies',
  'repeat',
  'batches',
  'batch-pages',
  'interval-ms',
  'file-dir',
  'via',
  'out',
] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])), strict: true });
  const cfg = parseLabConfig(values as LabFlags);
  requireRoot('the pressure lab', 'it creates memory cgroups and hints other processes', 'node --import tsx bench/benchmarks/pressure-lab.ts');
  const features = detectMemcg();
  const stale = await removeStaleLabMemcgs(features);
  const swapActive = readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
  if (!swapActive) throw new HintbenchError('no swap is active: PAGEOUT of anonymous memory would do nothing', 'run hintbench setup (it creates a zram swap device)');

  const samples: LabSample[] = [];
  for (let r = 0; r < cfg.repeat; r++) {
    for (const strategy of cfg.strategies) {
      const s = await runLabSample(cfg, strategy, features);
      samples.push(s);
      process.stderr.write(`sample ${r + 1}/${cfg.repeat} ${strategy}: ${s.error ?? 'ok'}\n`);
    }
  }
  const summaries = cfg.strategies.map((s) => summarizeStrategy(s, samples));
  const header = `pressure lab, ${cfg.spec.hot.sizeMiB} MiB hot ${cfg.spec.hot.kind} + ${cfg.spec.cold.sizeMiB} MiB cold ${cfg.spec.cold.kind} (${cfg.spec.hot.content}), limit ${cfg.limitMiB} MiB, via ${cfg.via}, memcg ${features.version}, PSI ${features.psiScope}:`;
  const lines = [header, ...summaries.map(strategyLine)];
  writeBenchmark(
    'pressure-lab',
    {
      kernel: release(),
      config: cfg,
      memcg: features,
      proactiveReclaimBaseline: features.proactiveReclaim ? 'available (not run by this driver)' : `missing: ${features.proactiveReclaimMissing}`,
      staleCgroupsRemoved: stale,
      summaries,
      samples,
    },
    lines.join('\n'),
    values.out,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${formatError(err)}\n`);
  process.exitCode = err instanceof HintbenchError ? err.exitCode : 1;
});
