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
import { jsonChunks, JsonArrayStream } from '../render/stream.js';
import { chalkFor } from './color.js';
import { EXIT } from './exit-codes.js';
import { fromCoredumpctl } from './coredumpctl.js';
import { LOOKED_FOR_EACH } from '../parse/registry.js';
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
    .description('explain the crashes in files or stdin: gdb/lldb backtraces (also GDB/MI, Xcode), sanitizer and Valgrind reports, crash handlers\' dumps, Go/Rust/Python/JVM/.NET runtime reports, macOS, Android and Windows (Visual Studio, WinDbg, WER) crash reports, kernel oopses, ELF core files; the README\'s "What it understands" lists every format')
    .addHelpText('after', '\nExit codes: 0 at least one crash analyzed; 1 no backtrace found; 2 bad usage or an unreadable input.')
    .argument('[files...]', 'files to read; "-" or none reads stdin')
    .option('-f, --format <format>', 'output format: text or json', 'text')
    .option('-a, --all-threads', 'text output: show every thread, not only the crashing one')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output')
    .option('--explain', 'show, per report, the rules that came closest and which conditions held; with no backtrace found, every format looked for')
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
  // JSON is written a report at a time as the pipeline hands them over (a log of 100,000s of
  // traces is never held); text needs them all (it is read by people, a screenful at a time).
  const json = flags.format === 'json' ? jsonReportWriter(writeStdout) : null;
  const reports: Report[] = [];
  let found = 0;
  let writeError: unknown = null;
  const onReport = (r: Report): void => {
    found++;
    if (!json) return void reports.push(r);
    try {
      json.add(r);
    } catch (err) {
      writeError = err;
      throw err;
    }
  };
  let failed = loaded.broken;
  // What went wrong reading an input without stopping it (a truncated gzip: its readable part is
  // analyzed): one line each; a lost part is exit 2 like any unreadable input.
  const problems: [string, ReadProblem][] = [];
  const stopListening = onReadProblem((path, problem) => problems.push([path, problem]));
  try {
    for (const input of inputs) {
      if (writeError) break;
      try {
        const symbolize = symbolizeOptions(flags);
        const options: AnalyzeOptions = { rules, core, onReport, ...(flags.explain ? { explain: true } : {}), ...(symbolize ? { symbolize } : {}) };
        if (input === '-') await readStdin(options);
        else await analyzeFile(input, options);
      } catch (err) {
        if (writeError) break;
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
  try {
    if (writeError) throw writeError;
    if (json) json.end();
    else if (reports.length > 0) {
      const result: AnalyzeResult = { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports };
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
  if (found === 0) {
    // One line a person reads at a glance; the list of every format (~9 KB on one line) on request.
    const where = inputs.map((i) => (i === '-' ? 'stdin' : i)).join(', ');
    if (flags.explain) process.stderr.write(`coredx: no backtrace found in ${where}; looked for:\n${LOOKED_FOR_EACH.map((f) => `  - ${f}\n`).join('')}`);
    else process.stderr.write(`coredx: no backtrace found in ${where}; looked for ${LOOKED_FOR_EACH.length} formats (gdb and lldb backtraces, sanitizer and Valgrind reports, crash handlers' and language runtimes' dumps, macOS, Android and Windows crash reports, kernel oopses; --explain lists each and the lines that mark it)\n`);
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
 * `--format json` written a report at a time (in ~1 MB writes) as reports arrive, byte for byte what
 * renderJson gives for all of them: a log with 100,000s of traces is never one string (V8 strings
 * stop at ~512 MB) nor held in memory.
 */
export function jsonReportWriter(write: (s: string) => void) {
  let count = 0;
  let pending = '';
  const flush = (force: boolean) => {
    if (pending.length >= 1 << 20 || (force && pending)) {
      write(pending);
      pending = '';
    }
  };
  const head = (): string => {
    const text = JSON.stringify({ tool: TOOL, schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports: [] }, null, 2);
    // `"reports": []\n}` is the end of the head: the reports go between the brackets.
    return text.slice(0, text.length - ']\n}'.length);
  };
  return {
    add(report: Report): void {
      pending += count === 0 ? `${head()}\n` : ',\n';
      count++;
      if (report.threads.length <= STREAMED_THREADS) {
        pending += indentJson(JSON.stringify(report, null, 2));
        flush(false);
        return;
      }
      // A report of 100,000s of threads (a debugger flooding its output, a Go program's goroutines)
      // is written a thread at a time: its JSON as one string, then indented (a second copy), cost
      // several times its size (2.6 GB of peak RSS for 64 MB of debugger output).
      pending += '    ';
      for (const chunk of jsonChunks({ ...report, threads: new JsonArrayStream(report.threads) }, '    ')) {
        pending += chunk;
        flush(false);
      }
    },
    end(): void {
      if (count === 0) pending = renderJson({ schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports: [] });
      else pending += '\n  ]\n}\n';
      flush(true);
    },
  };
}

/** Reports with more threads than this are serialized a thread at a time. */
const STREAMED_THREADS = 64;

/**
 * A report's JSON indented by four spaces, as an element of the report list. Only "\n" ends a line
 * in JSON.stringify's output (a line break inside a string is escaped): a /^/m regex would also
 * indent after a U+2028 or U+2029 inside a string value, changing the value.
 */
function indentJson(json: string): string {
  return `    ${json.replace(/\n/g, '\n    ')}`;
}

/** A whole result as `--format json` writes it (the library's and tests' entry to jsonReportWriter). */
export function writeJsonStreaming(result: AnalyzeResult, write: (s: string) => void = writeStdout): void {
  const json = jsonReportWriter(write);
  for (const r of result.reports) json.add(r);
  json.end();
}
