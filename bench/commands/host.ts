import { formatDoctor, runDoctor } from '../host/doctor.ts';
import { setupHost, teardownHost } from '../host/setup.ts';
import { noPositionals, requireRootFor } from './args.ts';
import type { Command } from './types.ts';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** `hintbench doctor`: every check a run needs, every problem at once with its fix. */
export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'doctor [--json]',
  summary: 'check that this host can run hintbench; exit 0 only when a run can succeed',
  options: { json: { type: 'boolean', help: 'print the checks as JSON' } },
  async run(values, positionals) {
    noPositionals('doctor', positionals);
    const report = await runDoctor();
    log(values.json === true ? JSON.stringify(report, null, 2) : formatDoctor(report));
    return report.canRun ? 0 : 1;
  },
};

/** `hintbench setup`: prepare the host and keep it prepared until `hintbench teardown`. */
export const setupCommand: Command = {
  name: 'setup',
  usage: 'setup',
  summary: 'install bpftrace, create zram swap, mount tracefs, as needed (undo: teardown)',
  options: {},
  async run(_values, positionals) {
    noPositionals('setup', positionals);
    requireRootFor('hintbench setup');
    const changes = await setupHost({ log, purpose: 'keep' });
    log(changes.lines.length === 0 ? 'Host already prepared: nothing changed' : `Changed ${changes.lines.length} thing(s); undo with hintbench teardown`);
    return 0;
  },
};

/** `hintbench teardown`: undo exactly what setup created. */
export const teardownCommand: Command = {
  name: 'teardown',
  usage: 'teardown [--force]',
  summary: 'remove what hintbench setup created (swap device, tracefs mount) and cgroups killed runs left',
  options: { force: { type: 'boolean', help: 'undo the preparation even while running hintbench processes still use it' } },
  async run(values, positionals) {
    noPositionals('teardown', positionals);
    requireRootFor('hintbench teardown');
    const lines = await teardownHost({ log, force: values.force === true });
    if (lines.length === 0) log('Nothing to undo');
    return 0;
  },
};
