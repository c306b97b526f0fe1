// `coredx scan [PATH|GLOB...]`: flags -> scan() -> renderers -> files/stdout -> exit code.

import { writeReportChunks, writeStdoutChunks } from './write-report.js';
import { installInterruptHandlers } from '../core/debugger.js';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { describeError } from '../errors.js';
import { githubChunks } from '../render/github.js';
import { junitChunks } from '../render/junit.js';
import { markdownChunks } from '../render/markdown.js';
import { sarifChunks } from '../render/sarif.js';
import { scanJsonChunks } from '../render/scan-json.js';
import { scanTextChunks } from '../render/scan-text.js';
import { BaselineError, baselineSummary, compareWithBaseline, readBaseline, type Baseline, type ScanReport } from '../scan/baseline.js';
import { SEVERITIES, spillReports, type Severity } from '../scan/group.js';
import { scanParallel, threadsFor } from '../scan/parallel.js';
import { startScanThreads, type ScanThreads, type WorkerKind } from '../scan/threads.js';
import type { ScanResult } from '../scan/scan.js';
import { parseShard } from '../scan/shard.js';
import { sarifContext } from '../scan/render-context.js';
import { chalkFor } from './color.js';
import { EXIT } from './exit-codes.js';
import { progressReporter } from './progress.js';
import { addCoreOptions, coreOptions, symbolizeOptions, type CoreFlags } from './core-options.js';
import { addRuleOptions, loadRulesForCli, type RuleFlags } from './rule-options.js';

export const FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'github'] as const;
type ScanFormat = (typeof FORMATS)[number];

/** The report flags scan and merge share. */
export interface ReportFlags {
  format: string[];
  output?: string;
  failOn: string;
  baseline?: string;
  quiet?: boolean;
  color?: boolean;
}

interface ScanFlags extends RuleFlags, CoreFlags, ReportFlags {
  include: string[];
  exclude: string[];
  hidden?: boolean;
  follow?: boolean;
  jobs: string;
  workers: string;
  shard?: string;
}

export const collect = (value: string, previous: string[]) => [...previous, value];

/** Crash groups whose reports stay in memory before the others' are written away (see spillReports). */
export const SPILL_AFTER = 1000;
/** Once reports are written away (a large run), V8's heap grows by this much over what is live (see spillReports). */
export const HEAP_GROWING_PERCENT = 50;

export const FAIL_ON_HELP = `exit 1 when a crash group is at or above: ${SEVERITIES.join(', ')}; "new" or "new:SEVERITY" for new groups only (with --baseline); "none" to never fail`;
export const EXIT_HELP =
  '\nExit codes: 0 no crash group at or above --fail-on; 1 at least one; 2 bad usage, a file or core that could not be read, or a baseline that could not be read.';

/** Adds the report options scan and merge share. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .option('-f, --format <format[=file]>', `report format, repeatable: ${FORMATS.join(', ')}; "=file" writes it to a file`, collect, [])
    .option('-o, --output <file>', 'write the (single) report format to this file instead of stdout')
    .option('--fail-on <severity>', FAIL_ON_HELP, 'info')
    .option('--baseline <file>', "an earlier run's scan JSON or SARIF: mark each group new or unchanged, list absent ones")
    .option('-q, --quiet', 'no progress, no summary on stderr')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output');
}

/** --fail-on: null for "none"; `newOnly` gates on new groups only. */
export type FailOn = { severity: Severity; newOnly: boolean } | null;

export function parseFailOn(value: string): FailOn | string {
  if (value === 'none') return null;
  const m = /^new(?::(.*))?$/.exec(value);
  const severity = m ? (m[1] ?? 'info') : value;
  if (!SEVERITIES.includes(severity as Severity)) return `unknown --fail-on "${value}" (expected ${SEVERITIES.join(', ')}, new, new:SEVERITY or none)`;
  return { severity: severity as Severity, newOnly: !!m };
}

