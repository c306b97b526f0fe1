// analyzeCore: the native reading always, a debugger on top when one is available, merged.
// The native signal and fault address come from the kernel's own notes, so they win when the two
// disagree (and the report says so).

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { analyze } from '../analyze.js';
import type { AnalyzeResult, Report } from '../model.js';
import { SCHEMA_VERSION } from '../model.js';
import { computeSignature, SIGNATURE_VERSION } from '../normalize/signature.js';
import type { RuleSet } from '../rules/engine.js';
import { builtinRules } from '../rules/load.js';
import { onPath, runDebugger, type DebuggerName, type DebuggerRun } from './debugger.js';
import { readCoreFacts, type CoreFacts } from './native.js';
import { nativeReport } from './report.js';

export interface CoreOptions {
  /** The crashed program's executable (default: the one the core names, if it still exists). */
  exe?: string;
  /** Directory holding the crashed machine's libraries (gdb `set sysroot`). */
  sysroot?: string;
  /** 'auto' (default): gdb when on PATH, else lldb, else none. */
  debugger?: DebuggerName | 'none' | 'auto';
  /** Debugger time limit (default 60 s). */
  timeoutMs?: number;
  rules?: RuleSet | null;
}

export async function analyzeCore(path: string, options: CoreOptions = {}): Promise<AnalyzeResult> {
  const facts = readCoreFacts(path);
  const native = nativeReport(facts);
  const rules = options.rules === undefined ? builtinRules() : options.rules;
  const result = (report: Report): AnalyzeResult => {
    report.diagnoses = rules ? rules.diagnose(report) : [];
    return { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports: [report] };
  };

  const choice = options.debugger ?? 'auto';
  const name: DebuggerName | null = choice === 'none' ? null : choice === 'auto' ? (onPath('gdb') ? 'gdb' : onPath('lldb') ? 'lldb' : null) : choice;
  if (choice === 'auto' && !name) native.warnings!.push('no debugger found (install gdb or lldb for symbols and full stacks); this is the native summary only');
  if (!name) return result(withNativeHints(native, facts, null));
  if (!onPath(name)) {
    native.warnings!.push(`${name} is not installed; this is the native summary only`);
    return result(native);
  }

  const exe = findExecutable(path, facts, options.exe);
  if (options.exe && !exe) native.warnings!.push(`--exe ${options.exe}: no such file`);
  if (!exe) {
    native.warnings!.push(`executable ${facts.executable ?? facts.process?.fname ?? '(unknown)'} not found: pass --exe PATH (and --sysroot DIR for another machine's libraries) for symbols`);
    return result(native);
  }
  if (options.sysroot && name === 'lldb') native.warnings!.push('--sysroot is applied to gdb only');

  const run = await runDebugger(name, path, exe, { sysroot: options.sysroot ?? null, timeoutMs: options.timeoutMs ?? 60_000 });
  const problem = debuggerProblem(run);
  const parsed = run.output ? analyze(run.output, { path, rules: null }).reports[0] : undefined;
  if (!parsed) {
    native.warnings!.push(problem ?? `${name} printed no backtrace (${firstLine(run.output) ?? 'no output'}); this is the native summary only`);
    return result(native);
  }
  if (problem) parsed.warnings = [...(parsed.warnings ?? []), problem];
  return result(merge(parsed, native, facts, run));
}

function findExecutable(core: string, facts: CoreFacts, given: string | undefined): string | null {
  if (given) return existsSync(given) ? given : null;
  const named = facts.executable;
  if (named && existsSync(named)) return named;
  // Cores are often copied next to the binary (CI artifacts): try the core's own directory.
  const local = named ? join(dirname(core), basename(named)) : null;
  if (local && existsSync(local)) return local;
  return null;
}

function debuggerProblem(run: DebuggerRun): string | null {
  if (run.error) return `${run.debugger} could not be started: ${run.error}`;
  if (run.timedOut) return `${run.debugger} did not finish in time and was stopped; the stacks may be incomplete`;
  return null;
}

function firstLine(text: string): string | null {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? null;
}

function merge(r: Report, native: Report, facts: CoreFacts, run: DebuggerRun): Report {
  const warnings = [...(r.warnings ?? []), ...facts.warnings];
  // Line numbers of the debugger's output mean nothing to the user: the core is the source.
  r.source = { path: facts.path, line: 1, endLine: 1 };
  r.format = `core+${run.debugger}`;
  if (native.signal && r.signal !== native.signal) {
    if (r.signal) warnings.push(`${run.debugger} says ${r.signal}, the core's siginfo says ${native.signal}; the core's is kept`);
    r.signal = native.signal;
    r.signalDescription = native.signalDescription;
    r.crashKind = native.crashKind;
    const crashed = r.crashedThread === null ? [] : r.threads[r.crashedThread]!.frames;
    Object.assign(r, computeSignature(r.crashKind, crashed));
  }
  if (native.faultAddress && r.faultAddress && BigInt(r.faultAddress) !== BigInt(native.faultAddress)) {
    warnings.push(`${run.debugger} says fault address ${r.faultAddress}, the core's siginfo says ${native.faultAddress}; the core's is kept`);
  }
  r.faultAddress = native.faultAddress ?? r.faultAddress;
  r.program ??= native.program;
  r.modules = facts.modules;
  r.warnings = [...new Set([...warnings, ...missingSymbols(r)])];
  return r;
}

/** Frames the debugger could not name near the crash, by module: what to install or pass. */
function missingSymbols(r: Report): string[] {
  const crashed = r.crashedThread === null ? null : r.threads[r.crashedThread];
  if (!crashed) return [];
  const top = crashed.frames.slice(0, 5);
  // One unnamed libstdc++ thunk deep in a stack is normal; unnamed frames where the crash is are not.
  if (top[0]?.function !== '??' && r.signatureFrames.length > 0 && !r.signatureFrames.some((f) => f.includes('??'))) return [];
  const unnamed = new Map<string, number>();
  for (const f of top) if (f.function === '??') unnamed.set(f.module ?? 'the executable', (unnamed.get(f.module ?? 'the executable') ?? 0) + 1);
  return [...unnamed].map(([m, n]) => `no symbols for ${n} frame${n === 1 ? '' : 's'} in ${m}: build with -g or install its debug symbols (Debian: the -dbgsym/-dbg package), or pass --exe/--sysroot`);
}

function withNativeHints(r: Report, facts: CoreFacts, _run: null): Report {
  if (facts.threads.length) r.warnings!.push('frames are program counters only (no debugger): run with gdb or lldb installed for function names');
  return r;
}
