// Python's faulthandler dump (python -X faulthandler, PYTHONFAULTHANDLER, pytest): what a C or C++
// extension's crash under Python prints. The frames are the Python ones that called into native
// code (most recent first); the native frames are not printed, so the last Python call names where
// to look, and "Extension modules:" which native code was loaded.
//
//   Fatal Python error: Segmentation fault
//
//   Current thread 0x00007f3c2a1b5740 (most recent call first):
//     File "/usr/lib/python3/dist-packages/mylib/core.py", line 88 in compute
//     File "/home/u/run.py", line 12 in main
//
//   Thread 0x00007f3c1e7fc640 (most recent call first):
//     File "/usr/lib/python3.11/threading.py", line 320 in wait
//
//   Extension modules: numpy.core._multiarray_umath, mylib._native (total: 2)
//
// Python 3.14 adds the current thread's native stack after its Python frames (backtrace() and
// dladdr(): a symbol when the object exports one, else the offset in the object). Those frames are
// the current thread's, above the Python ones: the faulthandler's own (_Py_DumpStack and unnamed
// frames in python), the signal trampoline (an unnamed libc frame), then the extension's code.
//
//   Current thread's C stack trace (most recent call first):
//     Binary file "/usr/bin/python3.14", at _Py_DumpStack+0x4c [0x55f0c1a3b47c]
//     Binary file "/lib/x86_64-linux-gnu/libc.so.6", at +0x45330 [0x7f21b3245330]
//     Binary file "/srv/venv/.../_mesh.cpython-314-x86_64-linux-gnu.so", at gk_edge_collapse+0x5a [0x7f21b0c1e2fa]

import { signalFromWords } from './signals.js';
import { windowsException } from './windows-exception.js';
import { bareFrame } from './stack.js';
import { markMangled } from './backtrace-symbols.js';
import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import type { BlockParser, FeedResult, ParsedThread, ParsedTrace, TraceParser } from './types.js';

// Anywhere in a line: pytest prints it right after the test file's name and its dots.
const FATAL = /Fatal Python error: (Segmentation fault|Aborted|Bus error|Floating point exception|Illegal instruction|Abort trap|[A-Z]\w*(?: \w+)*)/;
// On Windows the interpreter's exception handler names the exception instead (faulthandler.c:
// "access violation", "stack overflow", ..., else "code 0x%08x").
const WINDOWS = /Windows fatal exception: (access violation|stack overflow|int divide by zero|float divide by zero|float overflow|illegal instruction|in page error|code 0x([0-9a-fA-F]{8}))/;
const WINDOWS_CODES: Record<string, string> = {
  'access violation': 'c0000005',
  'stack overflow': 'c00000fd',
  'int divide by zero': 'c0000094',
  'float divide by zero': 'c000008e',
  'float overflow': 'c0000091',
  'illegal instruction': 'c000001d',
  'in page error': 'c0000006',
};
const THREAD = /^\s*(Current thread|Thread) (0x[0-9a-fA-F]+) (?:\[[^\]]*\] )?\(most recent call first\):\s*$/;
const STACK = /^\s*Stack \(most recent call first\):\s*$/;
const FRAME = /^\s+File "(.+)", line (\d+) in (.+?)\s*$/;
const EXTENSIONS = /^\s*Extension modules: /;
/** What a thread without Python frames shows (a native thread, one in C code only). */
const NO_FRAME = /^\s+<no Python frame>\s*$/;
const C_STACK = /^\s*Current thread's C stack trace \(most recent call first\):\s*$/;
const C_FRAME = /^\s+Binary file "(.+)", at (\S*?)(?:[+-]0x[0-9a-fA-F]+)? \[(0x[0-9a-fA-F]+)\]\s*$/;
/** What the C stack prints instead of frames, or after the 32nd. */
const C_NOTE = /^\s+<(?:truncated rest of calls|system returned no stack trace|cannot get C stack on this system|failed to get stack trace)>\s*$/;

/** The interpreter's own object (python3.14, libpython3.14.so.1.0, python314.dll). */
const isInterpreter = (module: string | null): boolean => /^(?:lib)?python[\d.]*[dmt]?(?:\.so[.\d]*|\.dylib|\.dll|\.exe)?$/i.test(module?.split(/[\\/]/).pop() ?? '');

