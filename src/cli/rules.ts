// `coredx rules lint|test|new|list|show`: for rule contributors. Flags -> library -> exit code.

import { existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { analyze, analyzeStream } from '../pipeline.js';
import type { Report } from '../model.js';
import { forEachLine } from '../source/lines.js';
import { loadConfig } from '../config.js';
import { describeError } from '../errors.js';
import { BUILTIN_RULES_DIR, formatProblem, loadRules, type LoadedRules } from '../rules/load.js';
import { RULE_ID } from '../rules/schema.js';
import { ruleSkeleton } from '../rules/skeleton.js';
import { openInput } from '../source/open.js';
import { resolveSample, runRuleTests, SAMPLE_OUTSIDE } from '../rule-tester.js';
import { MAX_SAMPLE_BYTES, SampleFileError } from '../rules/sample-file.js';
import { chalkFor } from './color.js';
import { EXIT } from './exit-codes.js';
import { ReportWriteError, writeReportFile } from './write-report.js';

/** The loaded rules, and the folders they were loaded from (a rule's test samples must be inside them). */
function load(dirs: string[]): (LoadedRules & { roots: string[] }) | null {
  const rootsOf = (ds: readonly string[]) => ds.map((d) => (existsSync(d) && statSync(d).isFile() ? dirname(d) : d));
  try {
    if (dirs.length) return { ...loadRules({ builtin: false, dirs }), roots: rootsOf(dirs) };
    const config = loadConfig();
    return { ...loadRules({ builtin: config.rules.builtin, dirs: config.rules.dirs }), roots: rootsOf(config.rules.dirs) };
  } catch (err) {
    process.stderr.write(`coredx: ${describeError(err)}\n`);
    return null;
  }
}

/**
 * How to run coredx again, as this process was started: `coredx` when that name on PATH is this
 * very program (installed with `npm link`, `npm install -g`), `npx coredx` under npx, else
 * `node <path to bin/coredx.js>`. Hints print it, so they work when pasted.
 */
export function selfCommand(): string {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return null;
    }
  };
  const script = process.argv[1] ? real(process.argv[1]) : null;
  if (!script) return 'coredx';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && real(join(dir, 'coredx')) === script) return 'coredx';
  }
  if (process.env.npm_command === 'exec') return 'npx coredx';
  const rel = relative(process.cwd(), script);
  return `node ${shellQuote(rel.startsWith('..') || isAbsolute(rel) ? script : rel)}`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Text as a TOML multi-line basic string: backslashes, `"""` and control characters escaped. */
