// Conditions of a rule, compiled once into small matchers over the crash model. The same kinds
// serve [when] (all must hold) and [[evidence]] (raise confidence when they hold).

import type { Evidence, Frame, Report, Thread } from '../model.js';
import { basename } from '../normalize/glob.js';
import { compileGlob } from '../normalize/glob.js';
import {
  compileFramePattern, compilePathGlobs, compileTextPatterns, globList, matchAny,
  type FramePattern, type TextPattern,
} from './pattern.js';
import type { ConditionsSpec, StackStepSpec } from './schema.js';

/** What every condition sees: the report and facts derived from it once per report. */
export interface MatchContext {
  report: Report;
  crashed: Thread | null;
  /** Position (in the crashing thread's frames) of the first frame the signature kept, or -1. */
  firstMeaningful: number;
  modules(): string[];
}

export interface Outcome {
  held: boolean;
  evidence: Evidence[];
  captures: Record<string, string>;
  /** For --explain: what was found, or why it failed. */
  detail: string;
}

export interface Condition {
  /** The condition as the rule wrote it ("stack[0]: function brpc::...", "signal SIGSEGV"). */
  label: string;
  test(ctx: MatchContext): Outcome;
  /** Index tokens: for the condition to hold, the report's function names contain every token of
   *  at least one of these alternatives. Null when nothing is certain. */
  tokens: string[][] | null;
}

const fail = (detail: string): Outcome => ({ held: false, evidence: [], captures: {}, detail });
const pass = (evidence: Evidence[], detail: string, captures: Record<string, string> = {}): Outcome => ({
  held: true, evidence, captures, detail,
});

export function createContext(report: Report): MatchContext {
  const crashed = report.crashedThread === null ? null : report.threads[report.crashedThread] ?? null;
  const skipped = new Set(report.skippedFrames);
  const firstMeaningful = crashed ? crashed.frames.findIndex((_, i) => !skipped.has(i)) : -1;
  let modules: string[] | null = null;
  return {
    report, crashed, firstMeaningful,
    modules() {
      modules ??= collectModules(report);
      return modules;
    },
  };
}

const SHARED_OBJECT = /[\w./+-]*\.so(?:\.[0-9]+)*\b/g;

/** Modules loaded or on the stack: the report's module list, frame modules, and .so paths in the log. */
function collectModules(report: Report): string[] {
  const seen = new Set<string>((report as { modules?: string[] }).modules ?? []);
  for (const t of report.threads) for (const f of t.frames) if (f.module) seen.add(f.module);
  for (const l of report.context) for (const m of l.text.matchAll(SHARED_OBJECT)) seen.add(m[0]);
  return [...seen];
}

export function compileConditions(spec: ConditionsSpec): Condition[] {
  const out: Condition[] = [];
  if (spec.format !== undefined) out.push(valueGlobs('format', spec.format, (r) => r.format));
  if (spec.signal !== undefined) out.push(valueGlobs('signal', spec.signal, (r) => r.signal));
  if (spec.crash_kind !== undefined) out.push(valueGlobs('crash_kind', spec.crash_kind, (r) => r.crashKind));
  if (spec.fault_address !== undefined) out.push(addressClass(globList(spec.fault_address)));
  if (spec.fault_address_below !== undefined) out.push(addressBelow(spec.fault_address_below));
  if (spec.abort_message !== undefined) out.push(abortMessage(compileTextPatterns(spec.abort_message)));
  if (spec.modules !== undefined) out.push(modules(spec.modules));
  if (spec.stack !== undefined) out.push(stackSequence(spec.stack));
  for (const [key, which] of [['any_thread', 'any'], ['other_thread', 'other'], ['main_thread', 'main']] as const) {
    spec[key]?.forEach((p, i) => out.push(frameOnThread(`${key}[${i}]`, compileFramePattern(p), which)));
  }
  if (spec.threads !== undefined) out.push(threadCount(spec.threads.min, spec.threads.frames.map(compileFramePattern)));
  if (spec.repeated !== undefined) out.push(repeated(spec.repeated.min, spec.repeated.function === undefined ? null : compileTextPatterns(spec.repeated.function)));
  spec.log?.forEach((l, i) => out.push(logLine(`log[${i}]`, compileTextPatterns(l.pattern), l.where ?? 'any')));
  return out;
}

function valueGlobs(key: string, spec: string | string[], get: (r: Report) => string | null): Condition {
  const globs = globList(spec);
  const matchers = globs.map((g) => compileGlob(g, { caseInsensitive: true }));
  return {
    label: `${key} ${globs.join(' | ')}`,
    tokens: null,
    test(ctx) {
      const v = get(ctx.report);
      if (v === null) return fail(`${key} not shown`);
      return matchers.some((m) => m(v)) ? pass([{ condition: key, text: v }], v) : fail(`${key} is ${v}`);
    },
  };
}

const CANONICAL_LOW_END = 0x0000800000000000n;
const KERNEL_START = 0xffff800000000000n;