/** strsignal()'s words (signalFromWords), and macOS's for SIGABRT. */
const signalOf = (words: string): string | null => signalFromWords(words) ?? (words === 'Abort trap' ? 'SIGABRT' : null);

export const faulthandlerParser: TraceParser = {
  format: 'python-faulthandler',
  label: "Python faulthandler dumps ('Fatal Python error: Segmentation fault', 'Current thread 0x...')",
  markers: ['Fatal Python error', 'Windows fatal exception', 'most recent call first'],
  startsTrace: (line: string) => FATAL.test(line) || WINDOWS.test(line) || (line.includes('most recent call first') && (THREAD.test(line) || STACK.test(line))),
  begin: () => new FaulthandlerBlock(),
};

class FaulthandlerBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(3));
  private signal: string | null = null;
  private description: string | null = null;
  private crashKind: string | null = null;
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private crashed: string | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  /** The current thread's native frames (Python 3.14), once its C stack's header was read. */
  private native: ParsedThread | null = null;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line, lineNo), lineNo);
  }

  private classify(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if ((m = FATAL.exec(line))) {
      if (this.threads.length) return 'split';
      this.signal = signalOf(m[1]!);
      this.description = m[1]!;
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if ((m = WINDOWS.exec(line))) {
      if (this.threads.length) return 'split';
      const exception = windowsException(m[2] ?? WINDOWS_CODES[m[1]!]!);
      this.signal = exception?.signal ?? null;
      this.crashKind = exception?.crashKind ?? null;
      this.description = exception?.name ?? m[1]!;
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if ((m = THREAD.exec(line)) || STACK.test(line)) {
      const id = m ? m[2]! : String(this.threads.length + 1);
      this.current = { id, name: null, lwp: null, frames: [] };
      this.threads.push(this.current);
      if (!m || m[1] === 'Current thread') this.crashed ??= id;
      return 'take';
    }
    if ((m = FRAME.exec(line)) && this.current) {
      pushCapped(this.current, { index: this.current.frames.length, address: null, rawFunction: m[3]!, module: null, file: m[1]!, line: Number(m[2]), column: null, inlined: false, raw: line.trim() });
      return 'take';
    }
    if (C_STACK.test(line)) {
      this.native = { id: 'C', name: null, lwp: null, frames: [] };
      this.current = null;
      return 'take';
    }
    if (this.native && ((m = C_FRAME.exec(line)) || C_NOTE.test(line))) {
      if (m) pushCapped(this.native, markMangled(bareFrame(this.native.frames.length, m[3]!, m[2] || '??', m[1]!, line.trim())));
      return 'take';
    }
    if (NO_FRAME.test(line)) return 'take';
    // The native modules loaded: what the crash most likely happened in.
    if (EXTENSIONS.test(line)) {
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    return line.trim() === '' || this.threads.length === 0 ? 'maybe' : 'end';
  }

  finish(): ParsedTrace | null {
    this.joinNativeFrames();
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    return {
      format: 'python-faulthandler',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      ...(this.crashKind ? { crashKind: this.crashKind } : {}),
      faultAddress: null,
      program: null,
      threads,
      hints: this.crashed && threads.some((t) => t.id === this.crashed) ? [{ threadId: this.crashed, reason: 'stop-reason' }] : [],
      inside: this.inside,
    };
  }

  /** The C stack's frames go above the current thread's Python frames, down to where the interpreter
   *  called the native code: from there on the Python frames say better what ran. */
  private joinNativeFrames(): void {
    const all = this.native?.frames ?? [];
    const current = this.threads.find((t) => t.id === this.crashed);
    if (!all.length || !current) return;
    const own = all.findIndex((f) => !isInterpreter(f.module));
    const back = own < 0 ? -1 : all.findIndex((f, i) => i > own && isInterpreter(f.module));
    const frames = back < 0 ? all : all.slice(0, back);
    current.frames = [...frames, ...current.frames].map((f, index) => ({ ...f, index }));
  }
}
