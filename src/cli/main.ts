// The coredx command: wires subcommands to the library and turns usage errors into exit code 2.
// Start-up matters (a paste should answer at once): each subcommand's module is imported only when
// that subcommand runs, so `coredx analyze` never loads scan's renderers or the rule tools, and
// `coredx --version` loads nothing but commander's answer.

import type { Command } from 'commander';
import { TOOL } from '../render/json.js';
import { EXIT } from './exit-codes.js';

type Register = (program: Command) => void;

/** The subcommands, in the order `coredx --help` lists them, each with how to load its module. */
const SUBCOMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['analyze', async () => (await import('./analyze.js')).registerAnalyze],
  ['scan', async () => (await import('./scan.js')).registerScan],
  ['merge', async () => (await import('./merge.js')).registerMerge],
  ['rules', async () => (await import('./rules.js')).registerRules],
  ['debugger-setup', async () => (await import('./debugger-setup.js')).registerDebuggerSetup],
];

/**
 * A scan thread's entry, for threads of a process that runs the CLI bundle (bin/run-bundle.cjs):
 * they run the same bundle, compiled from its code cache. Loaded only when a thread asks.
 */
export const scanWorker = async () => (await import('../scan/worker-main.js')).runScanWorker;
/** A scan worker process's side of its channel (bin/scan-process.cjs): listening from its first moment. */
export { processPort as scanProcessPort, failStarting as scanWorkerFailed } from '../scan/process-port.js';

export async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  // What commander prints for `coredx --version` (and -V), without loading it.
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${TOOL.version}\n`);
    process.exitCode = 0;
    return;
  }
  const { Command, CommanderError } = await import('commander');
  const program = new Command('coredx')
    .description('Crash-backtrace analyzer: what most likely went wrong, and how to fix it.')
    .version(TOOL.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // A subcommand named first is dispatched to by commander whatever follows: only it is registered.
  // Anything else (no argument, --help, `help`, an unknown name or option) gets every subcommand,
  // so help, suggestions and errors are commander's as before.
  const named = SUBCOMMANDS.find(([name]) => name === args[0]);
  const registers = await Promise.all((named ? [named] : SUBCOMMANDS).map(([, load]) => load()));
  for (const register of registers) register(program);
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
