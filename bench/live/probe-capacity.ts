/**
 * How big the probe's record map must be for a live hint, decided before anything starts.
 * hint-latency-batch.bt keeps one record per hint syscall in a bpftrace map that the kernel
 * preallocates at BPFTRACE_MAP_KEYS_MAX entries; records beyond it are dropped (the script's
 * call counter still counts them). Sizing the map to the request, and refusing requests no
 * sane map holds, keeps every kernel-side figure.
 */
import { HintbenchError } from '../../core/errors.ts';

/**
 * Largest map hintbench asks for: 131072 records. Measured with bpftrace 0.17 on x86_64:
 * about 430 bytes of locked kernel memory per key over the script's maps, so 56 MiB.
 */
export const PROBE_RECORDS_MAX = 131_072;
/** Smallest map asked for (14 MiB): enough for the usual --repeat. */
export const PROBE_RECORDS_MIN = 32_768;
/** Records kept free for calls that are not measured hints: warm-up calls, other processes' COLD/PAGEOUT calls. */
export const PROBE_RECORDS_SPARE = 4_096;

/**
 * Map size (BPFTRACE_MAP_KEYS_MAX) for `repeat` hints of `callsPerHint` syscalls each: the
 * records needed plus the spare, rounded up to a multiple of 4096, at least
 * PROBE_RECORDS_MIN. Throws a HintbenchError naming --repeat when more than
 * PROBE_RECORDS_MAX would be needed.
 */
export function probeMapKeys(repeat: number, callsPerHint: number): number {
  const calls = Math.max(1, callsPerHint);
  const need = repeat * calls + PROBE_RECORDS_SPARE;
  if (need > PROBE_RECORDS_MAX) {
    const most = Math.floor((PROBE_RECORDS_MAX - PROBE_RECORDS_SPARE) / calls);
    throw new HintbenchError(
      `--repeat ${repeat} needs ${repeat * calls} probe records (${calls} hint syscall${calls === 1 ? '' : 's'} per hint), more than the probe keeps (${PROBE_RECORDS_MAX - PROBE_RECORDS_SPARE})`,
      most >= 1
        ? `use --repeat ${most} or less, or add --no-probe (no kernel-side latency or reclaimed pages)`
        : 'hint fewer ranges per hint, or add --no-probe (no kernel-side latency or reclaimed pages)',
    );
  }
  return Math.max(PROBE_RECORDS_MIN, Math.ceil(need / 4096) * 4096);
}
