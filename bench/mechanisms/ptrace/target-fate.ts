/**
 * What became of a target after its tracer vanished in the middle of an injection, as far as
 * /proc can tell a process that is not hintbench's child.
 */
import { readFileSync } from 'node:fs';
import { readProcStat, statField, statFieldsAfterComm } from '../../../core/proc/stat.ts';
import { signalName } from '../../../core/sys/ptrace-status.ts';

/** The target's state, and a sentence for error messages. */
export interface TargetFate {
  alive: boolean;
  /** Signal that killed it, when /proc still shows its exit status (a zombie), else null. */
  signal: number | null;
  sentence: string;
}

/**
 * Looks at the injected thread `tid` (the main thread by default): alive (its process
 * survived, even when its main thread had exited before), else the process's /proc/PID/stat:
 * zombie (with its exit status, field 52) or gone.
 */
export function targetFate(pid: number, tid: number = pid): TargetFate {
  const threadNow = readProcStat(pid, { tid })?.state ?? null;
  if (threadNow !== null && threadNow !== 'Z' && threadNow !== 'X') {
    return { alive: true, signal: null, sentence: tid === pid ? `pid ${pid} survived (state ${threadNow})` : `pid ${pid} survived (thread ${tid} in state ${threadNow})` };
  }
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return { alive: false, signal: null, sentence: `pid ${pid} is gone (its exit status went to its parent, not to hintbench)` };
  }
  const state = statFieldsAfterComm(text, `/proc/${pid}/stat`)[0] ?? '?';
  if (state !== 'Z' && state !== 'X') return { alive: true, signal: null, sentence: `pid ${pid} survived (state ${state})` };
  let status = 0;
  try {
    status = statField(text, 52);
  } catch {
    /* older kernels: no exit_code field */
  }
  const signal = status & 0x7f;
  if (signal !== 0) return { alive: false, signal, sentence: `pid ${pid} died, killed by ${signalName(signal)}` };
  return { alive: false, signal: null, sentence: `pid ${pid} exited with code ${(status >> 8) & 0xff}` };
}
