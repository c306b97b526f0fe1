// Valgrind error reports (memcheck; helgrind and drd below), as printed on stderr or into --log-file: every line carries the
// "==PID==" prefix, an error is a header line, its stack ("at 0x...: f (file.c:5)", "by 0x...: ..."),
// then block descriptions that open labelled secondary stacks ("Address 0x... is 4 bytes inside a
// block of size 8 free'd", "Block was alloc'd at", "Uninitialised value was created by ..."), and a
// prefix-only line. Each error, each leak record and the fatal "Process terminating with default
// action of signal N" is one report, like each sanitizer report.
//
// The verdict becomes the crash kind, in the sanitizers' vocabulary wherever the report says enough,
// so signatures and the generic rules work across formats:
//   Invalid read/write inside/after/before a free'd block  -> heap-use-after-free
//   Invalid read/write after/before/inside an alloc'd block -> heap-buffer-overflow
//   Invalid read/write below the stack pointer              -> stack-use-after-return
//   Invalid read/write elsewhere ("not stack'd, malloc'd")  -> valgrind: invalid-read / invalid-write
//   Invalid free() of a free'd block / of anything else     -> double-free / bad-free
//   Mismatched free() / delete / delete []                  -> alloc-dealloc-mismatch
//   Mismatched new/delete size value                        -> new-delete-type-mismatch
//   Conditional jump / Use of uninitialised value / a syscall param with uninitialised bytes
//                                                          -> use-of-uninitialized-value
//   Syscall param ... unaddressable byte(s)                 -> by its block as above, else valgrind: syscall-unaddressable
//   Source and destination overlap in memcpy(...)           -> memcpy-param-overlap
//   Argument 'size' of function malloc has a fishy (possibly negative) value: -5 -> valgrind: fishy-argument
//   Jump to the invalid address stated on the next line     -> valgrind: invalid-jump
//   definitely / indirectly lost, possibly lost, still reachable -> memory-leak, possible-memory-leak, still-reachable
//   Process terminating with default action of signal 11 (SIGSEGV) -> the signal (crash kind SIGSEGV), with
//   the fault address of "Access not within mapped region at address 0x0"; stack-overflow when valgrind
//   says the stack could not grow.
// Valgrind's thread checkers print their errors the same way (class: a race found by valgrind, not
// TSan), and their verdicts take TSan's words:
//   Helgrind: Possible data race during write of size 4 at 0x... by thread #3   -> data race
//             (its "This conflicts with a previous read ... by thread #2" opens the other access's stack)
//   Helgrind: Thread #1: lock order "0x... before 0x..." violated              -> lock-order-inversion (potential deadlock)
//   DRD:      Conflicting store by thread 3 at 0x0010c0f8 size 8                 -> data race
//             (its "Other segment start (thread 2)" opens the other thread's stack)

