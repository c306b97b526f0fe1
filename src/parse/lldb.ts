// lldb output: `bt`, `bt all`, live stops and core files, as lldb 14 prints them. One session is
// one trace: the stop banner, `bt` and `bt all` print the same threads again and are merged.

import { signalName } from './signals.js';
import {
  MAX_FRAMES_PER_THREAD,
  type BlockParser,
  type CrashedThreadHint,
  type FeedResult,
  type ParsedFrame,
  type ParsedThread,
  type ParsedTrace,
  type TraceParser,
} from './types.js';

const THREAD = /^(\*)?\s*thread #(\d+)(?::\s*tid = (\d+))?(.*)$/;
const FRAME = /^\s*(\*)?\s*frame #(\d+): (0x[0-9a-fA-F]+)(?: (.*))?$/;
const PROCESS_STOPPED = /^Process \d+ stopped\s*$/;
const CORE_LOADED = /^Core file '(.*)' \(([^)]*)\) was loaded\.\s*$/;
const TARGET_CREATE = /^\(lldb\) target create "((?:[^"\\]|\\.)*)"/;
const NAME = /, name = '((?:[^'\\]|\\.)*)'/;
const STOP_REASON = /, stop reason = (.*)$/;
const LOCATION = / at (\S+?):(\d+)(?::(\d+))?$/;
const OFFSET = / \+ \d+$/;

/** lldb's own lines inside a session: command echoes, banners, source and disassembly listings. */
const CHATTER: RegExp[] = [
  /^\(lldb\) /,
  /^Process \d+ (?:launched|exited|resuming)/,
  /^Current executable set to /,
  /^\s*(?:->)?\s*\d+\s+\t/, // source listing "-> 7   \tcode"
  /^\s+\^\s*$/, // column marker under the source line
  /^\s*(?:->)?\s+0x[0-9a-fA-F]+ <\+\d+>:/, // disassembly ("0x1139 <+8>:"; not a sanitizer's shadow dump)
  /^\S+`\S.*:$/, // "module`symbol:" heading of a disassembly
  /^error: /,
  /^warning: /,
];

const MAX_FOREIGN_LINES = 25;

