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

import { signalFromWords } from './signals.js';
import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import type { BlockParser, FeedResult, ParsedThread, ParsedTrace, TraceParser } from './types.js';

// Anywhere in a line: pytest prints it right after the test file's name and its dots.
const FATAL = /Fatal Python error: (Segmentation fault|Aborted|Bus error|Floating point exception|Illegal instruction|Abort trap|[A-Z]\w*(?: \w+)*)/;
const THREAD = /^\s*(Current thread|Thread) (0x[0-9a-fA-F]+) (?:\[[^\]]*\] )?\(most recent call first\):\s*$/;
const STACK = /^\s*Stack \(most recent call first\):\s*$/;
const FRAME = /^\s+File "(.+)", line (\d+) in (.+?)\s*$/;
const EXTENSIONS = /^\s*Extension modules: /;

/** strsignal()'s words (signalFromWords), and macOS's for SIGABRT. */
const signalOf = (words: string): string | null => signalFromWords(words) ?? (words === 'Abort trap' ? 'SIGABRT' : null);

export const faulthandlerParser: TraceParser = {
  format: 'python-faulthandler',
  label: "Python faulthandler dumps ('Fatal Python error: Segmentation fault', 'Current thread 0x...')",
  markers: ['Fatal Python error', 'most recent call first'],
  startsTrace: (line: string) => FATAL.test(line) || (line.includes('most recent call first') && (THREAD.test(line) || STACK.test(line))),
  begin: () => new FaulthandlerBlock(),
};

class FaulthandlerBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(3));
  private signal: string | null = null;
  private description: string | null = null;
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private crashed: string | null = null;
  private readonly inside: { line: number; text: string }[] = [];

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
    // The native modules loaded: what the crash most likely happened in.
    if (EXTENSIONS.test(line)) {
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    return line.trim() === '' || this.threads.length === 0 ? 'maybe' : 'end';
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    return {
      format: 'python-faulthandler',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: null,
      program: null,
      threads,
      hints: this.crashed && threads.some((t) => t.id === this.crashed) ? [{ threadId: this.crashed, reason: 'stop-reason' }] : [],
      inside: this.inside,
    };
  }
}