function tomlMultiline(text: string): string {
  const body = text
    .replaceAll('\\', '\\\\')
    .replaceAll('"""', '""\\"')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => (ch === '\r' ? '\\r' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return `"""\n${body.endsWith('\n') ? body : `${body}\n`}"""`;
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
        const lines = text.split('\n');
        const todo = lines.findIndex((l) => /\bTODO\b/.test(l) && !l.trimStart().startsWith('#'));
        if (todo >= 0) problems.push({ file: r.file, line: todo + 1, message: 'unfinished: replace the TODO placeholders' });
        for (const t of r.spec.tests) {
          if (t.input !== undefined || t.sample === undefined || resolveSample(r, t.sample, loaded.roots)) continue;
          const at = lines.findIndex((l) => /^\s*sample\s*=/.test(l) && l.includes(JSON.stringify(t.sample)));
          problems.push({ file: r.file, line: at >= 0 ? at + 1 : null, message: `${SAMPLE_OUTSIDE}: ${t.sample} (keep a rule's samples in its pack folder, e.g. samples/crash.txt beside the rule)` });
        }
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
      const results = runRuleTests(loaded.ruleSet.rules, loaded.roots);
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
    .action(async (flags: { from: string; id: string; output?: string }) => {
      // Refused here rather than written to a file that `rules lint` then rejects.
      if (!RULE_ID.test(flags.id)) {
        process.stderr.write(`coredx: --id "${flags.id}" is not a rule id: "pack/name", lower case letters, digits, "-" and "_" (e.g. "myteam/cache-use-after-free")\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      let trace: TraceFrom;
      try {
        trace = await traceFrom(flags.from);
      } catch (err) {
        process.stderr.write(`coredx: ${err instanceof SampleFileError ? err.message : describeError(err)}\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      const { text, report, excerpt } = trace;
      if (!report) {
        process.stderr.write(`coredx: no backtrace found in ${flags.from}\n`);
        return void (process.exitCode = EXIT.NO_TRACE);
      }
      if (flags.output && existsSync(flags.output)) {
        process.stderr.write(`coredx: ${flags.output} exists; not overwriting it\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      if (!flags.output) {
        // On stdout there is no rule folder to put a sample in: the trace goes into the test inline
        // (its lines and the 20 before it, where rules find log evidence).
        const input = excerpt ? text : text.split('\n').slice(Math.max(0, report.source.line - 21), report.source.endLine + 5).join('\n');
        return void process.stdout.write(ruleSkeleton(report, { id: flags.id, input: tomlMultiline(input) }));
      }
      // The test's sample lives with the rule (<pack>/samples/), where `rules test` reads it and a
      // copy of the rule folder carries it; a trace already inside the pack folder stays where it is.
      const pack = dirname(resolve(flags.output));
      const inPack = (p: string) => !relative(pack, p).startsWith('..') && !isAbsolute(relative(pack, p));
      let sample = resolve(flags.from);
      // An excerpt (the trace cut out of a log too large for a sample) is a file of its own.
      if (!inPack(sample) || excerpt) {
        const name = basename(flags.from).replace(/\.gz$/, '');
        sample = join(pack, 'samples', excerpt ? `${name.replace(/\.(txt|log)$/, '')}.trace.txt` : /\.(txt|log)$/.test(name) ? name : `${name}.txt`);
        if (existsSync(sample) && readFileSync(sample, 'utf8') !== text) {
          process.stderr.write(`coredx: ${relative(process.cwd(), sample)} exists with other content; not overwriting it\n`);
          return void (process.exitCode = EXIT.USAGE_OR_INPUT);
        }
      }
      // Each file whole or not at all (a temporary file renamed), a write error one line naming it.
      try {
        if (sample !== resolve(flags.from)) {
          mkdirSync(dirname(sample), { recursive: true }); // a new pack's folder too
          writeReportFile(relative(process.cwd(), sample) || sample, text, 'the sample');
        }
        mkdirSync(pack, { recursive: true });
        writeReportFile(flags.output, ruleSkeleton(report, { id: flags.id, sample: relative(pack, sample).split('\\').join('/') }), 'the rule');
      } catch (err) {
        process.stderr.write(`coredx: ${err instanceof ReportWriteError ? err.message : describeError(err)}\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      const copied = sample !== resolve(flags.from) ? ` and the trace to ${relative(process.cwd(), sample)}` : '';
      process.stderr.write(`coredx: wrote ${flags.output}${copied}; finish the TODOs, then run \`${selfCommand()} rules test ${shellQuote(dirname(flags.output))}\`\n`);
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
        process.stderr.write(`coredx: no rule "${id}" (see \`${selfCommand()} rules list\`)\n`);
        return void (process.exitCode = EXIT.USAGE_OR_INPUT);
      }
      const shown = rule.file.startsWith(BUILTIN_RULES_DIR) ? `rules${rule.file.slice(BUILTIN_RULES_DIR.length)}` : rule.file;
      process.stdout.write(`# ${shown}\n# conditions (all must hold):\n${rule.when.map((c) => `#   ${c.label}`).join('\n')}\n\n`);
      process.stdout.write(readFileSync(rule.file, 'utf8'));
    });
}

interface TraceFrom {
  /** The input's text (it becomes the rule's sample), or when it was larger than a sample can be, its excerpt. */
  text: string;
  /** The first report in it. */
  report: Report | undefined;
  /** Whether `text` is the first report's lines and the 20 before it and 5 after it (a large log), not the whole input. */
  excerpt: boolean;
}

/**
 * The trace a rule skeleton starts from, read as analyze reads a file (streamed, judged by source/
 * open.ts's words: binary data or an executable is refused, gzip text is read, a core needs its
 * backtrace saved first). An input of up to MAX_SAMPLE_BYTES of text is kept whole as the sample;
 * a larger one (a whole CI log, 1 GB past V8's string limit) is read through with bounded memory
 * and its first trace cut out of it (a second pass keeps only those lines).
 */
async function traceFrom(from: string): Promise<TraceFrom> {
  // A device or FIFO (/dev/zero) never ends: a trace is saved to a file first.
  if (!statSync(from).isFile()) throw new SampleFileError(`${from}: not a regular file (a device, FIFO or directory); save the trace to a file first`);
  const open = async () => {
    const opened = await openInput(from, { name: from });
    if (opened.kind === 'core') throw new SampleFileError(`${from}: an ELF core file; save its backtrace first (coredx analyze CORE, or gdb)`);
    return opened;
  };
  const opened = await open();
  const parts: Buffer[] = [];
  let size = 0;
  const kept = async function* () {
    for await (const chunk of opened.chunks) {
      size += chunk.length;
      if (size <= MAX_SAMPLE_BYTES) parts.push(chunk);
      else parts.length = 0;
      yield chunk;
    }
  };
  let first: Report | undefined;
  await analyzeStream(kept(), { path: from, rules: null, onReport: (r) => void (first ??= r) });
  if (size <= MAX_SAMPLE_BYTES) {
    const text = Buffer.concat(parts).toString('utf8');
    return { text, report: analyze(text, { path: from, rules: null }).reports[0], excerpt: false };
  }
  if (!first) return { text: '', report: undefined, excerpt: true };
  const from_ = Math.max(1, first.source.line - 20);
  const to = first.source.endLine + 5;
  const lines: string[] = [];
  const done = new Error('excerpt read');
  try {
    await forEachLine((await open()).chunks, {
      raw: true,
      push(line, lineNo) {
        if (lineNo > to) throw done;
        if (lineNo >= from_) lines.push(line);
      },
    });
  } catch (err) {
    if (err !== done) throw err;
  }
  const text = `${lines.join('\n')}\n`;
  return { text, report: analyze(text, { path: from, rules: null }).reports[0], excerpt: true };
}