/** Checks the report flags before any work: the outputs, --fail-on and the baseline (read now). */
export function prepareReport(flags: ReportFlags): { outputs: Output[]; failOn: FailOn; baseline: Baseline | null } | string {
  const outputs = parseFormats(flags);
  if (typeof outputs === 'string') return outputs;
  const failOn = parseFailOn(flags.failOn);
  if (typeof failOn === 'string') return failOn;
  let baseline: Baseline | null = null;
  if (flags.baseline !== undefined) {
    try {
      baseline = readBaseline(flags.baseline);
    } catch (err) {
      if (err instanceof BaselineError) return err.message;
      throw err;
    }
  }
  return { outputs, failOn, baseline };
}

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description('find, group and report every crash in logs and artifacts (for CI)')
    .addHelpText('after', EXIT_HELP)
    .argument('[paths...]', 'files, directories or globs (default: .)')
    .option('--include <glob>', 'only files matching this glob, relative to the directory given (repeatable)', collect, [])
    .option('--exclude <glob>', 'leave out files matching this glob, relative to the directory given (repeatable)', collect, [])
    .option('--hidden', 'also read hidden files and walk hidden folders')
    .option('--follow', 'follow symlinks that lead out of the scanned tree (never into /proc, /sys, /dev; loops walked once)')
    .option('-j, --jobs <n>', 'files analyzed at once, spread over worker threads (as many as cores, at most n)', '4')
    .option('--workers <kind>', 'what the workers of --jobs are: threads, or processes (no heap shared with the scan)', 'threads')
    .option('--shard <i/n>', 'scan only shard I of N of the files (by a hash of each path); combine the JSON reports with `coredx merge`')
    .option('--exe <path>', "text traces: the crashed program, to symbolize their unnamed frames with (cores keep the executable each names)");
  addRuleOptions(addCoreOptions(addReportOptions(cmd), true)).action(async (paths: string[], flags: ScanFlags) => {
    process.exitCode = await runScan(paths, flags);
  });
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const fail = (msg: string) => (process.stderr.write(`coredx: ${msg}\n`), EXIT.USAGE_OR_INPUT);
  const prepared = prepareReport(flags);
  if (typeof prepared === 'string') return fail(prepared);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (typeof shard === 'string') return fail(shard);
  const jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) return fail(`--jobs must be a positive integer, got "${flags.jobs}"`);
  if (flags.workers !== 'threads' && flags.workers !== 'processes') return fail(`--workers must be threads or processes, got "${flags.workers}"`);
  const workers: WorkerKind = flags.workers;
  // --exe names one program for text traces; every core names its own executable.
  const core = coreOptions({ ...flags, exe: undefined });
  const symbolize = symbolizeOptions(flags);
  if (typeof core === 'string') return fail(core);

  // The scan's workers start while this thread loads its rules and walks the tree (each worker
  // loads its own rules: compiled ones cannot be sent); a tree of a few files stops them unused.
  const analyze = { core, ...(symbolize ? { symbolize } : {}) };
  let threadsStarted: ScanThreads | undefined;
  const loaded = loadRulesForCli(flags, (source) => (threadsStarted = startScanThreads(threadsFor(jobs) - 1, { rules: source, analyze }, workers)));
  if (!loaded) {
    void threadsStarted?.close();
    return EXIT.USAGE_OR_INPUT;
  }
  // CLI globs are relative to the directory given; the config's to the config file's directory.
  const { config } = loaded;
  const rooted = config.path && (config.scan.include.length || config.scan.exclude.length) ? { base: dirname(config.path), ...config.scan } : undefined;
  installInterruptHandlers(); // no debugger left running when interrupted
  // Beyond the first groups, their reports wait in a temporary file, not in memory, until written.
  spillReports({ after: SPILL_AFTER, heapGrowingPercent: HEAP_GROWING_PERCENT });
  const progress = progressReporter(process.stderr, !flags.quiet);
  let result: ScanResult;
  try {
    result = await scanParallel(paths.length ? paths : ['.'], {
      include: flags.include,
      exclude: flags.exclude,
      ...(rooted ? { rooted } : {}),
      hidden: flags.hidden,
      follow: flags.follow,
      jobs,
      workers,
      ...(shard ? { shard } : {}),
      onProgress: progress.update,
      analyze: { rules: loaded.ruleSet, ...analyze },
      ruleSource: loaded.source,
      ...(threadsStarted ? { threadsStarted } : {}),
    });
  } catch (err) {
    progress.done();
    return fail(describeError(err));
  }
  progress.done();
  return emitReport(shard ? { ...result, shard } : result, prepared, { ...flags, broken: loaded.broken });
}

