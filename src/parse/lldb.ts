// lldb output: `bt`, `bt all`, live stops and core files, as lldb 14 prints them. One session is
// one trace: the stop banner, `bt` and `bt all` print the same threads again and are merged.
// Also what people paste from macOS and Windows lldb (frames in libsystem_kernel.dylib`__pthread_kill + 8,
// ntdll.dll`NtWaitForAlertByThreadId + 20; Windows' "stop reason = Exception 0xc0000005 encountered
// at address ...") and frames they summarized by hand: "frame #3-7: libc++abi.dylib`terminate cascade"
// (one frame for the range, its text as the name), "frame #4: ... (5 frames elided)" (an unknown frame,
// kept so the numbering stays right) and frames without their address ("frame #5: libsystem_c.dylib`abort + 180").

import { ForeignBudget, mergeHeaderlessCopy, pushCapped, ThreadBook, TraceSpan } from './framework.js';
import { MACH_EXCEPTION_SIGNALS, signalName } from './signals.js';
import {
  type BlockParser,
  type CrashedThreadHint,
  type FeedResult,
  type ParsedFrame,
  type ParsedThread,
  type ParsedTrace,
  type TraceParser,
} from './types.js';

const THREAD = /^(\*)?\s*thread #(\d+)(?::\s*tid = (\d+))?(.*)$/;
const SOURCE_ARROW = /^\s*->\s+(\d+)\s*\t?(.*)$/;
/** The lines around it: "   10  \tint Node::value() const {"; an empty one is its number alone (the
 *  cleaner drops trailing blanks, its tab with them). */
const SOURCE_CONTEXT = /^ {3}\s*\d+(?:\s*\t|$)/;
const FRAME = /^\s*(\*)?\s*frame #(\d+): (0x[0-9a-fA-F]+)(?: (.*))?$/s;
/** Frames summarized by hand: a range ("frame #3-7:"), an elision ("frame #4: ..."), no address. */
const SUMMARY_FRAME = /^\s*(\*)?\s*frame #(\d+)(?:\s*(?:-|\.\.|to)\s*#?(\d+))?: (?!0x[0-9a-fA-F]+(?:\s|$))(\S.*)$/s;
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
  /^\s*(?:->)?\s*\d+(?:\s+\t|$)/, // source listing "-> 7   \tcode", an empty line "   8"
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
  // What every line startsTrace accepts holds (not a bare '#', which near-miss log lines are full of).
  markers: ['thread #', 'frame #', ' stopped', "Core file '", 'target create'],
  startsTrace(line: string): boolean {
    if (line.includes('thread #')) return THREAD.test(line) && (NAME.test(line) || STOP_REASON.test(line) || /^\*?\s*thread #\d+\s*$/.test(line));
    if (line.includes('frame #')) return (FRAME.test(line) || SUMMARY_FRAME.test(line)) && line.includes('`');
    return PROCESS_STOPPED.test(line) || CORE_LOADED.test(line) || TARGET_CREATE.test(line);
  },
  begin: () => new LldbBlock(),
};

class LldbBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private signal: string | null = null;
  private signalDescription: string | null = null;
  private faultAddress: string | null = null;
  private program: string | null = null;
  /** Threads as read; a thread printed again replaces its copy or splits the trace (see ThreadBook). */
  private readonly book = new ThreadBook({ restartUnderHeader: 'split', keep: (id) => this.hints.some((h) => h.threadId === id) });
  private readonly hints: CrashedThreadHint[] = [];
  private sawFrames = false;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line), lineNo);
  }

  /** The source line lldb listed at the stop ("-> 12"), for the #0 frame a later `bt` prints. */
  private stopSource: { line: number; text: string } | null = null;

  /** A frame line that ends too early (a mail client wrapped it): the next line may hold the rest. */
  private cutFrame: { text: string; frame: ParsedFrame } | null = null;

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    const cut = this.cutFrame;
    this.cutFrame = null;
    if (cut && line.trim() !== '' && !line.includes('frame #') && !line.includes('thread #') && continues(cut.text, line)) {
      const joined = `${cut.text.trimEnd()} ${line.trim()}`;
      if ((m = FRAME.exec(joined))) {
        Object.assign(cut.frame, parseLldbFrame(m, joined), { raw: `${cut.frame.raw}\n${line}` });
        // Wrapped more than once: a long template name or argument list.
        if (looksCut(m[4])) this.cutFrame = { text: joined, frame: cut.frame };
        return 'take';
      }
    }
    // lldb's source listing at a stop: "-> 12  \t  return data_->v;" marks the line of frame #0.
    if ((m = SOURCE_ARROW.exec(line))) {
      const at = Number(m[1]);
      const frame = [...this.book.threads].reverse().flatMap((t) => t.frames.filter((f) => f.index === 0 && f.line === at))[0];
      if (frame && m[2]!.trim() !== '') frame.source = m[2]!;
      this.stopSource = { line: at, text: m[2]! };
      return 'take';
    }
    if (SOURCE_CONTEXT.test(line)) return 'take';
    if (line.includes('frame #') && (m = FRAME.exec(line))) {
      const frame = parseLldbFrame(m, line);
      if (frame.index === 0 && this.stopSource && frame.line === this.stopSource.line && this.stopSource.text.trim() !== '') frame.source = this.stopSource.text;
      const verdict = this.addFrame(frame);
      if (verdict === 'take' && looksCut(m[4])) this.cutFrame = { text: line, frame };
      return verdict;
    }
    if (line.includes('frame #') && (m = SUMMARY_FRAME.exec(line))) return this.addFrame(summaryFrame(m, line));
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
    // The same thread printed again (the stop banner, then `bt all`): decided at its first frame.
    const earlier = this.book.header(thread);
    if (earlier && !earlier.name) earlier.name = thread.name;
    return 'take';
  }

  /** "signal SIGSEGV: invalid address (fault address: 0x0)" or "EXC_BAD_ACCESS (code=1, address=0x0)";
   *  newer lldbs write "(fault address=0x18)" after the si_code's words. */
  private stopReason(threadId: string, reason: string): void {
    const sig = /^signal (SIG[A-Z0-9]+|\d+)(?::\s*(.*?))?(?:\s*\(fault address(?::\s*|=)(0x[0-9a-fA-F]+)\))?\s*$/.exec(reason);
    const exc = /^(EXC_[A-Z_]+)(?: \(code=(\d+)(?:, (?:address|subcode)=(0x[0-9a-fA-F]+))?\))?/.exec(reason);
    // Windows: "Exception 0xc0000005 encountered at address 0x7ff6...: Access violation writing location 0x00000000".
    const win = /^Exception (0x[0-9a-fA-F]{8}) encountered at address (0x[0-9a-fA-F]+)(?::\s*(.*))?$/.exec(reason);
    let signal: string | null = null;
    if (win) {
      signal = WINDOWS_EXCEPTIONS[win[1]!.toLowerCase()] ?? null;
      this.signalDescription = reason.trim();
      const at = win[3] ? /(?:reading|writing|executing) location (0x[0-9a-fA-F]+)/.exec(win[3]) : null;
      if (at) this.faultAddress = `0x${BigInt(at[1]!).toString(16)}`;
      if (signal && !this.signal) this.signal = signal;
      if (!this.hints.some((h) => h.threadId === threadId && h.reason === 'stop-reason')) this.hints.unshift({ threadId, reason: 'stop-reason' });
      return;
    }
    if (sig) {
      signal = signalName(sig[1]!);
      // SIGSTOP (gdb-written cores) and "signal 0" (kernel cores) mark the other threads of a
      // core; neither is why the process died.
      if (signal === 'SIGSTOP' || sig[1] === '0') return;
      this.signalDescription = sig[2] || null;
      this.faultAddress = sig[3] ?? this.faultAddress;
    } else if (exc) {
      signal = MACH_EXCEPTION_SIGNALS[exc[1]!] ?? null;
      this.signalDescription = reason.trim();
      if (exc[1] === 'EXC_BAD_ACCESS' && exc[3]) this.faultAddress = exc[3];
    } else return;
    if (signal && !this.signal) this.signal = signal;
    if (!this.hints.some((h) => h.threadId === threadId && h.reason === 'stop-reason')) this.hints.unshift({ threadId, reason: 'stop-reason' });
  }

  private addFrame(frame: ParsedFrame): FeedResult {
    // A copy is the same stack when its top frame's text is; frames restarting under the same
    // thread line are another trace.
    const thread = this.book.threadFor(frame.index, (first) => first.rawFunction === frame.rawFunction);
    if (thread === 'split') return 'split';
    this.sawFrames = true;
    pushCapped(thread, frame);
    return 'take';
  }

  finish(): ParsedTrace | null {
    const read = this.book.threads.filter((t) => t.frames.length > 0);
    if (read.length === 0) return null;
    // A headerless `bt` copy is the selected thread printed again by `bt all`: dropped.
    const threads = mergeHeaderlessCopy(read, { same: (t, headerless) => t.frames[0]?.rawFunction === headerless.frames[0]?.rawFunction && t.frames[0]?.address === headerless.frames[0]?.address });
    return {
      format: 'lldb',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.signalDescription,
      faultAddress: this.faultAddress,
      program: this.program,
      threads,
      hints: this.hints,
      inside: [],
      ...(this.book.dropped > 0 ? { droppedThreads: this.book.dropped } : {}),
    };
  }
}

