// `coredx analyze [FILE...]`: flags -> library calls -> output and exit code. Nothing else.

import type { Command } from 'commander';
import { analyzeFile, analyzeSource, type AnalyzeOptions } from '../pipeline.js';
import { describeError } from '../errors.js';
import { onReadProblem, type ReadProblem } from '../source/lines.js';
import { installInterruptHandlers, MAX_TIMEOUT_MS } from '../core/debugger.js';
import { writeStdout } from './write-report.js';
import { SCHEMA_VERSION, type AnalyzeResult, type Report } from '../model.js';
import { SIGNATURE_VERSION } from '../normalize/signature.js';
import { renderJson, TOOL } from '../render/json.js';
import { renderText } from '../render/text.js';
import { chalkFor } from './color.js';
import { EXIT } from './exit-codes.js';
import { fromCoredumpctl } from './coredumpctl.js';
import { LOOKED_FOR } from '../parse/registry.js';
import { addCoreOptions, coreOptions, symbolizeOptions, type CoreFlags } from './core-options.js';
import { addRuleOptions, loadRulesForCli, type RuleFlags } from './rule-options.js';
import type { CoreOptions } from '../core/read-core.js';
import type { RuleSet } from '../rules/engine.js';
import { readTerminalPaste } from './terminal-paste.js';

interface AnalyzeFlags extends RuleFlags, CoreFlags {
  explain?: boolean;
  coredumpctl?: string | boolean;
  format: 'text' | 'json';
  allThreads?: boolean;
  color?: boolean;
}

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('explain the crashes in files or stdin: gdb/lldb backtraces, sanitizer and Valgrind reports, crash-handler dumps, ELF core files')
    .addHelpText('after', '\nExit codes: 0 at least one crash analyzed; 1 no backtrace found; 2 bad usage or an unreadable input.')
    .argument('[files...]', 'files to read; "-" or none reads stdin')
    .option('-f, --format <format>', 'output format: text or json', 'text')
    .option('-a, --all-threads', 'text output: show every thread, not only the crashing one')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output')
    .option('--explain', 'show, per report, the rules that came closest and which conditions held')
    .option('--exe <path>', 'the crashed program (core files: default the one the core names; text traces: symbolize their unnamed frames with it)')
    .option('--coredumpctl [match]', 'take the newest core from systemd-coredump (optionally matching PID, name or path)');
  addRuleOptions(addCoreOptions(cmd)).action(async (files: string[], flags: AnalyzeFlags) => {
    process.exitCode = await runAnalyze(files, flags);
  });
}

async function runAnalyze(files: string[], flags: AnalyzeFlags): Promise<number> {
  if (flags.format !== 'text' && flags.format !== 'json') {
    process.stderr.write(`coredx: unknown format "${flags.format}" (expected text or json)\n`);
    return EXIT.USAGE_OR_INPUT;
  }
  const core = coreOptions(flags);
  if (typeof core === 'string') {
    process.stderr.write(`coredx: ${core}\n`);
    return EXIT.USAGE_OR_INPUT;
  }
  // Node's timers cannot wait longer: a bigger (or infinite) limit would stop the debugger at once.
  if (!Number.isFinite(core.timeoutMs) || core.timeoutMs! > MAX_TIMEOUT_MS) {
    process.stderr.write(`coredx: --debugger-timeout must be a number of seconds up to ${Math.floor(MAX_TIMEOUT_MS / 1000)}, got "${flags.debuggerTimeout}"\n`);
    return EXIT.USAGE_OR_INPUT;
  }
  const loaded = loadRulesForCli(flags);
  if (!loaded) return EXIT.USAGE_OR_INPUT;
  // Interrupted, coredx leaves no debugger running (its process group is killed) and exits 128+N.
  installInterruptHandlers();
  if (flags.coredumpctl !== undefined) {
    const dumped = fromCoredumpctl(typeof flags.coredumpctl === 'string' ? flags.coredumpctl : null);
    if (typeof dumped === 'string') {
      process.stderr.write(`coredx: ${dumped}\n`);
      return EXIT.USAGE_OR_INPUT;
    }
    try {
      return await analyzeInputs([...files, dumped.path], flags, loaded, core);
    } finally {
      dumped.remove();
    }
  }
  return analyzeInputs(files, flags, loaded, core);
}

