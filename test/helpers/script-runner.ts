/** A TypeScript snippet run as its own Node process (a stand-in runner), for tests that kill it and look at what it left behind. */
import { spawn } from 'node:child_process';

/** A running snippet: its pid, the first line it printed, and a SIGKILL that resolves once it has exited. */
export interface ScriptRunner {
  pid: number;
  firstLine: string;
  kill: () => Promise<void>;
}

/** Runs `code` (an ES module, tsx loaded) from the repository root; resolves once it has printed its first line. `what` names it in the error if it exits first. */
export async function startScriptRunner(code: string, what: string): Promise<ScriptRunner> {
  const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: new URL('../..', import.meta.url).pathname,
  });
  const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    let buf = '';
    runner.stdout.setEncoding('utf8');
    runner.stdout.on('data', (s: string) => {
      buf += s;
      if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
    });
    void exited.then(() => reject(new Error(`${what} exited before printing its first line`)));
  });
  return {
    pid: runner.pid!,
    firstLine,
    kill: async () => {
      runner.kill('SIGKILL');
      await exited;
    },
  };
}
