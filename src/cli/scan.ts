// `coredx scan [PATH|GLOB...]`: flags -> scan() -> renderers -> files/stdout -> exit code.

import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { describeError } from '../errors.js';
import { renderGithub } from '../render/github.js';
import { renderJunit } from '../render/junit.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderSarif } from '../render/sarif.js';
import { renderScanJson } from '../render/scan-json.js';
import { renderScanText } from '../render/scan-text.js';
import { SEVERITIES, type Severity } from '../scan/group.js';
import { scan, type ScanResult } from '../scan/scan.js';
import { chalkFor } from './color.js';
import { EXIT } from './exit-codes.js';
import { progressReporter } from './progress.js';
import { addCoreOptions, coreOptions, type CoreFlags } from './core-options.js';
import { addRuleOptions, loadRulesForCli, type RuleFlags } from './rule-options.js';

const FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'github'] as const;
type ScanFormat = (typeof FORMATS)[number];

interface ScanFlags extends RuleFlags, CoreFlags {
  format: string[];
  output?: string;
  include: string[];
  exclude: string[];
  hidden?: boolean;
  jobs: string;
  failOn: string;
  quiet?: boolean;
  color?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description('find, group and report every crash in logs and artifacts (for CI)')
    .addHelpText('after', '\nExit codes: 0 no crash group at or above --fail-on; 1 at least one; 2 bad usage, or a file or core that could not be read.')
    .argument('[paths...]', 'files, directories or globs (default: .)')
    .option('-f, --format <format[=file]>', `report format, repeatable: ${FORMATS.join(', ')}; "=file" writes it to a file`, collect, [])
    .option('-o, --output <file>', 'write the (single) report format to this file instead of stdout')
    .option('--include <glob>', 'only files matching this glob, relative to the directory given (repeatable)', collect, [])
    .option('--exclude <glob>', 'leave out files matching this glob, relative to the directory given (repeatable)', collect, [])
    .option('--hidden', 'also read hidden files and walk hidden folders')
    .option('-j, --jobs <n>', 'files analyzed concurrently', '4')
    .option('--fail-on <severity>', `exit 1 when a crash group is at or above: ${SEVERITIES.join(', ')}, or "none" to never fail`, 'info')
    .option('-q, --quiet', 'no progress, no summary on stderr')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output');
  addRuleOptions(addCoreOptions(cmd, true)).action(async (paths: string[], flags: ScanFlags) => {
    process.exitCode = await runScan(paths, flags);
  });
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const fail = (msg: string) => (process.stderr.write(`coredx: ${msg}\n`), EXIT.USAGE_OR_INPUT);
  const outputs = parseFormats(flags);
  if (typeof outputs === 'string') return fail(outputs);
  if (flags.failOn !== 'none' && !SEVERITIES.includes(flags.failOn as Severity)) return fail(`unknown --fail-on "${flags.failOn}" (expected ${SEVERITIES.join(', ')} or none)`);
  const jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) return fail(`--jobs must be a positive integer, got "${flags.jobs}"`);
  const core = coreOptions(flags);
  if (typeof core === 'string') return fail(core);

  const loaded = loadRulesForCli(flags);
  if (!loaded) return EXIT.USAGE_OR_INPUT;
  // CLI globs are relative to the directory given; the config's to the config file's directory.
  const { config } = loaded;
  const rooted = config.path && (config.scan.include.length || config.scan.exclude.length) ? { base: dirname(config.path), ...config.scan } : undefined;
  const progress = progressReporter(process.stderr, !flags.quiet);
  let result: ScanResult;
  try {
    result = await scan(paths.length ? paths : ['.'], { include: flags.include, exclude: flags.exclude, ...(rooted ? { rooted } : {}), hidden: flags.hidden, jobs, onProgress: progress.update, analyze: { rules: loaded.ruleSet, core } });
  } catch (err) {
    progress.done();
    return fail(describeError(err));
  }
  progress.done();

  const render: Record<ScanFormat, () => string> = {
    text: () => renderScanText(result, chalkFor(process.stdout, flags.color)),
    json: () => renderScanJson(result),
    sarif: () => renderSarif(result, { rules: loaded.ruleSet }),
    junit: () => renderJunit(result),
    markdown: () => renderMarkdown(result),
    github: () => renderGithub(result),
  };
  try {
    for (const { format, file } of outputs) {
      if (file) writeFileSync(file, render[format]());
      else process.stdout.write(render[format]());
    }
  } catch (err) {
    return fail(describeError(err));
  }
  if (!flags.quiet && outputs.every((o) => o.file || o.format !== 'text')) {
    const t = result.totals;
    process.stderr.write(`coredx: ${t.crashes} crash${t.crashes === 1 ? '' : 'es'} in ${t.groups} group${t.groups === 1 ? '' : 's'}; ${t.scanned}/${t.files} files scanned, ${t.skipped} skipped\n`);
  }
  for (const s of result.files.skipped.filter((s) => s.error)) process.stderr.write(`coredx: ${s.path}: ${s.reason}\n`);
  if (result.totals.errors > 0 || loaded.broken) return EXIT.USAGE_OR_INPUT;
  if (flags.failOn === 'none') return EXIT.OK;
  const threshold = SEVERITIES.indexOf(flags.failOn as Severity);
  return result.groups.some((g) => SEVERITIES.indexOf(g.severity) >= threshold) ? EXIT.FINDINGS : EXIT.OK;
}

function parseFormats(flags: ScanFlags): { format: ScanFormat; file: string | null }[] | string {
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
