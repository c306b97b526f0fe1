// Rule engine benchmark (part of npm run bench): 10, 100 and 1,000 rules on the same reports.
// Synthetic rules look like contributed ones: frame sequences in their own namespaces, a few with
// log patterns, a few with only a signal and a message (unindexed). Reports are the project's real
// samples plus synthetic traces whose frames hit some of the rules.
// Usage: node bench/rules-bench.js

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../dist/pipeline.js';
import { RuleSet } from '../dist/rules/engine.js';
import { parseRuleText } from '../dist/rules/validate.js';
import { compileRule } from '../dist/rules/compile.js';
import { loadRules } from '../dist/rules/load.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function ruleToml(i) {
  const kind = i % 50;
  const when =
    kind === 0
      ? `signal = "SIGABRT"\nabort_message = "*lib${i} invariant*"`
      : kind === 1
        ? `signal = "SIGSEGV"\nlog = [{ pattern = "*lib${i}: connection lost*", where = "before" }]`
        : `signal = ["SIGSEGV", "SIGBUS"]\n\n[[when.stack]]\nfunction = "lib${i}::Component${i % 7}::*"\n\n[[when.stack]]\nfunction = ["lib${i}::detail::run*", "lib${i}::Loop::*"]\nmax_gap = 4`;
  return `id = "bench/r${i}"\ntitle = "t${i}"\ncategory = "other"\nseverity = "medium"\n\n[when]\n${when}\n\n[[evidence]]\nweight = 0.1\nwhy = "w"\nmodules = ["liblib${i}*"]\n\n[diagnosis]\nsummary = "s"\nroot_cause = "r"\nremediation = ["x"]\n\n[[tests]]\ninput = "x"\nmatch = true\n`;
}

function syntheticTrace(i) {
  return `Program terminated with signal SIGSEGV, Segmentation fault.
#0  0x0000555555555431 in lib${i}::Component${i % 7}::handle (this=0x0) at src/c.cpp:10
#1  0x0000555555555500 in lib${i}::detail::run_once (n=3) at src/d.cpp:20
#2  0x0000555555555600 in common::Dispatcher::dispatch (this=0x55555556aeb0) at src/x.cpp:30
#3  0x0000555555555700 in main () at src/main.cpp:5
`;
}

export async function run() {
  const samples = ['samples', ...readdirSync(join(ROOT, 'rules')).map((p) => join('rules', p, 'samples'))].filter((d) => existsSync(join(ROOT, d))).flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(ROOT, d, f), 'utf8')));
  const texts = [...samples, ...Array.from({ length: 200 }, (_, i) => syntheticTrace(i * 7))];
  const reports = texts.flatMap((t) => analyze(t, { rules: null }).reports);
  const builtin = loadRules().ruleSet.rules;
  console.log(`rules: ${reports.length} reports (real samples + synthetic), bundled packs (${builtin.length} rules) plus synthetic rules`);
  // Warm-up: let the JIT compile the matcher before the first measured size.
  { const set = new RuleSet(builtin); for (let k = 0; k < 20; k++) for (const r of reports) set.diagnose(r); }
  for (const n of [10, 100, 1000]) {
    const t0 = process.hrtime.bigint();
    const compiled = Array.from({ length: n }, (_, i) => compileRule(parseRuleText(ruleToml(i), `r${i}.toml`).spec, `r${i}.toml`));
    const set = new RuleSet([...builtin, ...compiled]);
    const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
    let candidates = 0;
    let fired = 0;
    const rounds = 20;
    const t1 = process.hrtime.bigint();
    for (let k = 0; k < rounds; k++) {
      for (const r of reports) {
        const d = set.diagnose(r);
        if (k === 0) {
          fired += d.length;
          candidates += set.candidates(r).length;
        }
      }
    }
    const us = Number(process.hrtime.bigint() - t1) / 1e3 / (rounds * reports.length);
    console.log(
      `  ${String(n).padStart(5)} rules: validate+compile ${compileMs.toFixed(0)} ms, match ${us.toFixed(1)} µs/report, ` +
        `${(1e6 / us).toFixed(0)} reports/s, ${(candidates / reports.length).toFixed(1)} candidate rules tried per report of ${set.rules.length}, ${fired} diagnoses`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
