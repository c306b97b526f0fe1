// `coredx analyze [FILE...]`: flags -> library calls -> output and exit code. Nothing else.

import type { Command } from 'commander';
import { analyzeFile, analyzeStream } from '../analyze.js';
import { CoredxInputError, describeError } from '../errors.js';
import { Readable } from 'node:stream';
import { gunzip } from '../ingest/lines.js';
import { sniffStream } from '../ingest/stream.js';
import { SCHEMA_VERSION, type AnalyzeResult, type Report } from '../model.js';
import { SIGNATURE_VERSION } from '../normalize/signature.js';
import { renderJson } from '../render/json.js';
import { renderText } from '../render/text.js';
import { chalkFor } from './color.js';
import { EXIT } from './exit-codes.js';
import { fromCoredumpctl } from './coredumpctl.js';
import { LOOKED_FOR } from '../parse/registry.js';
import { addCoreOptions, coreOptions, type CoreFlags } from './core-options.js';
import { addRuleOptions, loadRulesForCli, type RuleFlags } from './rule-options.js';
import type { CoreOptions } from '../core/analyze-core.js';
import type { RuleSet } from '../rules/engine.js';

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
    .option('--exe <path>', 'core files: the crashed program (default: the one the core names)')
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
  const loaded = loadRulesForCli(flags);
  if (!loaded) return EXIT.USAGE_OR_INPUT;
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

async function analyzeInputs(files: string[], flags: AnalyzeFlags, loaded: NonNullable<ReturnType<typeof loadRulesForCli>>, core: Omit<CoreOptions, 'rules'>): Promise<number> {
  const rules: RuleSet = loaded.ruleSet;
  const inputs = files.length === 0 ? ['-'] : files;
  const reports: Report[] = [];
  let failed = loaded.broken;
  for (const input of inputs) {
    try {
      const result = input === '-' ? await readStdin(rules) : await analyzeFile(input, { rules, core });
      for (const r of result.reports) reports.push(r); // no spread: a log may hold 100,000s of traces
    } catch (err) {
      process.stderr.write(`coredx: ${describeError(err)}\n`);
      failed = true;
    }
  }
  const result: AnalyzeResult = { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports };
  if (flags.format === 'json') {
    if (flags.explain) for (const r of reports) (r as Report & { explain?: unknown }).explain = rules.explain(r);
    process.stdout.write(renderJson(result));
  } else if (reports.length > 0) {
    process.stdout.write(
      renderText(result, {
        chalk: chalkFor(process.stdout, flags.color),
        allThreads: flags.allThreads,
        ...(flags.explain ? { explain: (r: Report) => rules.explain(r) } : {}),
      }),
    );
  }
  if (failed) return EXIT.USAGE_OR_INPUT;
  if (reports.length === 0) {
    process.stderr.write(`coredx: no backtrace found in ${inputs.map((i) => (i === '-' ? 'stdin' : i)).join(', ')}; looked for ${LOOKED_FOR}\n`);
    return EXIT.NO_TRACE;
  }
  return EXIT.OK;
}

async function readStdin(rules: RuleSet) {
  if (process.stdin.isTTY) {
    process.stderr.write('Paste the backtrace, then press Ctrl-D on an empty line to analyze it (Ctrl-C to cancel).\n');
  }
  // Sniffed like a file: gzip is unpacked, binary data and cores are refused with a reason.
  let input = await sniffStream(process.stdin);
  // What a gzip stream holds decides, as for a file.
  const gzip = input.kind === 'gzip';
  if (gzip) input = await sniffStream(gunzip(Readable.from(input.chunks)));
  const how = gzip ? ' (gzip)' : '';
  if (input.kind === 'elf-core') throw new CoredxInputError('core-file', `stdin: an ELF core file${how}; pass it by its path (coredx analyze core.1234) so it can be read natively and by a debugger`);
  if (input.kind !== 'text') throw new CoredxInputError('binary', `stdin: binary data${how}, not a text log or backtrace`);
  return analyzeStream(input.chunks, { path: '<stdin>', rules });
}