export type Output = { format: ScanFormat; file: string | null };

/**
 * Compares with the baseline, writes every report, prints the summary and the unreadable files on
 * stderr, and returns the exit code (scan and merge alike).
 */
export function emitReport(
  result: ScanResult | ScanReport,
  prepared: { outputs: Output[]; failOn: FailOn; baseline: Baseline | null },
  flags: { quiet?: boolean; color?: boolean; broken?: boolean },
): number {
  const fail = (msg: string) => (process.stderr.write(`coredx: ${msg}\n`), EXIT.USAGE_OR_INPUT);
  const report: ScanReport = prepared.baseline ? compareWithBaseline(result, prepared.baseline) : result;
  const b = report.baseline;
  if (b && !b.comparable) process.stderr.write(`coredx: warning: ${baselineSummary(b)}${prepared.failOn?.newOnly ? `; --fail-on ${prepared.failOn.severity === 'info' ? 'new' : `new:${prepared.failOn.severity}`} gates on every group` : ''}\n`);
  // Every format is written as its renderer produces it, a group at a time: a report of 100,000s of
  // groups is never one string. Renderers read no file: what SARIF needs to know of the repository
  // and the tool is found here (sarifContext).
  const render: Record<ScanFormat, () => Iterable<string>> = {
    text: () => scanTextChunks(report, chalkFor(process.stdout, flags.color)),
    json: () => scanJsonChunks(report),
    sarif: () => sarifChunks(report, sarifContext(report)),
    junit: () => junitChunks(report),
    markdown: () => markdownChunks(report),
    github: () => githubChunks(report),
  };
  try {
    for (const { format, file } of prepared.outputs) {
      if (file) writeReportChunks(file, render[format]());
      else writeStdoutChunks(render[format]());
    }
  } catch (err) {
    return fail(describeError(err));
  }
  if (!flags.quiet && prepared.outputs.every((o) => o.file || o.format !== 'text')) {
    const t = report.totals;
    process.stderr.write(`coredx: ${t.crashes} crash${t.crashes === 1 ? '' : 'es'} in ${t.groups} group${t.groups === 1 ? '' : 's'}; ${t.scanned}/${t.files} files scanned, ${t.skipped} skipped${b?.comparable ? `; ${baselineSummary(b)}` : ''}\n`);
  }
  for (const s of report.files.skipped.filter((s) => s.error)) process.stderr.write(`coredx: ${s.path}: ${s.reason}\n`);
  if (report.totals.errors > 0 || flags.broken) return EXIT.USAGE_OR_INPUT;
  const failOn = prepared.failOn;
  if (!failOn) return EXIT.OK;
  // --fail-on new: new groups only when the baseline could be compared; otherwise (no baseline,
  // or other signature versions) every group, so that a gate never passes on what it could not judge.
  const gated = failOn.newOnly && b?.comparable ? report.groups.filter((g) => g.baselineState === 'new') : report.groups;
  const threshold = SEVERITIES.indexOf(failOn.severity);
  return gated.some((g) => SEVERITIES.indexOf(g.severity) >= threshold) ? EXIT.FINDINGS : EXIT.OK;
}

function parseFormats(flags: ReportFlags): Output[] | string {
  const given = flags.format.length ? flags.format : [process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text'];
  const outputs = given.map((spec) => {
    const eq = spec.indexOf('=');
    return { format: (eq < 0 ? spec : spec.slice(0, eq)) as ScanFormat, file: eq < 0 ? null : spec.slice(eq + 1) };
  });
  for (const o of outputs) if (!FORMATS.includes(o.format)) return `unknown format "${o.format}" (expected ${FORMATS.join(', ')})`;
  if (flags.output) {
    if (outputs.length !== 1) return '--output needs exactly one --format; use --format FMT=FILE for several';
    outputs[0]!.file = flags.output;
  }
  if (outputs.filter((o) => !o.file).length > 1) return 'several formats to stdout; give each a file with --format FMT=FILE';
  return outputs;
}
