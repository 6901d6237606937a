#!/usr/bin/env node
// Entry point of the `hintbench` command: loads the TypeScript sources through tsx
// (no build step) and hands over to bench/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
