// Conditions of a rule, compiled once into small matchers over the crash model. The same kinds
// serve [when] (all must hold) and [[evidence]] (raise confidence when they hold).

import { firstMeaningfulFrame, type Evidence, type Frame, type Report, type Thread } from '../model.js';
import { basename } from '../normalize/glob.js';
import { compileGlob } from '../normalize/glob.js';
import {
  compileFramePattern, compilePathGlobs, compileTextPatterns, globList, liveAlternatives, matchAny, mayMatchIn, TextIndex,
  type FramePattern, type TextPattern,
} from './pattern.js';
import type { ConditionsSpec, StackStepSpec, ValuesSpec } from './schema.js';
import { clueFrames, faultingFrame, fillPattern, findClues, frameArguments, nullPageOffset, VALUE_KINDS, type ValueKind } from './clues.js';

/** What every condition sees: the report and facts derived from it once per report. */
export interface MatchContext {
  report: Report;
  crashed: Thread | null;
  /** Position (in the crashing thread's frames) of the first frame the signature kept, or -1. */
  firstMeaningful: number;
  modules(): string[];
  /** Every frame's function and full name: a pattern whose literals are not in it matches no
   *  frame of the report (`mayMatchIn`). */
  functionText(): TextIndex;
  /** The report's context lines, for the same test on log patterns. */
  contextText(): TextIndex;
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
  const firstMeaningful = firstMeaningfulFrame(report);
  let modules: string[] | null = null;
  let functions: TextIndex | null = null;
  let context: TextIndex | null = null;
  return {
    report, crashed, firstMeaningful,
    modules() {
      modules ??= collectModules(report);
      return modules;
    },
    functionText() {
      // A name without template arguments is its full name too: held once.
      return (functions ??= new TextIndex(report.threads.map((t) => t.frames.map((f) => (f.function === f.fullFunction ? f.function : `${f.function}\n${f.fullFunction}`)).join('\n')).join('\n')));
    },
    contextText() {
      return (context ??= new TextIndex(report.context.map((l) => l.text).join('\n')));
    },
  };
}

/** Characters of a path; a path longer than this before ".so" is not a library name anyone prints. */
const PATH_CHAR = /[\w./+-]/;
const MAX_PATH = 4096;
const SO_VERSION = /^(?:\.[0-9]+)*(?![\w])/;

/**
 * The ".so" paths of a log line ("/usr/lib/libtcmalloc.so.4"), found from each ".so" outward: linear
 * in the line (a regex scanning for the path's start was quadratic on a 70 KB line of path characters).
 */
export function sharedObjects(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf('.so'); at >= 0; at = text.indexOf('.so', at + 3)) {
    const version = SO_VERSION.exec(text.slice(at + 3, at + 3 + 64));
    if (!version) continue;
    let start = at;
    while (start > 0 && at - start < MAX_PATH && PATH_CHAR.test(text[start - 1]!)) start--;
    out.push(text.slice(start, at + 3 + version[0].length));
  }
  return out;
}

/** Modules loaded or on the stack: the report's module list, frame modules, and .so paths in the log. */
function collectModules(report: Report): string[] {
  const seen = new Set<string>((report as { modules?: string[] }).modules ?? []);
  for (const t of report.threads) for (const f of t.frames) if (f.module) seen.add(f.module);
  for (const l of report.context) if (l.text.includes('.so')) for (const m of sharedObjects(l.text)) seen.add(m);
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
  if (spec.values !== undefined) out.push(valuesCondition(spec.values));
  if (spec.pc !== undefined) out.push(pcClass(globList(spec.pc)));
  if (spec.module_copies !== undefined) out.push(moduleCopies(spec.module_copies));
  if (spec.thread_count !== undefined) out.push(threadTotal(spec.thread_count.min ?? null, spec.thread_count.max ?? null));
  return out;
}

