// The rule flags analyze and scan share (--rules, --no-builtin) plus .coredx.toml, turned into
// one loaded RuleSet. Problems and notes go to stderr; a broken rule is never silently ignored.

import type { Command } from 'commander';
import { loadConfig, type CoredxConfig } from '../config.js';
import { describeError } from '../errors.js';
import type { RuleSet } from '../rules/engine.js';
import { formatProblem, loadRules, type LoadOptions } from '../rules/load.js';

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
  /** What the rules were loaded from (threads load their own from it). */
  source: LoadOptions;
  /** True when some rule file or the config was broken (the run still goes on with the rest). */
  broken: boolean;
}

/** Where the rules of a run come from: the flags' and the config's directories. */
export const ruleSourceOf = (flags: RuleFlags, config: CoredxConfig): LoadOptions => ({ dirs: [...config.rules.dirs, ...flags.rules], builtin: flags.builtin && config.rules.builtin });

/**
 * The config, then the rules. `beforeRules` is told the rules' source once the config is read and
 * before they load (a scan starts its threads there: they load the same rules meanwhile).
 */
export function loadRulesForCli(flags: RuleFlags, beforeRules?: (source: LoadOptions) => void): LoadedForCli | null {
  let config: CoredxConfig;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`coredx: ${describeError(err)}\n`);
    return null;
  }
  const source = ruleSourceOf(flags, config);
  beforeRules?.(source);
  const loaded = loadRules(source);
  for (const n of loaded.notes) process.stderr.write(`coredx: note: ${n}\n`);
  for (const p of loaded.problems) process.stderr.write(`coredx: ${formatProblem(p)}\n`);
  if (loaded.problems.length) process.stderr.write(`coredx: ${loaded.problems.length} rule problem(s); those rules are left out (run \`coredx rules lint\`)\n`);
  return { ruleSet: loaded.ruleSet, config, source, broken: loaded.problems.length > 0 };
}