function classify(a: bigint): string[] {
  const classes: string[] = [];
  if (a < 0x1000n) classes.push('null-page');
  if (a < 0x10000n) classes.push('near-null');
  if (a >= CANONICAL_LOW_END && a < KERNEL_START) classes.push('non-canonical');
  if (a >= KERNEL_START) classes.push('kernel');
  if (a >= 0x10000n && a < CANONICAL_LOW_END) classes.push('user');
  return classes;
}

function parseAddress(r: Report): bigint | null {
  if (!r.faultAddress || !/^0x[0-9a-f]+$/i.test(r.faultAddress)) return null;
  return BigInt(r.faultAddress);
}

function addressClass(wanted: string[]): Condition {
  return {
    label: `fault_address ${wanted.join(' | ')}`,
    tokens: null,
    test(ctx) {
      const a = parseAddress(ctx.report);
      if (a === null) return fail('fault address not shown');
      const classes = classify(a);
      return wanted.some((w) => classes.includes(w))
        ? pass([{ condition: 'fault_address', text: ctx.report.faultAddress! }], `${ctx.report.faultAddress} is ${classes.join(', ')}`)
        : fail(`${ctx.report.faultAddress} is ${classes.join(', ')}`);
    },
  };
}

function addressBelow(limit: string): Condition {
  const max = BigInt(limit);
  return {
    label: `fault_address_below ${limit}`,
    tokens: null,
    test(ctx) {
      const a = parseAddress(ctx.report);
      if (a === null) return fail('fault address not shown');
      return a < max ? pass([{ condition: 'fault_address_below', text: ctx.report.faultAddress! }], ctx.report.faultAddress!) : fail(`${ctx.report.faultAddress} is not below ${limit}`);
    },
  };
}

function abortMessage(patterns: TextPattern[]): Condition {
  return {
    label: `abort_message ${patterns.map((p) => p.source).join(' | ')}`,
    tokens: null,
    test(ctx) {
      const msg = ctx.report.abortMessage;
      if (msg === null) return fail('no abort message');
      const m = matchAny(patterns, msg);
      if (!m) return fail(`message was "${msg}"`);
      const line = ctx.report.context.find((l) => l.text.includes(msg))?.line;
      return pass([{ condition: 'abort_message', text: msg, ...(line !== undefined ? { line } : {}) }], msg, m.captures);
    },
  };
}

function modules(spec: string | string[]): Condition {
  const match = compilePathGlobs(spec);
  return {
    label: `modules ${globList(spec).join(' | ')}`,
    tokens: null,
    test(ctx) {
      const found = ctx.modules().filter((m) => match(m));
      return found.length > 0
        ? pass(found.slice(0, 3).map((m) => ({ condition: 'modules', text: m })), found.map(basename).join(', '))
        : fail(`not among ${ctx.modules().length} module(s) seen`);
    },
  };
}

interface Step { pattern: FramePattern; firstMeaningful: boolean; maxGap: number | null }

/**
 * Ordered frame patterns on the crashing thread, innermost first, gaps allowed. Positions are
 * tracked as sets so a bounded gap never misses a match a different earlier choice would allow.
 */
