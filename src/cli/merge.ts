// `coredx merge REPORT.json...`: combines `coredx scan --format json` reports (the shards of one
// scan, or scans of different artifacts) into one report, in every format; exits like scan.

import type { Command } from 'commander';
import { mergeResults, readScanReport, MergeError, type MergeInput } from '../scan/merge.js';
import { EXIT } from './exit-codes.js';
import { addReportOptions, emitReport, EXIT_HELP, HEAP_GROWING_PERCENT, prepareReport, SPILL_AFTER, type ReportFlags } from './scan.js';
import { spillReports } from '../scan/group.js';
import { addRuleOptions, type RuleFlags } from './rule-options.js';

interface MergeFlags extends ReportFlags, RuleFlags {}

export function registerMerge(program: Command): void {
  const cmd = program
    .command('merge')
    .description('combine `coredx scan --format json` reports (e.g. of --shard I/N runs) into one report')
    .addHelpText('after', `${EXIT_HELP}\nThe rule options are accepted for scripts written for earlier versions and have no effect: diagnoses, and their rules' help text in SARIF, come from the reports.`)
    .argument('<reports...>', 'scan JSON reports');
  addRuleOptions(addReportOptions(cmd)).action((reports: string[], flags: MergeFlags) => {
    process.exitCode = runMerge(reports, flags);
  });
}

function runMerge(files: string[], flags: MergeFlags): number {
  const fail = (msg: string) => (process.stderr.write(`coredx: ${msg}\n`), EXIT.USAGE_OR_INPUT);
  const prepared = prepareReport(flags);
  if (typeof prepared === 'string') return fail(prepared);
  const inputs: MergeInput[] = [];
  // The merged groups keep their reports in a temporary file beyond the first ones (see spillReports).
  spillReports({ after: SPILL_AFTER, heapGrowingPercent: HEAP_GROWING_PERCENT });
  try {
    // Each report is read a group at a time (a report larger than a JavaScript string can be read).
    for (const file of files) inputs.push(readScanReport(file));
    // The inputs' groups are dropped as they are merged (consume). Each diagnosis carries its rule's help text (Diagnosis.ruleHelp): no rules are loaded. A
    // diagnosis from JSON written before it did gets a generic help text in SARIF.
    return emitReport(mergeResults(inputs, { consume: true }), prepared, flags);
  } catch (err) {
    if (err instanceof MergeError) return fail(err.message);
    throw err;
  }
}
