import { describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { RUNTIME_MIB, STRATEGIES, parseLabConfig } from '../../../bench/pressure/config.ts';

/** The error parseLabConfig throws for `flags`. */
function errorOf(flags: Parameters<typeof parseLabConfig>[0]): HintbenchError {
  try {
    parseLabConfig(flags);
  } catch (err) {
    if (err instanceof HintbenchError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('strategy lab configuration', () => {
  it('fills in defaults: every strategy, a limit of runtime + hot + a quarter of cold, two passes over the hot set', () => {
    const cfg = parseLabConfig({});
    expect(cfg.strategies).toEqual([...STRATEGIES]);
    expect(cfg.via).toBe('process_madvise');
    expect(cfg.spec).toEqual({ hot: { kind: 'anon', content: 'random', sizeMiB: 64 }, cold: { kind: 'anon', content: 'random', sizeMiB: 192 } });
    expect(cfg.limitMiB).toBe(RUNTIME_MIB + 64 + 48);
    expect(cfg.batchPages * cfg.batches).toBeGreaterThanOrEqual(2 * 16384);
  });

  it('names --limit-mib when the limit is below what the workload needs to start', () => {
    const err = errorOf({ 'limit-mib': String(RUNTIME_MIB - 1) });
    expect(err.message).toMatch(/^--limit-mib \d+ is below the \d+ MiB the workload needs to start/);
    expect(err.message).not.toContain('\n');
    expect(err.fix).toContain('--limit-mib');
  });

  it('names --hot-mib when the hot set cannot fit under the limit', () => {
    const err = errorOf({ 'hot-mib': '200', 'limit-mib': String(RUNTIME_MIB + 100) });
    expect(err.message).toMatch(/^--hot-mib 200 MiB does not fit under --limit-mib/);
  });

  it('names the kind flag for an unknown memory kind, and lists the kinds', () => {
    const err = errorOf({ 'cold-kind': 'hugetlb' });
    expect(err.message).toBe('--cold-kind is not a memory kind: "hugetlb"');
    expect(err.fix).toContain('file_private');
  });

  it('names --limit-mib when the limit makes no pressure, and --strategies for an unknown strategy', () => {
    expect(errorOf({ 'limit-mib': '100000' }).message).toMatch(/^--limit-mib 100000 leaves room for the whole working set/);
    expect(errorOf({ strategies: 'none,evict' }).message).toBe('--strategies names an unknown strategy "evict"');
    expect(errorOf({ batches: '2.5' }).message).toMatch(/^--batches must be a positive integer/);
    expect(errorOf({ via: 'none' }).message).toBe('--via is not a hint mechanism: "none"');
  });
});