async function analyzeInputs(files: string[], flags: AnalyzeFlags, loaded: NonNullable<ReturnType<typeof loadRulesForCli>>, core: CoreOptions): Promise<number> {
  const rules: RuleSet = loaded.ruleSet;
  const inputs = files.length === 0 ? ['-'] : files;
  const reports: Report[] = [];
  let failed = loaded.broken;
  // What went wrong reading an input without stopping it (a truncated gzip: its readable part is
  // analyzed): one line each; a lost part is exit 2 like any unreadable input.
  const problems: [string, ReadProblem][] = [];
  const stopListening = onReadProblem((path, problem) => problems.push([path, problem]));
  try {
    for (const input of inputs) {
      try {
        const symbolize = symbolizeOptions(flags);
        const options: AnalyzeOptions = { rules, core, ...(flags.explain ? { explain: true } : {}), ...(symbolize ? { symbolize } : {}) };
        const result = input === '-' ? await readStdin(options) : await analyzeFile(input, options);
        for (const r of result.reports) reports.push(r); // no spread: a log may hold 100,000s of traces
      } catch (err) {
        process.stderr.write(`coredx: ${describeError(err)}\n`);
        failed = true;
      }
    }
  } finally {
    stopListening();
  }
  for (const [path, problem] of problems) {
    process.stderr.write(`coredx: ${problem.fatal ? '' : 'warning: '}${path}: ${problem.message}\n`);
    if (problem.fatal) failed = true;
  }
  const result: AnalyzeResult = { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports };
  try {
    if (flags.format === 'json') {
      writeJsonStreaming(result);
    } else if (reports.length > 0) {
      writeStdout(
        renderText(result, {
          chalk: chalkFor(process.stdout, flags.color),
          allThreads: flags.allThreads,
          ...(flags.explain ? { explain: (r: Report) => r.explain ?? [] } : {}),
        }),
      );
    }
  } catch (err) {
    // A full disk, a closed stdout, a reader gone (EPIPE): the report did not arrive.
    process.stderr.write(`coredx: ${describeError(err)}\n`);
    return EXIT.USAGE_OR_INPUT;
  }
  if (failed) return EXIT.USAGE_OR_INPUT;
  if (reports.length === 0) {
    process.stderr.write(`coredx: no backtrace found in ${inputs.map((i) => (i === '-' ? 'stdin' : i)).join(', ')}; looked for ${LOOKED_FOR}\n`);
    return EXIT.NO_TRACE;
  }
  return EXIT.OK;
}

/** Stdin (`-`, or no file): judged like a file by source/open.ts; a terminal is read as a paste. */
async function readStdin(options: AnalyzeOptions) {
  if (process.stdin.isTTY) {
    process.stderr.write('Paste the backtrace, then press Ctrl-D to analyze it (Ctrl-C to cancel).\n');
  }
  // A terminal is read raw: its canonical mode silently cuts lines at 4,095 characters.
  const source: AsyncIterable<Buffer | string> = process.stdin.isTTY
    ? readTerminalPaste(process.stdin, {
        echo: process.stderr.isTTY ? process.stderr : null,
        onInterrupt: () => process.exit(130),
      })
    : process.stdin;
  return analyzeSource(source, { ...options, path: '<stdin>' }, { name: 'stdin', fd: 0 });
}

/**
 * `--format json` written a report at a time (in ~1 MB writes), byte for byte what renderJson
 * gives: a log with 100,000s of traces never becomes one string (V8 strings stop at ~512 MB).
 */
export function writeJsonStreaming(result: AnalyzeResult, write: (s: string) => void = writeStdout): void {
  const whole = { tool: TOOL, ...result };
  const keys = Object.keys(whole);
  if (keys[keys.length - 1] !== 'reports' || result.reports.length === 0) return write(renderJson(result));
  const head = JSON.stringify({ ...whole, reports: [] }, null, 2);
  // `"reports": []\n}` is the end of the head: the reports go between the brackets.
  write(`${head.slice(0, head.length - '[]\n}'.length)}[\n`);
  let pending = '';
  result.reports.forEach((r, i) => {
    pending += `${JSON.stringify(r, null, 2).replace(/^/gm, '    ')}${i + 1 < result.reports.length ? ',' : ''}\n`;
    if (pending.length >= 1 << 20) {
      write(pending);
      pending = '';
    }
  });
  write(`${pending}  ]\n}\n`);
}
