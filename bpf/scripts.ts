/**
 * The probe scripts hintbench ships, and joining several of them into one bpftrace program.
 *
 * bpftrace accepts `#define` lines only before the first probe and at most one BEGIN and one
 * END per program, and 0.17 fails to load a program where a tracepoint appears both in a probe
 * list (`tracepoint:a, tracepoint:b { }`) and on its own ("unreachable insn"), so the scripts
 * use no BEGIN/END and no probe lists, prefix their map and macro names
 * (`@hb_<script>_`, `HB_`), and joinScripts() hoists every `#define` to the top. It records
 * which lines of the joined program came from which script, so a bpftrace error
 * (`probes.bt:171:1-26: ERROR: ...`) can be traced back to the script that caused it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXPLAIN_SCRIPT_NAMES, type ExplainSource } from '../core/types.ts';

/** Names of the shipped scripts (bpf/<name>.bt). */
export type ProbeScriptName =
  | 'hint-latency'
  | 'hint-latency-batch'
  | 'refaults'
  | 'stall'
  | 'reclaim-bg'
  | 'eintr'
  | 'hint-tlb'
  | 'hint-ipi'
  | 'hint-sched'
  | 'refault-latency'
  | 'reclaim-events';

/** Every shipped script, in the order they are joined. */
export const PROBE_SCRIPTS: readonly ProbeScriptName[] = [
  'hint-latency',
  'hint-latency-batch',
  'refaults',
  'stall',
  'reclaim-bg',
  'eintr',
  'hint-tlb',
  'hint-ipi',
  'hint-sched',
  'refault-latency',
  'reclaim-events',
];

/** The script behind each explanation source (core/types.ts ExplainSource). */
export const EXPLAIN_SCRIPTS: Readonly<Record<ExplainSource, ProbeScriptName>> = EXPLAIN_SCRIPT_NAMES;

/** The explanation sources among `scripts`. */
export function explainSourcesOf(scripts: readonly ProbeScriptName[]): ExplainSource[] {
  return (Object.keys(EXPLAIN_SCRIPTS) as ExplainSource[]).filter((src) => scripts.includes(EXPLAIN_SCRIPTS[src]));
}

/** Tracepoints (`category/name`) each script attaches to; refaults.bt uses a software event only. */
export const SCRIPT_TRACEPOINTS: Readonly<Record<ProbeScriptName, readonly string[]>> = {
  'hint-latency': [
    'syscalls/sys_enter_process_madvise',
    'syscalls/sys_exit_process_madvise',
    'syscalls/sys_enter_madvise',
    'syscalls/sys_exit_madvise',
    'vmscan/mm_vmscan_reclaim_pages',
  ],
  'hint-latency-batch': [
    'syscalls/sys_enter_process_madvise',
    'syscalls/sys_exit_process_madvise',
    'syscalls/sys_enter_madvise',
    'syscalls/sys_exit_madvise',
    'vmscan/mm_vmscan_reclaim_pages',
  ],
  refaults: [],
  stall: ['sched/sched_switch'],
  'reclaim-bg': ['vmscan/mm_vmscan_reclaim_pages', 'vmscan/mm_vmscan_lru_shrink_inactive'],
  eintr: ['raw_syscalls/sys_exit'],
  'hint-tlb': ['syscalls/sys_enter_process_madvise', 'syscalls/sys_exit_process_madvise', 'syscalls/sys_enter_madvise', 'syscalls/sys_exit_madvise', 'tlb/tlb_flush'],
  'hint-ipi': [
    'syscalls/sys_enter_process_madvise',
    'syscalls/sys_exit_process_madvise',
    'syscalls/sys_enter_madvise',
    'syscalls/sys_exit_madvise',
    'ipi/ipi_send_cpu',
    'ipi/ipi_send_cpumask',
    'irq_vectors/call_function_entry',
    'irq_vectors/call_function_single_entry',
  ],
  'hint-sched': [
    'syscalls/sys_enter_process_madvise',
    'syscalls/sys_exit_process_madvise',
    'syscalls/sys_enter_madvise',
    'syscalls/sys_exit_madvise',
    'sched/sched_switch',
    'sched/sched_migrate_task',
  ],
  'refault-latency': ['exceptions/page_fault_user'],
  'reclaim-events': [
    'vmscan/mm_vmscan_memcg_reclaim_begin',
    'vmscan/mm_vmscan_memcg_reclaim_end',
    'vmscan/mm_vmscan_direct_reclaim_begin',
    'vmscan/mm_vmscan_direct_reclaim_end',
    'vmscan/mm_vmscan_throttled',
  ],
};