/** Windows exception codes (NTSTATUS) lldb names in a stop reason, and the signal each one is. */
const WINDOWS_EXCEPTIONS: Record<string, string> = {
  '0xc0000005': 'SIGSEGV', // access violation
  '0xc0000006': 'SIGBUS', // in-page error
  '0xc000001d': 'SIGILL', // illegal instruction
  '0xc0000096': 'SIGILL', // privileged instruction
  '0xc0000094': 'SIGFPE', // integer divide by zero
  '0xc0000095': 'SIGFPE', // integer overflow
  '0xc000008e': 'SIGFPE', // float divide by zero
  '0x80000003': 'SIGTRAP', // breakpoint
  '0xc0000409': 'SIGABRT', // stack buffer overrun / __fastfail
  '0xc00000fd': 'SIGSEGV', // stack overflow
  '0xe06d7363': 'SIGABRT', // an uncaught C++ exception (MSVC)
};

/** A frame a person summarized: "frame #3-7: libc++abi.dylib`terminate cascade", "frame #4: ... (5 frames elided)". */
/** " at file.cpp:10:5" at the end of a frame's text: the location, and the text before it. */
function splitLocation(text: string): { file: string | null; line: number | null; column: number | null; before: string } {
  const loc = LOCATION.exec(text);
  if (!loc) return { file: null, line: null, column: null, before: text };
  return { file: loc[1]!, line: Number(loc[2]), column: loc[3] ? Number(loc[3]) : null, before: text.slice(0, loc.index) };
}

function summaryFrame(m: RegExpExecArray, line: string): ParsedFrame {
  const text = m[4]!.trim();
  const tick = text.indexOf('`');
  const module = tick > 0 && !text.slice(0, tick).includes(' ') ? text.slice(0, tick) : null;
  let rest = module ? text.slice(tick + 1) : text;
  // "..." or "(5 frames elided)": nothing known about the frame itself.
  if (/^\.{3}|^\(\d+ frames? elided\)$|^…/.test(rest)) rest = '';
  const { file, line: lineNo, column, before } = splitLocation(rest);
  rest = before.replace(OFFSET, '').trim();
  // A range stands for several frames: its text is kept whole (rawFunction) but names no function,
  // so the signature passes over it like over a frame without symbols.
  const range = m[3] !== undefined;
  return {
    index: Number(m[2]),
    address: null,
    rawFunction: rest === '' ? '??' : rest,
    functionName: rest === '' || range ? '??' : functionNameOf(rest),
    module,
    file,
    line: lineNo,
    column,
    inlined: false,
    raw: line,
  };
}

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
  const { file, line: lineNo, column, before } = splitLocation(rest);
  rest = before.replace(OFFSET, '');
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
  // A Swift closure names its type before "in": the closure and its enclosing function stay one name.
  if (/^(?:[a-z@][\w@ ]*? )?(?:implicit )?closure #\d+ /.test(text)) return text.trim();
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

/**
 * Whether what follows a frame's address stops short: nothing after the address, an open
 * argument list, a trailing "at" or a module without its function ("app`").
 */
function looksCut(rest: string | undefined): boolean {
  if (rest === undefined || rest.trim() === '') return true;
  const t = rest.trimEnd();
  if (/(?:\sat|`|,|\+)$/.test(t)) return true;
  let depth = 0;
  for (const c of t) depth += c === '(' ? 1 : c === ')' ? -1 : 0;
  return depth > 0;
}

/**
 * Whether `line` is the rest of the cut frame line `text`: after a bare address only a
 * "module`function" continues it, after a trailing "at" only a location; inside an open argument
 * list anything does. ("frame #0: 0x0000000000000000" then "error: memory read failed" is not one frame.)
 */
function continues(text: string, line: string): boolean {
  const t = text.trimEnd();
  if (/frame #\d+: 0x[0-9a-fA-F]+$/.test(t)) return /^\s*\S+`/.test(line);
  if (/\sat$/.test(t)) return /^\s*\S+:\d+/.test(line);
  return true;
}
