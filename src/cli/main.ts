// The coredx command: wires subcommands to the library and turns usage errors into exit code 2.

import { Command, CommanderError } from 'commander';
import { TOOL } from '../render/json.js';
import { registerAnalyze } from './analyze.js';
import { registerScan } from './scan.js';
import { registerMerge } from './merge.js';
import { registerRules } from './rules.js';
import { registerDebuggerSetup } from './debugger-setup.js';
import { EXIT } from './exit-codes.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('coredx')
    .description('Crash-backtrace analyzer: what most likely went wrong, and how to fix it.')
    .version(TOOL.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerAnalyze(program);
  registerScan(program);
  registerMerge(program);
  registerRules(program);
  registerDebuggerSetup(program);
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  program.commands.forEach(override);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.USAGE_OR_INPUT;
      return;
    }
    throw err;
  }
}
