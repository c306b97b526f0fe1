// Native core facts -> a Report of the crash model: one frame per thread (the pc, placed in the
// mapped file that holds it), the crashing thread from the core itself, the mapped files as
// `modules`, so signatures, rules (e.g. libtcmalloc as evidence) and renderers work on it unchanged.
// Also the advice a native-only report needs: what is missing for function names and how to get it.

import type { Report } from '../model.js';
import { buildReport } from '../normalize/build-report.js';
import type { ParsedThread } from '../parse/types.js';
import type { CoreFacts } from './native.js';

const hex = (n: bigint) => `0x${n.toString(16).padStart(16, '0')}`;

export function nativeReport(facts: CoreFacts): Report {
  const threads: ParsedThread[] = facts.threads.map((t, i) => {
    const where = t.module ? ` from ${t.module}${t.moduleOffset !== null ? ` (+0x${t.moduleOffset.toString(16)})` : ''}` : t.pc === 0n ? ' (a call through a null function pointer?)' : ' (not in a mapped file)';
    return {
      id: String(i + 1),
      name: null,
      lwp: t.lwp,
      frames: [
        {
          index: 0,
          address: hex(t.pc),
          rawFunction: '??',
          module: t.module,
          file: null,
          line: null,
          column: null,
          inlined: false,
          raw: `#0  ${hex(t.pc)} in ??${where}  sp=${hex(t.sp)}`,
          ...(t.module && t.moduleOffset !== null ? { moduleOffset: `0x${t.moduleOffset.toString(16)}` } : {}),
        },
      ],
    };
  });
  const crashedId = facts.crashed === null ? null : String(facts.crashed + 1);
  const report = buildReport(
    {
      trace: {
        format: 'core',
        startLine: 1,
        endLine: 1,
        signal: facts.signalName,
        signalDescription: facts.signalDescription,
        faultAddress: facts.faultAddress,
        program: facts.process ? facts.process.args || facts.process.fname : null,
        threads,
        hints: crashedId ? [{ threadId: crashedId, reason: 'core-signal' }] : [],
        inside: [],
      },
      before: [],
      after: [],
    },
    facts.path,
  );
  // The stack pointer of each thread: a fault next to it is a stack overflow (guard page).
  report.threads.forEach((t, i) => (t.stackPointer = hex(facts.threads[i]!.sp)));
  report.modules = [...facts.modules];
  report.warnings = [...facts.warnings, ...replacedExecutable(facts)];
  return report;
}

/** Why a native report has no function names, and what to install or pass to get them. */
export function missingSymbolsAdvice(facts: CoreFacts, why: 'no-debugger' | 'debugger-none' | 'no-executable' | 'debugger-failed', detail?: string): string[] {
  if (facts.threads.length === 0) return [];
  const pcs = 'frames are program counters only';
  switch (why) {
    case 'no-debugger':
      return [`${pcs}: no debugger is installed; install gdb (Debian/Ubuntu: apt-get install gdb) or lldb for function names and full stacks`];
    case 'debugger-none':
      return [`${pcs} (--debugger none); run with gdb or lldb for function names and full stacks`];
    case 'no-executable':
      return [`${pcs}: the executable ${detail ?? facts.executable ?? facts.process?.fname ?? '(unknown)'} was not found; pass --exe PATH (the binary that crashed, with its debug info), and --sysroot DIR for another machine's libraries`];
    case 'debugger-failed':
      return [`${pcs}: ${detail ?? 'the debugger gave no stacks'}`];
  }
}

function replacedExecutable(facts: CoreFacts): string[] {
  if (!facts.executableReplaced || !facts.executable) return [];
  return [`the executable ${facts.executable} was deleted or replaced after the process started (the core maps it "(deleted)"): the file now at that path may not match; pass the binary that crashed with --exe`];
}
