// The rule flags analyze and scan share (--rules, --no-builtin) plus .coredx.toml, turned into
// one loaded RuleSet. Problems and notes go to stderr; a broken rule is never silently ignored.

import type { Command } from 'commander';
import { loadConfig, type CoredxConfig } from '../config.js';
import { describeError } from '../errors.js';
import type { RuleSet } from '../rules/engine.js';
import { formatProblem, loadRules } from '../rules/load.js';

export interface RuleFlags {
  rules: string[];
  builtin: boolean;
}

export function addRuleOptions(cmd: Command): Command {
  return cmd
    .option('--rules <dir>', 'add a rule directory (repeatable; also [rules] dirs in .coredx.toml)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--no-builtin', 'leave the bundled rule packs out');
}

export interface LoadedForCli {
  ruleSet: RuleSet;
  config: CoredxConfig;
  /** True when some rule file or the config was broken (the run still goes on with the rest). */
  broken: boolean;
}

export function loadRulesForCli(flags: RuleFlags): LoadedForCli | null {
  let config: CoredxConfig;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`coredx: ${describeError(err)}\n`);
    return null;
  }
  const loaded = loadRules({ dirs: [...config.rules.dirs, ...flags.rules], builtin: flags.builtin && config.rules.builtin });
  for (const n of loaded.notes) process.stderr.write(`coredx: note: ${n}\n`);
  for (const p of loaded.problems) process.stderr.write(`coredx: ${formatProblem(p)}\n`);
  if (loaded.problems.length) process.stderr.write(`coredx: ${loaded.problems.length} rule problem(s); those rules are left out (run \`coredx rules lint\`)\n`);
  return { ruleSet: loaded.ruleSet, config, broken: loaded.problems.length > 0 };
}
