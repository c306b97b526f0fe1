// `coredx rules lint|test|new|list|show`: for rule contributors. Flags -> library -> exit code.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { analyze } from '../analyze.js';
import { loadConfig } from '../config.js';
import { describeError } from '../errors.js';
import { BUILTIN_RULES_DIR, formatProblem, loadRules, type LoadedRules } from '../rules/load.js';
import { RULE_ID } from '../rules/schema.js';
import { ruleSkeleton } from '../rules/skeleton.js';
import { runRuleTests } from '../rules/tester.js';
import { chalkFor } from './color.js';
import { EXIT } from './exit-codes.js';

function load(dirs: string[]): LoadedRules | null {
  try {
    if (dirs.length) return loadRules({ builtin: false, dirs });
    const config = loadConfig();
    return loadRules({ builtin: config.rules.builtin, dirs: config.rules.dirs });
  } catch (err) {
    process.stderr.write(`coredx: ${describeError(err)}\n`);
    return null;
  }
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('write, check and test diagnosis rules (docs/rules.md)');

  rules
    .command('lint')
    .description('check rule files: schema, patterns, duplicate ids, unfinished skeletons')
    .argument('[dirs...]', 'rule directories or files (default: bundled packs and .coredx.toml dirs)')
    .action((dirs: string[]) => {
      const loaded = load(dirs);
      if (!loaded) return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      const problems = [...loaded.problems];
      for (const r of loaded.ruleSet.rules) {
        const text = readFileSync(r.file, 'utf8');
        const todo = text.split('\n').findIndex((l) => /\bTODO\b/.test(l) && !l.trimStart().startsWith('#'));
        if (todo >= 0) problems.push({ file: r.file, line: todo + 1, message: 'unfinished: replace the TODO placeholders' });
      }
      for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
      process.stdout.write(`${loaded.files} file(s), ${loaded.ruleSet.rules.length} rule(s) loaded, ${problems.length} problem(s)\n`);
      process.exitCode = problems.length ? EXIT.FINDINGS : EXIT.OK;
    });

  rules
    .command('test')
    .description("run every rule's own test cases (a rule needs at least one passing positive test)")
    .argument('[dirs...]', 'rule directories or files (default: bundled packs and .coredx.toml dirs)')
    .option('--color', 'force colour')
    .option('--no-color', 'never colour')
    .action((dirs: string[], flags: { color?: boolean }) => {
      const c = chalkFor(process.stdout, flags.color);
      const loaded = load(dirs);
      if (!loaded) return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      for (const p of loaded.problems) process.stdout.write(`${c.red('error')} ${formatProblem(p)}\n`);
      const results = runRuleTests(loaded.ruleSet.rules);
      for (const r of results) {
        if (r.ok) continue;
        process.stdout.write(`${c.red('FAIL')} ${r.ruleId} > ${r.name} (${r.file})\n`);
        if (r.error) process.stdout.write(`     ${r.error}\n`);
        else process.stdout.write(`     expected ${r.expected ? 'a match' : 'no match'}, got ${r.actual ? 'a match' : 'none'}\n`);
        for (const cond of r.explanation?.conditions ?? []) {
          process.stdout.write(`     ${cond.held ? c.green('+') : c.red('-')} ${cond.label} (${cond.detail})\n`);
        }
      }
      const failed = results.filter((r) => !r.ok).length;
      process.stdout.write(`${loaded.ruleSet.rules.length} rule(s), ${results.length} test(s), ${failed ? c.red(`${failed} failed`) : c.green('all passed')}\n`);
      process.exitCode = failed || loaded.problems.length ? EXIT.FINDINGS : EXIT.OK;
    });

  rules
    .command('new')
    .description('write a rule skeleton from a backtrace')
    .requiredOption('--from <trace>', 'a file holding the backtrace the rule must match')
    .option('--id <id>', 'rule id, "pack/name"', 'local/new-rule')
    .option('-o, --output <file>', 'write the rule here (default: stdout)')
    .action((flags: { from: string; id: string; output?: string }) => {
      // Refused here rather than written to a file that `rules lint` then rejects.
      if (!RULE_ID.test(flags.id)) {
        process.stderr.write(`coredx: --id "${flags.id}" is not a rule id: "pack/name", lower case letters, digits, "-" and "_" (e.g. "myteam/cache-use-after-free")\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      let text: string;
      try {
        text = readFileSync(flags.from, 'utf8');
      } catch (err) {
        process.stderr.write(`coredx: ${describeError(err)}\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      const report = analyze(text, { path: flags.from, rules: null }).reports[0];
      if (!report) {
        process.stderr.write(`coredx: no backtrace found in ${flags.from}\n`);
        return void (process.exitCode = EXIT.NO_TRACE);
      }
      if (flags.output && existsSync(flags.output)) {
        process.stderr.write(`coredx: ${flags.output} exists; not overwriting it\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      const base = flags.output ? dirname(resolve(flags.output)) : process.cwd();
      const skeleton = ruleSkeleton(report, { id: flags.id, samplePath: relative(base, resolve(flags.from)).split('\\').join('/') });
      if (flags.output) {
        // A new pack's folder (rules/<pack>/) is made here rather than failing with ENOENT.
        mkdirSync(dirname(flags.output), { recursive: true });
        writeFileSync(flags.output, skeleton);
        process.stderr.write(`coredx: wrote ${flags.output}; finish the TODOs, then run \`coredx rules test ${dirname(flags.output)}\`\n`);
      } else process.stdout.write(skeleton);
    });

  rules
    .command('list')
    .description('list the loaded rules')
    .argument('[dirs...]', 'rule directories (default: bundled packs and .coredx.toml dirs)')
    .action((dirs: string[]) => {
      const loaded = load(dirs);
      if (!loaded) return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      for (const r of loaded.ruleSet.rules) {
        process.stdout.write(`${r.id.padEnd(48)} ${r.spec.category.padEnd(26)} ${r.spec.severity.padEnd(9)} ${r.scope}\n`);
      }
      for (const p of loaded.problems) process.stderr.write(`coredx: ${formatProblem(p)}\n`);
      process.exitCode = loaded.problems.length ? EXIT.USAGE_OR_INPUT : EXIT.OK;
    });

  rules
    .command('show')
    .description('print one rule: its file and its compiled conditions')
    .argument('<id>', 'rule id, "pack/name"')
    .action((id: string) => {
      const loaded = load([]);
      if (!loaded) return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      const rule = loaded.ruleSet.get(id);
      if (!rule) {
        process.stderr.write(`coredx: no rule "${id}" (see \`coredx rules list\`)\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      const shown = rule.file.startsWith(BUILTIN_RULES_DIR) ? `rules${rule.file.slice(BUILTIN_RULES_DIR.length)}` : rule.file;
      process.stdout.write(`# ${shown}\n# conditions (all must hold):\n${rule.when.map((c) => `#   ${c.label}`).join('\n')}\n\n`);
      process.stdout.write(readFileSync(rule.file, 'utf8'));
    });
}