export const lldbParser: TraceParser = {
  format: 'lldb',
  label: "lldb backtraces ('* thread #N', 'frame #N:')",
  // Every lldb backtrace has "frame #N:" lines (and thread lines "thread #N").
  markers: ['#'],
  startsTrace(line: string): boolean {
    if (line.includes('thread #')) return THREAD.test(line) && (NAME.test(line) || STOP_REASON.test(line) || /^\*?\s*thread #\d+\s*$/.test(line));
    if (line.includes('frame #')) return FRAME.test(line) && line.includes('`');
    return PROCESS_STOPPED.test(line) || CORE_LOADED.test(line) || TARGET_CREATE.test(line);
  },
  begin: () => new LldbBlock(),
};

class LldbBlock implements BlockParser {
  private start = 0;
  private end = 0;
  private signal: string | null = null;
  private signalDescription: string | null = null;
  private faultAddress: string | null = null;
  private program: string | null = null;
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private readonly hints: CrashedThreadHint[] = [];
  /** Set while a thread line repeats an id already read, until its first frame is compared. */
  private reprintOf: ParsedThread | null = null;
  private foreign = 0;
  private sawFrames = false;

  feed(line: string, lineNo: number): FeedResult {
    if (this.start === 0) this.start = lineNo;
    const verdict = this.classify(line);
    if (verdict === 'take') {
      this.foreign = 0;
      this.end = lineNo;
    } else if (verdict === 'maybe' && ++this.foreign > MAX_FOREIGN_LINES) return 'end';
    return verdict;
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if (line.includes('frame #') && (m = FRAME.exec(line))) return this.addFrame(m, line);
    if (line.includes('thread #') && (m = THREAD.exec(line))) return this.startThread(m);
    if (PROCESS_STOPPED.test(line)) return this.sawFrames ? 'split' : 'take';
    if (CORE_LOADED.test(line)) return this.sawFrames ? 'split' : 'take';
    if ((m = TARGET_CREATE.exec(line))) {
      if (this.sawFrames) return 'split';
      this.program = m[1]!;
      return 'take';
    }
    if (line.length < 4096 && CHATTER.some((re) => re.test(line))) return 'take';
    return 'maybe';
  }

  private startThread(m: RegExpExecArray): FeedResult {
    const [, star, id, tid, rest] = m as unknown as [string, string | undefined, string, string | undefined, string];
    const name = NAME.exec(rest);
    const thread: ParsedThread = { id, name: name ? name[1]! : null, lwp: tid ? Number(tid) : null, frames: [] };
    const reason = STOP_REASON.exec(rest);
    if (reason) this.stopReason(id, reason[1]!);
    if (star && !this.hints.some((h) => h.threadId === id && h.reason === 'selected-thread')) this.hints.push({ threadId: id, reason: 'selected-thread' });
    this.reprintOf = this.threads.find((t) => t.id === id) ?? null;
    if (this.reprintOf) {
      if (!this.reprintOf.name) this.reprintOf.name = thread.name;
      this.current = thread;
    } else {
      this.threads.push(thread);
      this.current = thread;
    }
    return 'take';
  }

  /** "signal SIGSEGV: invalid address (fault address: 0x0)" or "EXC_BAD_ACCESS (code=1, address=0x0)". */
  private stopReason(threadId: string, reason: string): void {
    const sig = /^signal (SIG[A-Z0-9]+|\d+)(?::\s*(.*?))?(?:\s*\(fault address: (0x[0-9a-fA-F]+)\))?\s*$/.exec(reason);
    const exc = /^(EXC_[A-Z_]+)(?: \(code=(\d+)(?:, (?:address|subcode)=(0x[0-9a-fA-F]+))?\))?/.exec(reason);
    let signal: string | null = null;
    if (sig) {
      signal = signalName(sig[1]!);
      // SIGSTOP (gdb-written cores) and "signal 0" (kernel cores) mark the other threads of a
      // core; neither is why the process died.
      if (signal === 'SIGSTOP' || sig[1] === '0') return;
      this.signalDescription = sig[2] || null;
      this.faultAddress = sig[3] ?? this.faultAddress;
    } else if (exc) {
      signal = EXCEPTION_SIGNALS[exc[1]!] ?? null;
      this.signalDescription = reason.trim();
      if (exc[1] === 'EXC_BAD_ACCESS' && exc[3]) this.faultAddress = exc[3];
    } else return;
    if (signal && !this.signal) this.signal = signal;
    if (!this.hints.some((h) => h.threadId === threadId && h.reason === 'stop-reason')) this.hints.unshift({ threadId, reason: 'stop-reason' });
  }

  private addFrame(m: RegExpExecArray, line: string): FeedResult {
    const frame = parseLldbFrame(m, line);
    if (this.reprintOf) {
      const earlier = this.reprintOf;
      this.reprintOf = null;
      const first = earlier.frames[0];
      if (frame.index !== 0 || (first && first.rawFunction !== frame.rawFunction)) return 'split';
      earlier.frames = [];
      earlier.droppedFrames = 0;
      this.current = earlier;
    }
    let thread = this.current;
    const last = thread?.frames[thread.frames.length - 1];
    if (!thread || (last && frame.index <= last.index)) {
      if (thread && frame.index !== 0) return 'split';
      if (thread && thread.id !== '') return 'split'; // frames restarting under the same thread line
      thread = this.threads.find((t) => t.id === '') ?? null;
      if (thread && thread.frames[0] && thread.frames[0].rawFunction !== frame.rawFunction) return 'split';
      if (!thread) {
        thread = { id: '', name: null, lwp: null, frames: [] };
        this.threads.push(thread);
      }
      thread.frames = [];
      this.current = thread;
    }
    this.sawFrames = true;
    if (thread.frames.length < MAX_FRAMES_PER_THREAD) thread.frames.push(frame);
    else thread.droppedFrames = (thread.droppedFrames ?? 0) + 1;
    return 'take';
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    // A headerless `bt` copy is the selected thread printed again by `bt all`.
    const anonymous = threads.find((t) => t.id === '');
    if (anonymous && threads.length > 1) {
      const twin = threads.find((t) => t !== anonymous && t.frames[0]?.rawFunction === anonymous.frames[0]?.rawFunction && t.frames[0]?.address === anonymous.frames[0]?.address);
      if (twin) threads.splice(threads.indexOf(anonymous), 1);
    }
    return {
      format: 'lldb',
      startLine: this.start,
      endLine: this.end,
      signal: this.signal,
      signalDescription: this.signalDescription,
      faultAddress: this.faultAddress,
      program: this.program,
      threads,
      hints: this.hints,
      inside: [],
    };
  }
}

/** Mach exception names lldb prints on macOS, and the signal each one becomes. */
const EXCEPTION_SIGNALS: Record<string, string> = {
  EXC_BAD_ACCESS: 'SIGSEGV',
  EXC_BAD_INSTRUCTION: 'SIGILL',
  EXC_ARITHMETIC: 'SIGFPE',
  EXC_CRASH: 'SIGABRT',
  EXC_BREAKPOINT: 'SIGTRAP',
  EXC_GUARD: 'SIGKILL',
  EXC_RESOURCE: 'SIGKILL',
};

/**
 * "frame #2: 0x... libc.so.6`__libc_start_call_main(main=(prog`main at x.c:9), argc=1) at f.h:58:16"
 * -> module, function text, location. lldb writes argument values into the signature itself, so
 * the bare name is cut at the first top-level "(" (see functionNameOf).
 */
function parseLldbFrame(m: RegExpExecArray, line: string): ParsedFrame {
  const index = Number(m[2]);
  const address = m[3]!;
  let rest = (m[4] ?? '').trim();
  let module: string | null = null;
  const tick = rest.indexOf('`');
  if (tick > 0 && !rest.slice(0, tick).includes(' ')) {
    module = rest.slice(0, tick);
    rest = rest.slice(tick + 1);
  } else if (tick < 0 && rest !== '' && !rest.includes(' ')) {
    module = rest; // "frame #0: 0x... libfoo.so" without a symbol
    rest = '';
  }
  let file: string | null = null;
  let lineNo: number | null = null;
  let column: number | null = null;
  const loc = LOCATION.exec(rest);
  if (loc) {
    file = loc[1]!;
    lineNo = Number(loc[2]);
    column = loc[3] ? Number(loc[3]) : null;
    rest = rest.slice(0, loc.index);
  }
  rest = rest.replace(OFFSET, '');
  let inlined = false;
  const inl = rest.indexOf(' [inlined] ');
  if (inl >= 0) {
    inlined = true;
    rest = rest.slice(inl + ' [inlined] '.length);
  }
  const rawFunction = rest === '' ? '??' : rest;
  return {
    index,
    address,
    rawFunction,
    // "___lldb_unnamed_symbol123" is lldb's name for an address without a symbol.
    functionName: rest === '' || rest.startsWith('___lldb_unnamed_symbol') ? '??' : functionNameOf(rest),
    module,
    file,
    line: lineNo,
    column,
    inlined,
    raw: line,
  };
}

/** The function name without lldb's inserted argument values: cut at the first top-level "(". */
export function functionNameOf(text: string): string {
  let angle = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === 'o' && text.startsWith('operator', i) && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      let j = i + 8;
      if (text.startsWith('()', j) && text[j + 2] === '(') j += 2; // "operator()(int)": the call operator itself
      else while (j < text.length && '<>=!+-*/%^&|~,[]'.includes(text[j]!)) j++;
      if (j === i + 8 && text[j] === '(') return text.slice(0, j) + '()'; // "operator(this=...)" is operator()
      i = j - 1;
      continue;
    }
    if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if (c === '(' && angle === 0) {
      if (text.startsWith('(anonymous namespace)', i)) {
        i += 20;
        continue;
      }
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trim();
}