function stackSequence(spec: StackStepSpec[]): Condition {
  const steps: Step[] = spec.map((s) => ({
    pattern: compileFramePattern({ function: s.function, module: s.module, file: s.file, args: s.args, locals: s.locals } as StackStepSpec),
    firstMeaningful: s.first_meaningful ?? false,
    maxGap: s.max_gap ?? null,
  }));
  return {
    label: `stack ${steps.map((s) => `[${s.pattern.describe}${s.firstMeaningful ? ', first meaningful' : ''}${s.maxGap !== null ? `, max gap ${s.maxGap}` : ''}]`).join(' -> ')}`,
    tokens: steps[0]!.pattern.tokens,
    test(ctx) {
      const frames = ctx.crashed?.frames ?? [];
      const threadIndex = ctx.report.crashedThread ?? undefined;
      const firstPhysical = physicalFrameOf(frames, ctx.firstMeaningful);
      // reach[k] = positions where step k matched, each with the path of positions that led there.
      let paths: { at: number; path: number[]; captures: Record<string, string> }[] = [{ at: -1, path: [], captures: {} }];
      for (const [k, step] of steps.entries()) {
        const next = new Map<number, { at: number; path: number[]; captures: Record<string, string> }>();
        for (const p of paths) {
          const limit = step.maxGap === null || k === 0 ? frames.length - 1 : Math.min(frames.length - 1, p.at + 1 + step.maxGap);
          for (let i = p.at + 1; i <= limit; i++) {
            if (next.has(i)) continue;
            if (step.firstMeaningful && (i < firstPhysical.from || i > firstPhysical.to)) continue;
            const m = step.pattern.test(frames[i]!);
            if (m) next.set(i, { at: i, path: [...p.path, i], captures: { ...p.captures, ...m.captures } });
          }
        }
        if (next.size === 0) {
          return fail(k === 0 ? `no frame of the crashing thread matches [${step.pattern.describe}]${step.firstMeaningful ? ' as its first meaningful frame' : ''}` : `matched ${k} of ${steps.length} steps; then none matches [${step.pattern.describe}]`);
        }
        paths = [...next.values()].sort((a, b) => a.at - b.at);
      }
      const best = paths[0]!;
      const evidence = best.path.map((i, k) => ({
        condition: `stack[${k}]`, ...(threadIndex !== undefined ? { thread: threadIndex } : {}), frame: i, text: frames[i]!.raw.split('\n')[0]!.trim(),
      }));
      return pass(evidence, `frames ${best.path.map((i) => `#${frames[i]!.index}`).join(', ')}`, best.captures);
    },
  };
}

/**
 * The first meaningful frame and the callers it was inlined into: one physical frame. An inlined
 * accessor at the top (`read_value [inlined]`) says less than the function it was expanded in, and
 * optimized code may show the null argument only on that function.
 */
function physicalFrameOf(frames: Frame[], first: number): { from: number; to: number } {
  if (first < 0) return { from: 0, to: -1 };
  let to = first;
  while (to + 1 < frames.length && frames[to]!.inlined) to++;
  return { from: first, to };
}

function isMainThread(t: Thread, i: number, threads: Thread[]): boolean {
  const hasMain = threads.some((x) => x.frames.some((f) => f.function === 'main'));
  return hasMain ? t.frames.some((f) => f.function === 'main') : t.id === '1' || (t.id === '' && i === 0);
}

function frameOnThread(label: string, pattern: FramePattern, which: 'any' | 'other' | 'main'): Condition {
  return {
    label: `${label}: ${pattern.describe}`,
    tokens: pattern.tokens,
    test(ctx) {
      const threads = ctx.report.threads;
      for (const [ti, t] of threads.entries()) {
        if (which === 'other' && ti === ctx.report.crashedThread) continue;
        if (which === 'main' && !isMainThread(t, ti, threads)) continue;
        for (const [fi, f] of t.frames.entries()) {
          const m = pattern.test(f);
          if (m) return pass([{ condition: label, thread: ti, frame: fi, text: f.raw.split('\n')[0]!.trim() }], `thread ${t.id || ti} #${f.index}`, m.captures);
        }
      }
      return fail(`no ${which === 'any' ? '' : which + ' '}thread has a frame matching [${pattern.describe}]`);
    },
  };
}

function threadCount(min: number, patterns: FramePattern[]): Condition {
  return {
    label: `threads: at least ${min} with [${patterns.map((p) => p.describe).join('] and [')}]`,
    tokens: patterns[0]!.tokens,
    test(ctx) {
      const matching = ctx.report.threads
        .map((t, ti) => ({ t, ti }))
        .filter(({ t }) => patterns.every((p) => t.frames.some((f) => p.test(f))));
      const evidence = matching.slice(0, 5).map(({ t, ti }) => ({ condition: 'threads', thread: ti, text: `thread ${t.id || ti}${t.name ? ` "${t.name}"` : ''}` }));
      return matching.length >= min ? pass(evidence, `${matching.length} thread(s)`) : fail(`${matching.length} thread(s) match, need ${min}`);
    },
  };
}

function repeated(min: number, fn: TextPattern[] | null): Condition {
  return {
    label: `repeated: a frame${fn ? ` matching ${fn.map((p) => p.source).join(' | ')}` : ''} at least ${min} times`,
    tokens: fn && fn.every((p) => p.tokens.length > 0) ? fn.map((p) => p.tokens) : null,
    test(ctx) {
      const t = ctx.crashed;
      if (!t) return fail('no crashing thread');
      const counts = new Map<string, { n: number; first: number }>();
      t.frames.forEach((f, i) => {
        if (f.function === '??' || (fn && !matchAny(fn, f.function))) return;
        const c = counts.get(f.function);
        if (c) c.n++;
        else counts.set(f.function, { n: 1, first: i });
      });
      let best: [string, { n: number; first: number }] | null = null;
      for (const e of counts) if (!best || e[1].n > best[1].n) best = e;
      if (!best) return fail('no candidate frame');
      // Frames beyond the per-thread cap were dropped from a runaway stack; they repeat the same code.
      const total = best[1].n + (t.droppedFrames ?? 0);
      return total >= min
        ? pass([{ condition: 'repeated', thread: ctx.report.crashedThread!, frame: best[1].first, text: `${best[0]} x${total}` }], `${best[0]} x${total}`)
        : fail(`most repeated is ${best[0]} x${total}, need ${min}`);
    },
  };
}

function logLine(label: string, patterns: TextPattern[], where: 'before' | 'after' | 'inside' | 'any'): Condition {
  return {
    label: `${label}: ${patterns.map((p) => p.source).join(' | ')}${where === 'any' ? '' : ` (${where} the trace)`}`,
    tokens: null,
    test(ctx) {
      for (const l of ctx.report.context) {
        if (where !== 'any' && l.position !== where) continue;
        const m = matchAny(patterns, l.text);
        if (m) return pass([{ condition: label, line: l.line, text: l.text }], `line ${l.line}`, m.captures);
      }
      return fail(`no ${where === 'any' ? '' : where + ' '}line matches`);
    },
  };
}