import { signalName } from './signals.js';
import { ForeignBudget, MIN_WRAP_WIDTH, pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type InputState, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

/**
 * "==1234== " and, with --time-stamp=yes, "==00:00:00:01.234 1234== " (the elapsed time inside the
 * "==", before the pid); the message follows. A line whose trailing space was stripped ("==1234==")
 * is the blank prefix line. Not anchored: a program that wrote without a newline puts its output on
 * the same line, before the prefix ("step 1: ==1234== Invalid read of size 4").
 */
const PREFIX = /==(?:\d\d:\d\d:\d\d:\d\d\.\d{3} )?(\d+)==(?: |$)/;
/** The pid and the message of a valgrind line, or null. */
/** An error's header line (or the thread line or repeat before one). */
function startsWithHeader(line: string): boolean {
  const p = prefixed(line);
  if (!p || !HEADER_WORDS.test(p.text)) return false;
  return THREAD.test(p.text) || REPEAT.test(p.text) || HEADERS.some(([re]) => re.test(p.text));
}

function prefixed(line: string): { pid: string; text: string } | null {
  if (!line.includes('==')) return null;
  const p = PREFIX.exec(line);
  return p ? { pid: p[1]!, text: line.slice(p.index + p[0].length) } : null;
}
const HEADERS: [RegExp, string][] = [
  [/^Invalid read of size \d+$/, 'invalid-read'],
  [/^Invalid write of size \d+$/, 'invalid-write'],
  [/^Invalid free\(\) \/ delete \/ delete\[\] \/ realloc\(\)$/, 'invalid-free'],
  [/^Mismatched free\(\) \/ delete \/ delete ?\[\]$/, 'alloc-dealloc-mismatch'],
  [/^Mismatched new\/delete size value: \d+$/, 'new-delete-type-mismatch'],
  [/^Conditional jump or move depends on uninitialised value\(s\)$/, 'use-of-uninitialized-value'],
  [/^Use of uninitialised value of size \d+$/, 'use-of-uninitialized-value'],
  [/^Syscall param .+? (?:points to|contains) uninitialised byte\(s\)$/, 'use-of-uninitialized-value'],
  [/^Syscall param .+? (?:points to|contains) unaddressable byte\(s\)$/, 'syscall-unaddressable'],
  [/^Uninitialised byte\(s\) found during client check request$/, 'use-of-uninitialized-value'],
  [/^Unaddressable byte\(s\) found during client check request$/, 'unaddressable-client-check'],
  [/^Source and destination overlap in (\w+)\(.*\)$/, 'param-overlap'],
  [/^Argument '\w+' of function \w+ has a fishy \(possibly negative\) value: -?\d+$/, 'fishy-argument'],
  [/^Jump to the invalid address stated on the next line$/, 'invalid-jump'],
  [/^Invalid alignment value: .*$/, 'invalid-alignment'],
  [/^Illegal memory pool address$/, 'invalid-mempool'],
  [/^realloc\(\) with size 0$/, 'realloc-size-zero'],
  [/^[\d,]+ (?:\([\d,]+ direct, [\d,]+ indirect\) )?bytes in [\d,]+ blocks are (definitely|indirectly|possibly) lost in loss record [\d,]+ of [\d,]+$/, 'leak'],
  [/^[\d,]+ (?:\([\d,]+ direct, [\d,]+ indirect\) )?bytes in [\d,]+ blocks are still reachable in loss record [\d,]+ of [\d,]+$/, 'still-reachable'],
  [/^Process terminating with default action of signal (\d+) \((SIG\w+)\)(?:: dumping core)?$/, 'signal'],
  [/^Possible data race during (?:read|write) of size \d+ at 0x[0-9A-Fa-f]+ by thread #\d+$/, 'race'],
  [/^Conflicting (?:load|store) by thread \d+ at 0x[0-9A-Fa-f]+ size \d+$/, 'race'],
  [/^Thread #\d+: lock order "0x[0-9A-Fa-f]+ before 0x[0-9A-Fa-f]+" violated$/, 'lock-order'],
];
/** Lines of Helgrind's and DRD's errors that are not indented: the locks held, the other access. */
const RACE_NOTES = /^(?:Locks held: |Allocation context: |\(thread finished and joined\)|Other segment end \(thread \d+\))/;
/** The other access of a race: Helgrind's conflicting access, DRD's other segment; the acquisitions
 *  of a lock-order violation ("Observed (incorrect) order is: acquisition of lock at 0x...", " followed
 *  by a later acquisition of lock at 0x...", "Required order was established by acquisition of lock at 0x..."). */
const OTHER_ACCESS = /^(?:This conflicts with a previous (?:read|write) of size \d+ by thread #\d+|Other segment start \(thread \d+\)|\s*(?:Observed \(incorrect\) order is: acquisition|followed by a later acquisition|Required order was established by acquisition) of lock at 0x[0-9A-Fa-f]+)$/;
/**
 * With -s or -v valgrind lists every error again after the ERROR SUMMARY, each under "N errors in
 * context X of Y:"; such a block is read and dropped, its error was reported where it happened.
 */
const REPEAT = /^[\d,]+ errors? in context [\d,]+ of [\d,]+:$/;
/** The header words every start line holds one of, tested before the regexes. */
const HEADER_WORDS = /^(?:Invalid|Mismatched|Conditional|Use of|Syscall|Uninit|Unaddr|Source|Argument|Jump|Illegal|realloc|[\d,]+ |Process term|Thread \d|Possible data race|Conflicting |Thread #\d)/;
/** valgrind's thread line before an error of a multi-threaded program: "Thread 2:", "Thread 3 worker:". */
const THREAD = /^Thread (\d+)(?: (.+?))?:$/;
const FRAME = /^\s+(at|by) (0x[0-9A-Fa-f]+): (.*)$/;
/** The first frame of a stack ("==12==    at 0x4C2FA3F: malloc (in ...)"), read as a start only where no header came. */
/** Where a thread's creation stack begins. */
const CREATION_POINT = /^(?:clone3?|__clone|pthread_create(?:@\S*)?)\b/;
const HEADERLESS_STACK = /^ {3,4}at 0x[0-9A-Fa-f]+: \S/;
const IN_MODULE = /^(.*)\s\(in ([^()]+)\)$/;
const IN_FILE = /^(.*)\s\(([^()]+):(\d+)\)$/;
/** A block description: where the address is, which may open the stack of its free or allocation. */
const ADDRESS = /^\s+Address (0x[0-9A-Fa-f]+) is (.*)$/;
const FAULT = /^\s+(Access not within mapped region|Bad permissions for mapped region|General Protection Fault|Non-existent physical address|Illegal opcode|Integer divide by zero|Integer overflow|FP (?:divide by zero|overflow|underflow|inexact|invalid operation)|Invalid address alignment|Object-specific hardware error)(?: at address (0x[0-9A-Fa-f]+))?/;
/** "4 bytes inside a block of size 8 free'd", "0 bytes after a block of size 40 alloc'd". */
const BLOCK = /^[\d,]+ bytes (?:inside|after|before) a (recently re-allocated )?block of size [\d,]+ (free'd|alloc'd)$/;
/** The line under "Address 0x... is on thread 1's stack" that says where on it (valgrind 3.x). */
const ON_STACK = /^\s+([\d,]+ bytes below stack pointer)$/;
const STACK_OVERFLOW = /^\s*Stack overflow in thread #?\d+: can't grow stack/;

export const valgrindParser: TraceParser = {
  format: 'valgrind',
  label: 'Valgrind error reports (memcheck, helgrind, drd)',
  // Every start line has the "==PID== " prefix; "==" is rare in ordinary logs.
  markers: ['== '],
  startsTrace(line: string): boolean {
    if (startsWithHeader(line)) return true;
    const p = prefixed(line);
    return p !== null && HEADERLESS_STACK.test(p.text);
  },
  begin: (input) => new ValgrindBlock(input),
};

/** Lines of the report that are neither frames nor known descriptions, tolerated before giving up. */
const MAX_FOREIGN_LINES = 40;

class ValgrindBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private pid = '';
  private kind: string | null = null;
  private detail = '';
  private header: string | null = null;
  private threadName: string | null = null;
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  /** What the first "Address 0x... is ..." line said about the block. */
  private block: string | null = null;
  /** The line before was the first description and said "Address 0x... is on thread N's stack". */
  private onStack = false;
  private stackOverflow = false;
  /** A blank line after a race's stack: the conflicting access may follow. */
  private raceBlank = false;
  /** A repeat after the ERROR SUMMARY (-s): read to its end, never a report. */
  private repeat = false;
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;

  constructor(private readonly input: InputState) {}

  feed(line: string, lineNo: number): FeedResult {
    if (this.span.start === 0) {
      this.span.reach(lineNo);
      const p = prefixed(line)!;
      this.pid = p.pid;
      const text = p.text;
      const t = THREAD.exec(text);
      // valgrind names the thread only when it changes: later errors of the same process are the
      // last named thread's, until another "Thread N:" line.
      const key = `valgrind:thread:${this.pid}`;
      if (t) this.input.set(key, (this.threadName = t[2] ?? `thread ${t[1]}`));
      else if (REPEAT.test(text)) this.repeat = true;
      else if (HEADERLESS_STACK.test(text)) {
        // A stack pasted without its error's header (the paste starts below it): an error of
        // unknown kind, its stack read as any other (a signal may still be inferred from its frames).
        this.header = '';
        this.threadName = (this.input.get(key) as string | undefined) ?? null;
        const f = FRAME.exec(text)!;
        this.newStack('access');
        pushCapped(this.current!, parseFrame(0, f[2]!, f[3]!, text));
      }
      else {
        this.threadName = (this.input.get(key) as string | undefined) ?? null;
        this.readHeader(text);
      }
      return 'take';
    }
    const p = prefixed(line);
    const wrapped = this.lastFrame;
    this.lastFrame = null;
    if (!p && wrapped && this.joinsWrappedFrame(line, wrapped)) return this.took(lineNo);
    if (!p || p.pid !== this.pid) {
      // Program output or another process between the lines of one error.
      return this.span.foreign();
    }
    const text = p.text;
    if (this.repeat) {
      // The repeated error ("Thread N:", its header, stacks and descriptions) up to its blank line.
      if (text.trim() === '') return 'end';
      return REPEAT.test(text) ? 'split' : this.took(lineNo);
    }
    if (this.header === null) {
      // After "Thread N:" the error header must follow at once.
      if (!HEADER_WORDS.test(text) || !HEADERS.some(([re]) => re.test(text))) return 'end';
      this.readHeader(text);
      return this.took(lineNo);
    }
    if (this.raceBlank) {
      // Helgrind's conflicting access comes after a blank line; anything else there ends the error.
      this.raceBlank = false;
      if (!OTHER_ACCESS.test(text)) return 'end';
    }
    if (text.trim() === '') {
      // A lock-order violation's acquisitions come in blank-separated parts; a race's conflicting access once.
      if (!(this.kind === 'lock-order' || (this.kind === 'race' && !this.threads.some((t) => t.role === 'previous-access')))) return 'end';
      this.raceBlank = true;
      return 'maybe';
    }
    // The next error's header; a first frame ("at 0x...") inside this one is this error's stack.
    if (startsWithHeader(line)) return 'split';
    const onStack = this.onStack;
    this.onStack = false;
    const f = FRAME.exec(text);
    if (f) {
      if (!this.current) this.newStack(this.threads.length === 0 ? (this.kind === 'leak' || this.kind === 'still-reachable' ? 'leak' : 'access') : 'stack');
      pushCapped(this.current!, parseFrame(this.current!.frames.length, f[2]!, f[3]!, text));
      this.lastFrame = { text, joined: 0 };
      return this.took(lineNo);
    }
    const a = ADDRESS.exec(text);
    if (a) {
      if (this.block === null) {
        this.block = a[2]!;
        this.faultAddress ??= a[1]!.toLowerCase();
        this.onStack = /^on thread \d+'s stack$/.test(a[2]!);
      }
      const b = BLOCK.exec(a[2]!);
      if (b) this.newStack(b[2] === "free'd" ? 'freed-by' : 'allocated-by');
      else this.current = null;
      return this.took(lineNo);
    }
    const below = ON_STACK.exec(text);
    if (below && onStack) {
      // "Address 0x... is on thread 1's stack" / "812 bytes below stack pointer": one description.
      this.block += `, ${below[1]!}`;
      return this.took(lineNo);
    }
    if (/^\s+Block was alloc'd at$/.test(text)) {
      this.newStack('allocated-by');
      return this.took(lineNo);
    }
    if (OTHER_ACCESS.test(text)) {
      // The observed order's first acquisition is where the violation happened: the access stack.
      this.newStack(/Observed \(incorrect\) order/.test(text) && this.threads.length === 0 ? 'access' : this.kind === 'lock-order' ? 'stack' : 'previous-access');
      return this.took(lineNo);
    }
    if (RACE_NOTES.test(text.trim())) {
      // DRD's other segment ends where its stack does; frames after it are no one's.
      if (text.trim().startsWith('Other segment end')) this.newStack('stack');
      return this.took(lineNo);
    }
    if (/^\s+Uninitialised value was created by /.test(text)) {
      this.newStack('origin');
      return this.took(lineNo);
    }
    const fault = FAULT.exec(text);
    if (fault) {
      this.description = fault[1]!;
      if (fault[2]) this.faultAddress = fault[2].toLowerCase();
      return this.took(lineNo);
    }
    if (STACK_OVERFLOW.test(text)) {
      this.stackOverflow = true;
      return this.took(lineNo);
    }
    // valgrind's advice under a fatal signal ("If you believe this happened as a result of a stack
    // overflow ...") and other indented notes of the error.
    if (/^\s/.test(text)) return this.took(lineNo);
    return this.span.foreign();
  }

  private took(lineNo: number): FeedResult {
    return this.span.took(lineNo);
  }

  private readHeader(text: string): void {
    for (const [re, kind] of HEADERS) {
      const m = re.exec(text);
      if (!m) continue;
      this.header = text;
      this.kind = kind;
      if (kind === 'param-overlap') this.detail = m[1]!;
      else if (kind === 'leak') this.detail = m[1]!;
      else if (kind === 'signal') this.signal = signalName(m[2] ?? m[1]!);
      return;
    }
  }

  private newStack(role: string): void {
    this.current = { id: String(this.threads.length + 1), name: this.threads.length === 0 ? this.threadName : null, lwp: null, frames: [], role };
    this.threads.push(this.current);
  }

  /** The crash kind, from the header and what the first block description said. */
  /** The frame line just read (its text after the prefix), while the line after it may be its rest. */
  private lastFrame: { text: string; joined: number } | null = null;

  /**
   * A frame line a terminal cut at its width goes on at the start of the next line, without the
   * "==PID== " prefix: "(in /usr/lib/x86_64-linux-gnu/libstdc++.so" then ".6.0.28)". Joined when the
   * frame line is that long (60+ characters with its prefix) and the next line is one word; the frame
   * is read again from the joined text (at most 3 pieces).
   */
  private joinsWrappedFrame(line: string, last: { text: string; joined: number }): boolean {
    if (last.joined >= 2 || last.text.length + this.pid.length + 4 < MIN_WRAP_WIDTH || !/^\S+$/.test(line) || !/[^A-Za-z]/.test(line)) return false;
    const joined = last.text + line;
    const f = FRAME.exec(joined);
    const frames = this.current?.frames;
    if (!f || !frames?.length) return false;
    frames[frames.length - 1] = parseFrame(frames.length - 1, f[2]!, f[3]!, joined);
    this.lastFrame = { text: joined, joined: last.joined + 1 };
    return true;
  }

  private crashKind(): string | null {
    if (this.kind === null) return null; // a stack without its header: the frames may tell (signal inference)
    const block = this.block ?? '';
    const b = BLOCK.exec(block);
    // A block realloc() moved is reported alloc'd (its new place) but the old address was freed.
    const freed = b !== null && (b[2] === "free'd" || b[1] !== undefined);
    const allocated = b !== null && !freed;
    switch (this.kind) {
      case 'invalid-read':
      case 'invalid-write':
      case 'syscall-unaddressable':
        if (freed) return 'heap-use-after-free';
        if (allocated) return 'heap-buffer-overflow';
        // An access to a frame that has returned (a dangling pointer to a local), as far as valgrind
        // can tell: "Address 0x... is on thread 1's stack" / "812 bytes below stack pointer".
        if (/below (?:the )?stack (?:pointer|ptr)/.test(block)) return 'stack-use-after-return';
        return `valgrind: ${this.kind}`;
      case 'invalid-free':
        return freed ? 'double-free' : 'bad-free';
      case 'param-overlap':
        return `${this.detail}-param-overlap`;
      case 'leak':
        return this.detail === 'possibly' ? 'possible-memory-leak' : 'memory-leak';
      case 'signal':
        return this.stackOverflow ? 'stack-overflow' : null;
      case 'race':
        return 'data race';
      case 'lock-order':
        return 'lock-order-inversion (potential deadlock)';
      case 'alloc-dealloc-mismatch':
      case 'new-delete-type-mismatch':
      case 'use-of-uninitialized-value':
      case 'still-reachable':
        return this.kind;
      default:
        return `valgrind: ${this.kind}`;
    }
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    // A header without a stack is prose that happens to look like one, or a cut log.
    if (this.repeat || this.header === null || threads.length === 0) return null;
    // A stack without a header that begins where a thread was created (Helgrind's and DRD's thread
    // announcements: "Thread #3 was created" then "at 0x...: clone") is no error.
    if (this.header === '' && CREATION_POINT.test(threads[0]!.frames[0]!.rawFunction)) return null;
    threads.forEach((t, i) => {
      t.id = String(i + 1);
      // Inlined calls share their caller's address: every frame but the last of such a run is inlined.
      // Recursion repeats the same return address too, but for the same function at the same line.
      t.frames.forEach((f, j) => {
        const next = t.frames[j + 1];
        if (f.address === null || f.address !== next?.address) return;
        if (f.rawFunction === next.rawFunction && f.file === next.file && f.line === next.line && f.module === next.module) return;
        f.inlined = true;
      });
    });
    return {
      format: 'valgrind',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description ?? (this.header || null),
      faultAddress: this.faultAddress,
      program: null,
      threads,
      hints: [{ threadId: threads[0]!.id, reason: 'stop-reason' }],
      inside: [],
      crashKind: this.crashKind(),
    };
  }
}

/** "f(int) (a.c:5)", "f (in /lib/x.so)", "??? (in /lib/x.so)", "???". */
function parseFrame(index: number, address: string, rest: string, raw: string): ParsedFrame {
  let fn = rest.trim();
  let module: string | null = null;
  let file: string | null = null;
  let line: number | null = null;
  let m = IN_FILE.exec(fn);
  if (m) {
    fn = m[1]!;
    file = m[2]!;
    line = Number(m[3]);
  } else if ((m = IN_MODULE.exec(fn))) {
    fn = m[1]!;
    module = m[2]!;
  }
  if (fn === '???' || fn === '') fn = '??';
  return { index, address: address.toLowerCase(), rawFunction: fn, module, file, line, column: null, inlined: false, raw: raw.trim() };
}
