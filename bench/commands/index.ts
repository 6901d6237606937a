import { compareCommand } from './compare.ts';
import { exportCommand } from './export.ts';
import { hintCommand } from './hint.ts';
import { doctorCommand, setupCommand, teardownCommand } from './host.ts';
import { reportCommand } from './report.ts';
import { runCommand } from './run.ts';
import { suitesCommand } from './suites.ts';
import type { Command } from './types.ts';

export type { Command } from './types.ts';

/** Every command, in the order `hintbench help` lists them. */
export const COMMANDS: readonly Command[] = [runCommand, hintCommand, doctorCommand, setupCommand, teardownCommand, reportCommand, compareCommand, exportCommand, suitesCommand];