/** The pressure family's probe: run only in blocks with pressure scenarios. */
export const PRESSURE_SCRIPT: ProbeScriptName = 'reclaim-events';

/**
 * The explanation scripts and the pressure probe: optional, a run leaves one out (with a
 * warning) when this kernel lacks a tracepoint it uses.
 */
const OPTIONAL_SCRIPTS: readonly ProbeScriptName[] = [...Object.values(EXPLAIN_SCRIPTS), PRESSURE_SCRIPT];

/** Every tracepoint the required (non-explanation) scripts use, sorted, without duplicates: what `hintbench doctor` requires. */
export const TRACEPOINTS_USED: readonly string[] = [...new Set(PROBE_SCRIPTS.filter((s) => !OPTIONAL_SCRIPTS.includes(s)).flatMap((s) => SCRIPT_TRACEPOINTS[s]))].sort();

/** Absolute path of a shipped script. */
export function scriptPath(name: ProbeScriptName): string {
  return fileURLToPath(new URL(`./${name}.bt`, import.meta.url));
}

/** Source text of a shipped script. */
export function readScript(name: ProbeScriptName): string {
  return readFileSync(scriptPath(name), 'utf8');
}

/** Where one script's text sits in a joined program (1-based, inclusive line numbers). */
export interface ScriptSection {
  name: ProbeScriptName;
  firstLine: number;
  lastLine: number;
}

/** A joined program and the line ranges its scripts occupy. */
export interface JoinedProgram {
  /** The program text to hand to bpftrace. */
  program: string;
  /** One section per script, in program order; hoisted #define lines belong to none. */
  sections: ScriptSection[];
}

const DEFINE = /^\s*#\s*define\b/;

/**
 * Joins scripts into one program: all `#define` lines first (duplicates dropped), then each
 * script's text with its `#define` lines blanked, so line numbers inside a section are the
 * script's own line numbers plus the section's offset. Throws on an unknown or repeated name.
 */
export function joinScripts(names: readonly ProbeScriptName[], read: (name: ProbeScriptName) => string = readScript): JoinedProgram {
  if (names.length === 0) throw new Error('joinScripts: no script selected');
  const seen = new Set<ProbeScriptName>();
  const defines: string[] = [];
  const bodies: { name: ProbeScriptName; lines: string[] }[] = [];
  for (const name of names) {
    if (seen.has(name)) throw new Error(`joinScripts: script ${name} selected twice`);
    seen.add(name);
    const lines = read(name).replace(/\n+$/, '').split('\n');
    bodies.push({
      name,
      lines: lines.map((l) => {
        if (!DEFINE.test(l)) return l;
        if (!defines.includes(l.trim())) defines.push(l.trim());
        return '';
      }),
    });
  }
  const out: string[] = [...defines];
  const sections: ScriptSection[] = [];
  for (const b of bodies) {
    const firstLine = out.length + 1;
    out.push(...b.lines);
    sections.push({ name: b.name, firstLine, lastLine: out.length });
  }
  return { program: `${out.join('\n')}\n`, sections };
}

/** The script a line of a joined program came from, or null (a hoisted #define, or out of range). */
export function scriptForLine(sections: readonly ScriptSection[], line: number): { name: ProbeScriptName; line: number } | null {
  const s = sections.find((x) => line >= x.firstLine && line <= x.lastLine);
  return s === undefined ? null : { name: s.name, line: line - s.firstLine + 1 };
}

/**
 * Rewrites `<file>:LINE:` references in bpftrace's messages about a joined program into
 * `bpf/<script>.bt:LINE:` so a user sees the script and line to look at.
 */
export function mapErrorLocations(message: string, programFile: string, sections: readonly ScriptSection[]): string {
  const escaped = programFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(`${escaped}:(\\d+)`, 'g'), (whole, n: string) => {
    const hit = scriptForLine(sections, Number(n));
    return hit === null ? whole : `bpf/${hit.name}.bt:${hit.line}`;
  });
}
