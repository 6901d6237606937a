/** Reading a file of a process's /proc entry, with errors that name the pid and say what to do. */
import { readFileSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';

/** Reads /proc/PID/FILE; a missing process becomes a HintbenchError naming the pid. */
export function readProcFile(pid: number, file: string): string {
  const path = `/proc/${pid}/${file}`;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') {
      throw new HintbenchError(`process ${pid} does not exist (reading ${path})`, `check the pid; the process may have exited`, { cause: e });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new HintbenchError(`not permitted to read ${path} of process ${pid}`, 'run hintbench as root', { cause: e });
    }
    throw new HintbenchError(`cannot read ${path}: ${code ?? String(e)}`, 'check that /proc is mounted', { cause: e });
  }
}

/** A parse failure of kernel-provided text, naming the source and the field. */
export function kernelFormatError(source: string, problem: string): HintbenchError {
  return new HintbenchError(`${source}: ${problem}`, 'report this kernel version');
}
