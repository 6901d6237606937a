/**
 * The workload side of the control protocol's transport: replies as lines on stdout, commands
 * read from stdin and handled one at a time in order, an `error` reply for a command that
 * cannot be parsed or fails, and exit when the runner closes stdin.
 */
import { readLines } from '../core/channel.ts';
import { encodeLine, parseCommand, type Command, type Reply } from './protocol.ts';

/** Writes one reply line. */
export function send(reply: Reply): void {
  process.stdout.write(encodeLine(reply));
}

/** Answers `verify` with id `id`: runs `check` over the memory and replies with its outcome and time. */
export function sendVerified(id: number, check: () => { corruptPages: number; firstCorruptAddr: number | null }): void {
  const t0 = process.hrtime.bigint();
  const { corruptPages, firstCorruptAddr } = check();
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  send(
    firstCorruptAddr === null
      ? { type: 'verified', id, intact: true, corruptPages, elapsedNs }
      : { type: 'verified', id, intact: false, corruptPages, firstCorruptAddr, elapsedNs },
  );
}

/**
 * Reads commands from stdin and passes each to `handle` once the previous one has finished
 * (a handler may be asynchronous). A handler's exception becomes an `error` reply with the
 * command's id.
 */
export function serveCommands(handle: (cmd: Command) => void | Promise<void>): void {
  let queue: Promise<void> = Promise.resolve();
  readLines(process.stdin, (line) => {
    if (line.trim() === '') return;
    let cmd: Command;
    try {
      cmd = parseCommand(line);
    } catch (e) {
      send({ type: 'error', message: (e as Error).message });
      return;
    }
    queue = queue.then(async () => {
      try {
        await handle(cmd);
      } catch (e) {
        send({ type: 'error', id: cmd.id, message: (e as Error).message });
      }
    });
  });
  // The runner closed our stdin (it exited or let go of us): leave.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
}