/** Why a signal matters, in plain words (evidence of a rule's [when]). */
const SIGNAL_WHY: Record<string, string> = {
  SIGSEGV: 'SIGSEGV: the process read, wrote or jumped to memory it may not touch',
  SIGBUS: 'SIGBUS: the process accessed memory that exists but cannot be used (misaligned, or a truncated mapped file)',
  SIGABRT: 'SIGABRT: the program (or a library it uses) called abort() because it could not go on',
  SIGFPE: 'SIGFPE: an arithmetic error such as an integer division by zero',
  SIGILL: 'SIGILL: the CPU met an invalid instruction (a trap the compiler put in, or a jump into data)',
  SIGKILL: 'SIGKILL: something killed the process from outside (the OOM killer, a supervisor, a timeout)',
  SIGTRAP: 'SIGTRAP: a breakpoint or a trap instruction',
};

function whyOf(key: string, v: string): string {
  if (key === 'signal' || key === 'crash_kind') return SIGNAL_WHY[v] ?? `the crash is ${v}`;
  return `the trace is ${v} output`;
}

function valueGlobs(key: string, spec: string | string[], get: (r: Report) => string | null): Condition {
  const globs = globList(spec);
  const matchers = globs.map((g) => compileGlob(g, { caseInsensitive: true }));
  // Plain values ("SIGSEGV", "sanitizer"), the usual case, are one lookup of the value lower-cased once.
  const plain = globs.every((g) => !g.includes('*') && !g.includes('?')) ? new Set(globs.map((g) => g.toLowerCase())) : null;
  return {
    label: `${key} ${globs.join(' | ')}`,
    tokens: null,
    test(ctx) {
      const v = get(ctx.report);
      if (v === null) return fail(`${key} not shown`);
      return (plain ? plain.has(v.toLowerCase()) : matchers.some((m) => m(v))) ? pass([{ condition: key, text: v, why: whyOf(key, v) }], v) : fail(`${key} is ${v}`);
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
  if (fillPattern(`0x${a.toString(16)}`)) classes.push('freed-pattern');
  return classes;
}

/** How far from an unreadable stack slot a fault still counts as the stack's guard page. */
const STACK_NEAR = 0x10000n;

/**
 * "stack": the fault address lies within 64 KiB of a variable of the crashing thread that the
 * debugger could not read from its own stack slot (`<error reading variable: Cannot access memory
 * at address 0x7fffff7fef8c>`): the thread ran off the end of its stack.
 */
function nearUnreadableStack(ctx: MatchContext, a: bigint): string | null {
  const t = ctx.crashed;
  if (!t) return null;
  const frames = clueFrames(t, Math.max(0, faultingFrame(t)), 3);
  for (const c of findClues(t, frames)) {
    if (c.kind !== 'stack-unreadable') continue;
    const m = /address (0x[0-9a-f]+)/i.exec(c.value);
    if (!m) continue;
    const slot = BigInt(m[1]!);
    if ((slot > a ? slot - a : a - slot) < STACK_NEAR) return c.text;
  }
  return null;
}

/** The fault address within 64 KiB of the crashing thread's stack pointer, when the report has it. */
function nearStackPointer(ctx: MatchContext, a: bigint): string | null {
  const sp = ctx.crashed?.stackPointer;
  if (!sp || !/^0x[0-9a-f]+$/i.test(sp)) return null;
  const v = BigInt(sp);
  return (v > a ? v - a : a - v) < STACK_NEAR ? sp : null;
}

function classesOf(ctx: MatchContext, a: bigint): string[] {
  const classes = classify(a);
  if (nearUnreadableStack(ctx, a) || nearStackPointer(ctx, a)) classes.push('stack');
  return classes;
}

function addressWhy(ctx: MatchContext, cls: string, a: bigint): string {
  const addr = `0x${a.toString(16)}`;
  switch (cls) {
    case 'null-page': return a === 0n
      ? 'the fault address is 0x0: a null pointer was dereferenced'
      : `the fault address ${addr} is in the never-mapped first page: a member at offset ${nullPageOffset(ctx.report) ?? addr} of an object reached through a null pointer`;
    case 'near-null': return `the fault address ${addr} is just above zero: most likely a null pointer plus an offset (a member or an array index)`;
    case 'non-canonical': return `the fault address ${addr} is not a valid x86-64 address: the pointer was garbage (read from freed or overwritten memory)`;
    case 'kernel': return `the fault address ${addr} is in the kernel's half of the address space: a corrupted pointer`;
    case 'freed-pattern': return `the fault address ${addr} is near ${fillPattern(addr)}: the pointer was read from freed memory`;
    case 'stack': {
      const sp = nearStackPointer(ctx, a);
      return sp
        ? `the fault address ${addr} is next to the thread's stack pointer ${sp}: the thread ran off its stack into the guard page`
        : `the fault address ${addr} is next to a stack slot the debugger could not read (${nearUnreadableStack(ctx, a)}): the thread ran off its stack into the guard page`;
    }
    default: return `the fault address ${addr} is an ordinary user-space address`;
  }
}

/** Signals whose si_addr is a fault address; for the others (SIGABRT sent by abort(), SIGKILL)
 *  `$_siginfo._sifields._sigfault` prints the sender's pid and uid, not an address. */
const ADDRESS_SIGNALS = /^SIG(?:SEGV|BUS|ILL|FPE|TRAP)$/;

function parseAddress(r: Report): bigint | null {
  if (!r.faultAddress || !/^0x[0-9a-f]+$/i.test(r.faultAddress)) return null;
  if (r.signal && !ADDRESS_SIGNALS.test(r.signal)) return null;
  return BigInt(r.faultAddress);
}

function addressClass(wanted: string[]): Condition {
  return {
    label: `fault_address ${wanted.join(' | ')}`,
    tokens: null,
    test(ctx) {
      const a = parseAddress(ctx.report);
      if (a === null) return fail(ctx.report.faultAddress ? `${ctx.report.signal} carries no fault address` : 'fault address not shown');
      const classes = classesOf(ctx, a);
      const hit = wanted.find((w) => classes.includes(w));
      return hit
        ? pass([{ condition: 'fault_address', text: ctx.report.faultAddress!, why: addressWhy(ctx, hit, a) }], `${ctx.report.faultAddress} is ${classes.join(', ')}`)
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
      return a < max ? pass([{ condition: 'fault_address_below', text: ctx.report.faultAddress!, why: addressWhy(ctx, a < 0x1000n ? 'null-page' : a < 0x10000n ? 'near-null' : 'user', a) }], ctx.report.faultAddress!) : fail(`${ctx.report.faultAddress} is not below ${limit}`);
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
      return pass([{ condition: 'abort_message', text: msg, ...(line !== undefined ? { line } : {}), why: 'the message the program printed as it died says what went wrong' }], msg, m.captures);
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
        ? pass(found.slice(0, 3).map((m) => ({ condition: 'modules', text: m, why: `${basename(m)} is loaded in the process` })), found.map(basename).join(', '))
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
      // The alternatives of a step that may match some frame of the report: the others are not tried.
      const liveOf = (step: Step) => (step.pattern.literals ? liveAlternatives(step.pattern.literals, ctx.functionText()) : undefined);
      const firstLive = liveOf(steps[0]!);
      if (firstLive && !firstLive.includes(true)) return failFirstStep(steps[0]!);
      const frames = ctx.crashed?.frames ?? [];
      const threadIndex = ctx.report.crashedThread ?? undefined;
      const firstPhysical = physicalFrameOf(frames, ctx.firstMeaningful);
      // reach[k] = positions where step k matched, each with the path of positions that led there.
      let paths: { at: number; path: number[]; captures: Record<string, string> }[] = [{ at: -1, path: [], captures: {} }];
      for (const [k, step] of steps.entries()) {
        const live = k === 0 ? firstLive : liveOf(step);
        const next = new Map<number, { at: number; path: number[]; captures: Record<string, string> }>();
        for (const p of paths) {
          const limit = step.maxGap === null || k === 0 ? frames.length - 1 : Math.min(frames.length - 1, p.at + 1 + step.maxGap);
          for (let i = p.at + 1; i <= limit; i++) {
            if (next.has(i)) continue;
            if (step.firstMeaningful && (i < firstPhysical.from || i > firstPhysical.to)) continue;
            const m = step.pattern.test(frames[i]!, live);
            if (m) next.set(i, { at: i, path: [...p.path, i], captures: { ...p.captures, ...m.captures } });
          }
        }
        if (next.size === 0) return k === 0 ? failFirstStep(step) : fail(`matched ${k} of ${steps.length} steps; then none matches [${step.pattern.describe}]`);
        paths = [...next.values()].sort((a, b) => a.at - b.at);
      }
      const best = paths[0]!;
      const evidence = best.path.map((i, k) => ({
        condition: `stack[${k}]`, ...(threadIndex !== undefined ? { thread: threadIndex } : {}), frame: i, text: frames[i]!.raw.split('\n')[0]!.trim(),
        why: stepWhy(frames[i]!, k, steps.length, i === ctx.firstMeaningful),
      }));
      return pass(evidence, `frames ${best.path.map((i) => `#${frames[i]!.index}`).join(', ')}`, best.captures);
    },
  };
}

function failFirstStep(step: Step): Outcome {
  return fail(`no frame of the crashing thread matches [${step.pattern.describe}]${step.firstMeaningful ? ' as its first meaningful frame' : ''}`);
}

function stepWhy(f: Frame, k: number, n: number, first: boolean): string {
  const where = first ? 'the crash happened in' : k === 0 ? 'the crashing thread was in' : 'it was called from';
  return `${where} ${f.function === '??' ? `frame #${f.index}` : f.function}${n > 1 ? ` (frame ${k + 1} of the ${n} the rule expects, in order)` : ', the code the rule is about'}`;
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
      const live = pattern.literals ? liveAlternatives(pattern.literals, ctx.functionText()) : undefined;
      for (const [ti, t] of !live || live.includes(true) ? threads.entries() : []) {
        if (which === 'other' && ti === ctx.report.crashedThread) continue;
        if (which === 'main' && !isMainThread(t, ti, threads)) continue;
        for (const [fi, f] of t.frames.entries()) {
          const m = pattern.test(f, live);
          if (m) return pass([{ condition: label, thread: ti, frame: fi, text: f.raw.split('\n')[0]!.trim(), why: `${which === 'main' ? 'the main thread' : `thread ${t.id || ti}`} is in ${f.function}, which the rule names` }], `thread ${t.id || ti} #${f.index}`, m.captures);
        }
      }
      return fail(`no ${which === 'any' ? '' : which + ' '}thread has a frame matching [${pattern.describe}]`);
    },
  };
}

function threadCount(min: number, patterns: FramePattern[]): Condition {
  return {
    label: `threads: at least ${min} with [${patterns.map((p) => p.describe).join('] and [')}]`,
    // Every pattern must match when a thread is wanted (the one with the fewest alternatives indexes
    // best); with min 0 the condition holds whatever the frames.
    tokens: min >= 1 ? patterns.map((p) => p.tokens).filter((t): t is string[][] => t !== null && t.length > 0).sort((a, b) => a.length - b.length)[0] ?? null : null,
    test(ctx) {
      // A pattern no frame can match: no thread matches them all (and a min of 0 still holds).
      const live = patterns.map((p) => (p.literals ? liveAlternatives(p.literals, ctx.functionText()) : undefined));
      const possible = live.every((l) => !l || l.includes(true));
      const matching = (possible ? ctx.report.threads : [])
        .map((t, ti) => ({ t, ti }))
        .filter(({ t }) => patterns.every((p, k) => t.frames.some((f) => p.test(f, live[k]))));
      const evidence = matching.slice(0, 5).map(({ t, ti }) => ({ condition: 'threads', thread: ti, text: `thread ${t.id || ti}${t.name ? ` "${t.name}"` : ''}`, why: `${matching.length} threads are in the same place` }));
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
      // Frames beyond the per-thread cap were dropped from a runaway stack; they repeat the same code
      // only when the kept frames already repeat it (a deep stack of distinct functions is capped, not recursive).
      const total = best[1].n + (best[1].n >= 2 ? t.droppedFrames ?? 0 : 0);
      const depth = recursionCounter(t.frames.filter((f) => f.function === best![0]));
      return total >= min
        ? pass([{ condition: 'repeated', thread: ctx.report.crashedThread!, frame: best[1].first, text: `${best[0]} x${total}`, why: `${best[0]} is on the crashing thread's stack ${total} times${t.droppedFrames ? ` (${t.droppedFrames} frames beyond what was kept)` : ''}${depth ? `, and its argument ${depth} counts the levels` : ''}: recursion that did not stop` }], `${best[0]} x${total}`)
        : fail(`most repeated is ${best[0]} x${total}, need ${min}`);
    },
  };
}

/**
 * An integer argument that steps by one from each recursive frame to its caller ("depth=29111",
 * then "depth=29110"): the recursion's own count of its depth, shown as "depth=29111".
 */
function recursionCounter(frames: Frame[]): string | null {
  const ints = (f: Frame) => new Map(frameArguments(f).filter((a) => /^-?\d+$/.test(a.value)).map((a) => [a.name, Number(a.value)]));
  // The innermost frames may be unreadable (the guard page): start at the first three that are not.
  for (let i = 0; i + 2 < Math.min(frames.length, 6); i++) {
    const [a, b, c] = frames.slice(i, i + 3).map(ints) as [Map<string, number>, Map<string, number>, Map<string, number>];
    for (const [name, v] of a) {
      const w = b.get(name);
      const x = c.get(name);
      if (w === undefined || x === undefined) continue;
      const step = v - w;
      if (Math.abs(step) === 1 && w - x === step) return `${name}=${v}`;
    }
  }
  return null;
}

/** Log lines shown per condition: enough to see a pattern, not a flood. */
const MAX_LOG_EVIDENCE = 10;

function logLine(label: string, patterns: TextPattern[], where: 'before' | 'after' | 'inside' | 'any'): Condition {
  const literals = patterns.map((p) => p.literal);
  return {
    label: `${label}: ${patterns.map((p) => p.source).join(' | ')}${where === 'any' ? '' : ` (${where} the trace)`}`,
    tokens: null,
    test(ctx) {
      // Every matching line is evidence (a socket failing three times says more than once); the
      // first one's captures fill the diagnosis.
      const found: Evidence[] = [];
      let captures: Record<string, string> | null = null;
      const possible = mayMatchIn(literals, ctx.contextText());
      for (const l of possible ? ctx.report.context : []) {
        if (where !== 'any' && l.position !== where) continue;
        const m = matchAny(patterns, l.text);
        if (!m) continue;
        captures ??= m.captures;
        if (found.length < MAX_LOG_EVIDENCE) found.push({ condition: label, line: l.line, text: l.text, why: `the log ${l.position === 'before' ? 'before' : l.position === 'after' ? 'after' : 'inside'} the trace says so` });
      }
      if (captures === null) return fail(`no ${where === 'any' ? '' : where + ' '}line matches`);
      return pass(found, found.length === 1 ? `line ${found[0]!.line}` : `lines ${found.map((e) => e.line).join(', ')}`, captures);
    },
  };
}

/**
 * A telling argument or `bt full` local in the crashing frame and its callers: null, an empty smart
 * pointer, unreadable, a freed-memory fill pattern (see clues.ts). Each clue is evidence with the
 * frame it was printed on and, in plain words, why it matters.
 */
function valuesCondition(spec: ValuesSpec): Condition {
  const kinds = new Set<ValueKind>(spec.kind === undefined ? VALUE_KINDS : (globList(spec.kind) as ValueKind[]));
  const name = spec.name === undefined ? null : compileTextPatterns(spec.name);
  const count = spec.frames ?? 2;
  const where = spec.in ?? 'any';
  const parts = [`${[...kinds].join(' | ')}`];
  if (spec.name !== undefined) parts.push(`named ${name!.map((p) => p.source).join(' | ')}`);
  parts.push(`${where === 'any' ? 'argument or local' : where === 'args' ? 'argument' : 'local'} in the first ${count} meaningful frame${count === 1 ? '' : 's'}`);
  return {
    label: `values: ${parts.join(', ')}`,
    tokens: null,
    test(ctx) {
      const t = ctx.crashed;
      if (!t || t.frames.length === 0) return fail('no crashing thread');
      const frames = clueFrames(t, ctx.firstMeaningful, count);
      const clues = findClues(t, frames, where).filter((c) => kinds.has(c.kind) && (!name || matchAny(name, c.name)));
      if (clues.length === 0) {
        const shown = frames.some((i) => (t.frames[i]!.locals?.length ?? 0) > 0 || argumentTextOf(t.frames[i]!) !== '');
        return fail(shown ? 'no such value among the arguments and locals shown' : 'the trace shows no arguments or locals there');
      }
      const ti = ctx.report.crashedThread!;
      const evidence = clues.slice(0, 5).map((c) => ({ condition: 'values', thread: ti, frame: c.frame, text: c.text, why: c.why }));
      const first = clues[0]!;
      return pass(evidence, clues.map((c) => `#${t.frames[c.frame]!.index} ${c.text}`).join('; '), { value_name: first.name, value_frame: t.frames[first.frame]!.function });
    },
  };
}

function argumentTextOf(f: Frame): string {
  const open = f.rawFunction.indexOf('(');
  return open >= 0 ? f.rawFunction.slice(open + 1, f.rawFunction.lastIndexOf(')')).trim() : '';
}

/**
 * The program counter of the frame that was running when the signal came (under the signal
 * trampoline, else #0), in the same classes as the fault address: "null-page" is a call through
 * a null function pointer (or a null vtable slot), "freed-pattern" a call through a vtable read
 * from freed memory.
 */
function pcClass(wanted: string[]): Condition {
  return {
    label: `pc ${wanted.join(' | ')}`,
    tokens: null,
    test(ctx) {
      const t = ctx.crashed;
      const fi = t ? faultingFrame(t) : -1;
      const f = fi >= 0 ? t!.frames[fi]! : null;
      if (!f || !f.address || !/^0x[0-9a-f]+$/i.test(f.address)) return fail('the faulting frame shows no address');
      const a = BigInt(f.address);
      const classes = classify(a);
      const hit = wanted.find((w) => classes.includes(w));
      if (!hit) return fail(`pc ${f.address} is ${classes.join(', ')}`);
      const why = hit === 'null-page'
        ? `the program counter is ${f.address}: the code jumped to address zero, a call through a null function pointer or through a vtable slot of an object that was never built or already destroyed`
        : hit === 'freed-pattern'
          ? `the program counter ${f.address} is near ${fillPattern(f.address)}: a virtual call through a vtable pointer read from freed memory`
          : `the program counter ${f.address} is not code (${hit}): a call through a corrupted function or vtable pointer`;
      return pass([{ condition: 'pc', thread: ctx.report.crashedThread!, frame: fi, text: f.raw.split('\n')[0]!.trim(), why }], `pc ${f.address} is ${classes.join(', ')}`);
    },
  };
}

/** "libprotobuf.so.3.21.12" -> "libprotobuf"; "libfoo-2.1.so" -> "libfoo". */
export function libraryStem(path: string): string {
  return basename(path).replace(/(?:\.so(?:\.[0-9]+)*|\.dylib|\.dll|\.a)$/i, '').replace(/[-_.]?[0-9]+(?:\.[0-9]+)*$/, '');
}

const SYSTEM_DIR = /^(?:\/usr)?\/lib(?:64|32)?(?:\/[a-z0-9_]+-linux-gnu[a-z]*)?$/;

/** The directory a module lives in; the system's library directories (/lib, /usr/lib, /lib64, the
 *  multiarch ones, which merged /usr and symlinks make aliases of each other) count as one. */
function moduleDir(path: string): string {
  const i = path.lastIndexOf('/');
  const dir = i < 0 ? '' : path.slice(0, i);
  return SYSTEM_DIR.test(dir) ? '<system>' : dir;
}

/** Two file names of one library that are the same file: a soname and its real name
 *  ("libstdc++.so.6" and "libstdc++.so.6.0.30"). */
function sameVersion(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** The dynamic loader shows up under several paths (/lib64/ld-linux-x86-64.so.2 and its multiarch twin). */
const LOADER = /^ld(?:-linux[^/]*|64)?\.so/;

/**
 * Two copies of one library in the process: the same library name under two versions
 * (libprotobuf.so.17 and libprotobuf.so.32) or from two directories. Symlink names without a
 * version (libfoo.so beside libfoo.so.1) do not count.
 */
function moduleCopies(spec: string | string[]): Condition {
  const match = compilePathGlobs(spec);
  return {
    label: `module_copies ${globList(spec).join(' | ')}`,
    tokens: null,
    test(ctx) {
      const byStem = new Map<string, string[]>();
      for (const m of ctx.modules()) {
        if (!match(m) || LOADER.test(basename(m)) || !/\.so\.[0-9]|\.dylib$|\.dll$|\/[^/]*\.so$/i.test(m)) continue;
        const stem = libraryStem(m);
        if (!stem) continue;
        const list = byStem.get(stem) ?? [];
        list.push(m);
        byStem.set(stem, list);
      }
      for (const [stem, paths] of byStem) {
        const unique = [...new Set(paths)];
        // Two versions: different versioned file names. Two places: one file name in two directories.
        const names = [...new Set(unique.filter((p) => /\.so\.[0-9]/.test(p)).map(basename))];
        const twoVersions = names.some((a, i) => names.slice(i + 1).some((b) => !sameVersion(a, b)));
        const places = new Map<string, Set<string>>();
        for (const p of unique.filter((x) => x.includes('/'))) places.set(basename(p), (places.get(basename(p)) ?? new Set()).add(moduleDir(p)));
        if (twoVersions || [...places.values()].some((d) => d.size >= 2)) {
          const shown = unique.slice(0, 4);
          return pass(shown.map((p) => ({ condition: 'module_copies', text: p, why: `two copies of ${stem} are loaded: code built against one runs with the other's data, or each copy keeps its own global state` })), `${stem}: ${shown.join(', ')}`);
        }
      }
      return fail('no library is loaded twice');
    },
  };
}

function threadTotal(min: number | null, max: number | null): Condition {
  return {
    label: `thread_count${min !== null ? ` >= ${min}` : ''}${max !== null ? ` <= ${max}` : ''}`,
    tokens: null,
    test(ctx) {
      const n = ctx.report.threads.filter((t) => !t.role || t.role === 'access').length;
      const ok = (min === null || n >= min) && (max === null || n <= max);
      return ok
        ? pass([{ condition: 'thread_count', text: `${n} thread${n === 1 ? '' : 's'}`, why: n === 1 ? 'the process has a single thread: nothing else can release a lock it waits for' : `${n} threads in the process` }], `${n} thread(s)`)
        : fail(`${n} thread(s)`);
    },
  };
}
