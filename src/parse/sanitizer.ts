// Reports of the LLVM sanitizers: AddressSanitizer (every bug kind in its header), LeakSanitizer,
// MemorySanitizer, ThreadSanitizer, UndefinedBehaviorSanitizer and HWASan. One report is one
// trace; its stacks (the access, "freed by", "previously allocated by", TSan's previous access,
// mutex and thread creation, MSan's origin) become separate, labelled threads, the access first.
// The sanitizer's verdict ("heap-use-after-free", "data race") becomes the crash kind.

import { cleanRustName, demangleRustLegacy } from './rust-demangle.js';
import { parseSanitizerFrame, SANITIZER_FRAME } from './sanitizer-frame.js';
import { ForeignBudget, MIN_WRAP_WIDTH, pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const TOOLS: Record<string, string> = {
  AddressSanitizer: 'asan', LeakSanitizer: 'lsan', MemorySanitizer: 'msan', ThreadSanitizer: 'tsan',
  HWAddressSanitizer: 'hwasan', UndefinedBehaviorSanitizer: 'ubsan',
};
// The "==pid==" prefix is missing where the runtime logs through the system's logger (Fuchsia,
// some Android builds): "ERROR: AddressSanitizer: ..." alone still starts a report.
const ERROR = /^(?:==\d+==\s*(?:ERROR|WARNING): (AddressSanitizer|LeakSanitizer|MemorySanitizer|HWAddressSanitizer|ThreadSanitizer|UndefinedBehaviorSanitizer):?|ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer|HWAddressSanitizer|UndefinedBehaviorSanitizer):) (.*)$/;
/** ASan's RSS limit (-rss_limit_mb) reports, followed by a heap profile of the live allocations. */
const RSS_LIMIT = /^==\d+==\s*(AddressSanitizer): ((?:hard|soft) rss limit exhausted)\b.*$/;
const TSAN_WARNING = /^WARNING: (ThreadSanitizer|MemorySanitizer|AddressSanitizer): (.*?)(?: \(pid=\d+\))?\s*$/;
/** A Rust name the symbolizer left with its hash or its $LT$-style escapes. */
const RUST_HALFWAY = /::h[0-9a-f]{16}$|\$(?:LT|GT|u[0-9a-f]{2})\$/;
const FAILED_ALLOCATION = /WARNING: AddressSanitizer:? failed to allocate /;
const UBSAN = /^(\S.*?):(\d+):(\d+): runtime error: (.*)$/;
const UBSAN_NOTE = /: note: |^\s*(?:[0-9a-f]{2}\s+){4,}[0-9a-f]{2}\s*$|^\s*\^[~\s]*$|^\s+(?:vptr for |invalid vptr)|^<memory cannot be printed>\s*$/;
const SUMMARY = /^SUMMARY: (\w+Sanitizer): (.*)$/;
const ADDRESS = / (?:on (?:unknown )?address|at address|at) (0x[0-9a-fA-F]+)/;

/** Headers of the stacks after the first, and the role each stack plays. */
const STACKS: [RegExp, string][] = [
  [/^(?:READ|WRITE) of size \d+ at 0x[0-9a-fA-F]+ thread (T\d+)/, 'access'],
  [/^freed by thread (T\d+)/, 'freed-by'],
  [/^(?:previously )?allocated by thread (T\d+)/, 'allocated-by'],
  [/^Direct leak of \d+ byte/, 'direct-leak'],
  [/^Indirect leak of \d+ byte/, 'indirect-leak'],
  [/^\s*(?:Atomic )?(?:[Rr]ead|[Ww]rite) of size \d+ at 0x[0-9a-fA-F]+ by (?:thread (T\d+)|main thread)/, 'access'],
  [/^\s*Previous (?:atomic )?(?:read|write) of size \d+ at 0x[0-9a-fA-F]+ by (?:thread (T\d+)|main thread)/, 'previous-access'],
  [/^\s*Location is heap block/, 'location'],
  [/^\s*Mutex M\d+ .*created at:/, 'mutex-created'],
  [/^\s*Thread (T\d+) .*created (?:by .*)?at:/, 'thread-created'],
  [/^\s*Thread (T\d+) created by /, 'thread-created'],
  [/^\s*Uninitialized value was (?:created|stored)/, 'origin'],
  [/^Cause: /, 'access'],
  [/^\d+ byte\(s\) \(\d+%\) in \d+ allocation\(s\)/, 'heap-profile'],
];

/**
 * Headers whose text is run-specific (sizes, addresses): the word the sanitizer's own SUMMARY line
 * uses for them. A crash kind is a stable word: it starts every signature.
 */
const RUN_SPECIFIC_HEADERS: [RegExp, string][] = [
  [/^(?:out of memory: allocator is trying to allocate|allocator is out of memory trying to allocate)\b/, 'out-of-memory'],
  [/^requested allocation size .* exceeds maximum supported size/, 'allocation-size-too-big'],
  [/^calloc parameters overflow/, 'calloc-overflow'],
  [/^reallocarray parameters overflow/, 'reallocarray-overflow'],
  [/^pvalloc parameters overflow/, 'pvalloc-overflow'],
  [/^invalid alignment requested in posix_memalign/, 'invalid-posix-memalign-alignment'],
  [/^invalid alignment requested in aligned_alloc/, 'invalid-aligned-alloc-alignment'],
  [/^invalid allocation alignment/, 'invalid-allocation-alignment'],
  [/^allocator is terminating the process instead of returning 0/, 'allocator-returned-null'],
  // The runtime's own mmap failing ("failed to allocate 0x6003a000 (1610850304) bytes of LargeMmapAllocator (error code: 12)").
  [/^failed to allocate 0x[0-9a-fA-F]+ (?:\(\d+\) )?bytes of /, 'out-of-memory'],
  [/^out of memory\b/, 'out-of-memory'],
];

/** The deadly signals ASan and UBSan name in their header ("FPE on unknown address"). */
const DEADLY_HEADER = /^(SEGV|ABRT|BUS|FPE|ILL|TRAP|stack-overflow) on /;

/** The verdict as a short kind: "heap-use-after-free", "SEGV", "double-free", "data race". */
function kindOf(tool: string, text: string): string {
  // UBSan catches deadly signals too ("UndefinedBehaviorSanitizer: FPE on unknown address"): the
  // signal is the verdict, as under ASan.
  if (tool === 'ubsan' && !DEADLY_HEADER.test(text)) return ubsanKind(text);
  const known = RUN_SPECIFIC_HEADERS.find(([re]) => re.test(text));
  if (known) return known[1];
  // "(pid=18457)" and anything a log glued after it; HWASan's "; heap object [0x...,0x...) of size 2".
  let t = text.replace(/\s*\(pid=\d+\).*$/, '').trim();
  t = t.replace(/ on (?:unknown )?address.*$/, '').replace(/ at pc .*$/, '').replace(/[:;].*$/, '');
  if (/^attempting double-free/.test(t)) return 'double-free';
  if (/^attempting free on address which was not malloc/.test(text)) return 'bad-free';
  if (/^detected memory leaks/.test(t)) return 'memory-leak';
  if (/rss limit exhausted/.test(t)) return 'rss-limit-exhausted';
  return t.split(' on ')[0]!.trim() || 'unknown';
}

function ubsanKind(message: string): string {
  const rules: [RegExp, string][] = [
    // Before "null pointer": "applying non-zero offset 8 to null pointer" is a pointer overflow.
    [/pointer overflow|applying (?:non-)?zero offset|^(?:addition|subtraction) of unsigned offset (?:to|from) |^pointer index expression with base /, 'pointer-overflow'],
    [/division by zero/, 'division-by-zero'], [/null pointer/, 'null-pointer-use'],
    [/unsigned integer overflow/, 'unsigned-integer-overflow'], [/signed integer overflow/, 'signed-integer-overflow'],
    // -fsanitize=signed-integer-overflow also checks negation and INT_MIN / -1.
    [/^negation of .* cannot be represented in type|^division of .* cannot be represented in type/, 'signed-integer-overflow'],
    [/assumption is violated/, 'assumption-violation'], [/variable length array bound/, 'vla-bound'],
    [/with insufficient space for an object of type/, 'object-size'],
    [/is outside the range of representable values/, 'float-cast-overflow'],
    [/out of bounds/, 'index-out-of-bounds'], [/misaligned address/, 'misaligned-address'],
    [/not a valid value for type/, 'invalid-value'], [/shift/, 'invalid-shift'],
    [/control flow integrity/, 'cfi-bad-cast'], [/implicit conversion/, 'implicit-conversion'],
    [/unreachable/, 'unreachable'],
    [/does not point to an object of type|downcast|upcast|vptr/, 'bad-cast'], [/function .* through pointer/, 'function-type-mismatch'],
  ];
  return `ubsan: ${rules.find(([re]) => re.test(message))?.[1] ?? 'undefined-behavior'}`;
}

// Windows ASan names the exception: access-violation, illegal-instruction, breakpoint, int-divide-by-zero.
const DEADLY_SIGNALS = new Set(['SEGV', 'ABRT', 'BUS', 'FPE', 'ILL', 'TRAP', 'access-violation', 'illegal-instruction', 'breakpoint', 'int-divide-by-zero']);
const SIGNALS: Record<string, string> = {
  SEGV: 'SIGSEGV', ABRT: 'SIGABRT', BUS: 'SIGBUS', FPE: 'SIGFPE', ILL: 'SIGILL', TRAP: 'SIGTRAP', 'stack-overflow': 'SIGSEGV',
  'access-violation': 'SIGSEGV', 'illegal-instruction': 'SIGILL', breakpoint: 'SIGTRAP', 'int-divide-by-zero': 'SIGFPE',
};

/**
 * A sanitizer's first frame with nothing of its report before it: the stack alone, as people paste
 * it when asked for "the stack" (from "#0" on), or as a test framework prints
 * __sanitizer_print_stack_trace(). Only the sanitizers' own shapes, with one blank after "#0": a
 * function and its "file:line[:column]" without gdb's " at " before it, or a module and offset
 * ("(prog+0x5ac20e)"), with the function before it or not; TSan's without an address ("#0 event_del
 * src/event.c:2288:2", or "#0 pthread_mutex_lock <null> (prog+0x4a3f1d)" without a location). gdb's
 * frames ("#0  0x... in f () at a.c:3", also with their blanks collapsed) and butil's ("#0 0x... f",
 * no " in ") are not.
 */
const HEADERLESS_FIRST = /^\s*#0 (?:0x[0-9a-fA-F]{1,16} (?:in (?!.* at \S+:\d+\s*$)\S.*\S:\d+(?::\d+)?|(?:in \S.*)? \([^()\s]+\+0x[0-9a-fA-F]+\)(?: \(BuildId: [0-9a-fA-F]+\))?)|(?!0x|in )(?!.* at \S+:\d+\s*$)\S.*? (?:\S+\.\w{1,4}:\d+(?::\d+)?(?: \([^()\s]+\+0x[0-9a-fA-F]+\))?|<null> \([^()\s]+\+0x[0-9a-fA-F]+\)))\s*$/;

export const sanitizerParser: TraceParser = {
  format: 'asan',
  label: 'sanitizer reports (ASan, LSan, MSan, TSan, UBSan, HWASan), and their stacks pasted alone',
  // What every line startsTrace accepts holds: the tool's name, or UBSan's words, or a first
  // frame's "#0 " (not a bare '#', which near-miss log lines are full of; the marker search costs
  // the same for any length).
  markers: ['Sanitizer', 'runtime error: ', '#0 '],
  startsTrace(line: string): boolean {
    // ASan's "WARNING: AddressSanitizer failed to allocate 0x... bytes" (allocator_may_return_null=1)
    // is not fatal: the program goes on, and a report may follow.
    if (line.includes('Sanitizer')) return (ERROR.test(line) && !FAILED_ALLOCATION.test(line)) || TSAN_WARNING.test(line) || RSS_LIMIT.test(line);
    if (line.includes('#0 ')) return HEADERLESS_FIRST.test(line);
    return line.includes('runtime error: ') && UBSAN.test(line);
  },
  begin: () => new SanitizerBlock(),
};

/** Non-frame lines tolerated inside a report (shadow dumps, hints, register values) before giving up. */
const MAX_FOREIGN_LINES = 120;
/** The rest of a cut frame line that holds its location: it ends in "file:line[:column]". */
const WRAPPED_LOCATION_END = /\S+:\d+(?::\d+)?$/;

class SanitizerBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private tool = 'asan';
  private kind = '';
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private done = false;
  /** UBSan without a stack ends at the first line that is not a frame. */
  private ubsanFrames: boolean | null = null;
  private ubsanLocation: { file: string; line: number; column: number } | null = null;
  private ubsanNotes = 0;
  private readonly notes: { line: number; text: string }[] = [];

  /** The report's header was not pasted: the trace starts at its first frame (HEADERLESS_FIRST). */
  private headerless = false;

  feed(line: string, lineNo: number): FeedResult {
    if (this.span.start === 0) {
      if (line.includes('#0 ') && HEADERLESS_FIRST.test(line)) {
        this.headerless = true;
        this.tool = 'sanitizer-stack';
        return this.span.account(this.classify(line, lineNo), lineNo);
      }
      this.header(line);
      return this.span.took(lineNo);
    }
    if (this.done) return 'end';
    return this.span.account(this.classify(line, lineNo), lineNo);
  }

  private header(line: string): void {
    const e = ERROR.exec(line);
    let m = e ? [e[0], e[1] ?? e[2], e[3]] : (TSAN_WARNING.exec(line) ?? RSS_LIMIT.exec(line));
    if (m) {
      this.tool = TOOLS[m[1]!] ?? 'asan';
      this.description = m[2]!.trim().replace(/\s*\(pc 0x.*$/, '');
      this.kind = kindOf(this.tool, this.description);
      this.signal = SIGNALS[this.kind] ?? null;
      const a = ADDRESS.exec(this.description);
      if (a) this.faultAddress = a[1]!.toLowerCase();
      return;
    }
    m = UBSAN.exec(line)!;
    this.tool = 'ubsan';
    this.description = m[4]!.trim();
    this.kind = ubsanKind(this.description);
    this.ubsanLocation = { file: m[1]!, line: Number(m[2]), column: Number(m[3]) };
  }

  private classify(line: string, lineNo: number): FeedResult {
    // Only the line right after a frame may be its rest (joinsWrappedFrame).
    const last = this.lastFrame;
    this.lastFrame = null;
    // A second report's header after this one's stacks (a heap profile, then the crash) starts anew.
    if (this.threads.length > 0 && line.includes('Sanitizer') && sanitizerParser.startsTrace(line) && !UBSAN.test(line)) return 'split';
    if (this.afterSummary) {
      const created = /^\s*Thread (T\d+)\b.* created by .*here:/.exec(line);
      if (created) {
        this.newStack(created[1]!, 'thread-created');
        return 'take';
      }
      // The next report (a header-only one has no stack to split after) is not this one's.
      if (line.includes('Sanitizer') && sanitizerParser.startsTrace(line)) {
        this.done = true;
        return 'end';
      }
      if (/^==\d+==/.test(line) || line.trim() === '') return 'take';
      if (!(this.current?.role === 'thread-created' && line.includes('#') && SANITIZER_FRAME.test(line))) {
        this.done = true;
        return 'end';
      }
    }
    if (line.includes('#')) {
      // Null for a line that is no frame (the frame regex first).
      const frame = parseSanitizerFrame(line);
      if (frame) {
        // Rust frames of a sanitizer report: legacy-mangled, or demangled halfway by the symbolizer
        // ("core::result::unwrap_failed::h7d7baacfb554bae8", "TryVec$LT$T$GT$"). The name as printed stays.
        const rust = frame.rawFunction.startsWith('_ZN') ? demangleRustLegacy(frame.rawFunction) : RUST_HALFWAY.test(frame.rawFunction) ? cleanRustName(frame.rawFunction) : null;
        if (rust && rust !== frame.rawFunction) frame.functionName = rust;
        if (!this.current || (frame.index === 0 && this.current.frames.length > 0)) this.newStack(null, this.threads.length === 0 ? 'access' : 'stack');
        pushCapped(this.current!, frame);
        if (this.tool === 'ubsan') this.ubsanFrames = true;
        this.lastFrame = { text: line, frame, joined: 0 };
        return 'take';
      }
    }
    if (last && this.joinsWrappedFrame(line, last)) return 'take';
    // UBSan's notes between the error and its stack: "<loc>: note: pointer points here" with a
    // hex dump and a caret line under it, or "note: f defined here".
    if (this.ubsanLocation && this.threads.length === 0 && this.ubsanNotes < 8 && UBSAN_NOTE.test(line)) {
      this.ubsanNotes++;
      // Kept as the report's inside lines: a note tells a dead object ("object has invalid vptr")
      // from a live one of another type, which rules read (generic/ubsan-dead-object).
      this.notes.push({ line: lineNo, text: line });
      return 'take';
    }
    if (this.ubsanLocation && this.threads.length === 0 && !line.includes('Sanitizer')) {
      // A runtime error without a stack: the report is the error line alone.
      this.done = true;
      return 'end';
    }
    if (SUMMARY.test(line)) {
      if (this.headerless) this.verdictFromSummary(line);
      // TSan closes with a "==================" rule after SUMMARY; ASan may still print the
      // creation stack of the faulting thread ("Thread T35 (Compositor) created by T0 here:") and
      // "==N==ABORTING".
      if (this.tool === 'asan') this.afterSummary = true;
      else this.done = this.tool !== 'tsan';
      return 'take';
    }
    if (this.tool === 'tsan' && /^={10,}\s*$/.test(line) && this.threads.length > 0) {
      this.done = true;
      return 'take';
    }
    if (/^==\d+==ABORTING/.test(line)) {
      this.done = true;
      return 'take';
    }
    if (this.ubsanLocation && this.ubsanFrames) {
      this.done = true;
      return 'end';
    }
    for (const [re, role] of STACKS) {
      const m = re.exec(line);
      if (m) {
        // The access header comes before the first stack; later headers open new stacks.
        if (role === 'access' && this.threads.length === 0) this.pendingThread = m[1] ?? (line.includes('main thread') ? 'T0' : null);
        else this.newStack(m[1] ?? (line.includes('main thread') ? 'T0' : null), role);
        return 'take';
      }
    }
    if (/^(?:==\d+==|\s{2,}0x[0-9a-f]+:|Shadow |\s+(?:Addressable|Partially|Heap left|Freed heap|Stack|Global|Poisoned|Container|Array cookie|Intra object|ASan internal|Left alloca|Right alloca)|HINT: |0x[0-9a-f]+ is located|address 0x|Address 0x|Register values|\s*r[a-z0-9]{1,3} = 0x|IMPORTANT: |The signal is caused|AddressSanitizer can not|Memory access|This frame has|\s+\[\d+, \d+\)|Thread T\d+ |  Mutex |  Location|  Thread|SUMMARY|MS: |base unit:|artifact_prefix|Test unit written|Uninitialized|DEDUP_TOKEN)/.test(line) || line.trim() === '') {
      return 'take';
    }
    return 'maybe';
  }

  private pendingThread: string | null = null;

  /**
   * A stack pasted without its report, with the report's SUMMARY line after it: the tool and its
   * verdict are there too ("SUMMARY: AddressSanitizer: SEGV (/out/prog+0x5ac20e)", "...:
   * heap-use-after-free /src/a.c:12:3 in f", LSan's "...: 24 byte(s) leaked in 1 allocation(s).").
   */
  private verdictFromSummary(line: string): void {
    const m = SUMMARY.exec(line);
    if (!m || !TOOLS[m[1]!]) return;
    // The verdict is its first word ("SEGV", "heap-use-after-free", "data race" is two): what follows is a location.
    const words = m[2]!.replace(/\s*\(.*$/, '').replace(/ \S+:\d+(?::\d+)?(?: in .*)?$/, '').replace(/ in \S+$/, '').trim();
    this.headerless = false;
    this.tool = /^\d+ byte\(s\) leaked\b/.test(m[2]!) ? 'lsan' : TOOLS[m[1]!]!;
    this.description = this.tool === 'lsan' ? m[2]!.trim() : words;
    this.kind = this.tool === 'lsan' ? 'memory-leak' : kindOf(this.tool, words);
    this.signal = SIGNALS[this.kind] ?? null;
  }

  /** The frame line just read, while the lines after it may be its rest (a terminal's hard wrap). */
  private lastFrame: { text: string; frame: ParsedFrame; joined: number } | null = null;

  /**
   * A frame line a terminal or a mail client cut at its width goes on at the start of the next
   * line: the rest of its location ("al:1927", "inux.cpp:52:3"), or of its argument list and then
   * the location. Joined when the frame line is that long (60+ characters), the line after it is no
   * frame or report line, and is that rest: one word, or text ending in a file:line location when
   * the frame had none. The frame is read again from the joined text (at most 3 pieces).
   */
  private joinsWrappedFrame(line: string, last: { text: string; frame: ParsedFrame; joined: number }): boolean {
    if (last.joined >= 2 || last.text.length < MIN_WRAP_WIDTH || line.trim() === '' || /^\s/.test(line) && !/^ \S/.test(line)) return false;
    // One word with something but letters in it: a shell's "Aborted" or "Killed" after the stack is no rest of a frame.
    const word = /^\S+$/.test(line) && /[^A-Za-z]/.test(line);
    if (!word && !(last.frame.file === null && WRAPPED_LOCATION_END.test(line))) return false;
    if (/^(?:#\d|==\d|SUMMARY|Shadow|0x[0-9a-f]+ is|[A-Z]+ of size|Thread T\d|freed by|previously allocated)/.test(line)) return false;
    const joined = last.text + line;
    const frame = parseSanitizerFrame(joined);
    if (!frame || frame.index !== last.frame.index) return false;
    const frames = this.current!.frames;
    const i = frames.lastIndexOf(last.frame);
    if (i < 0) return false;
    frames[i] = frame;
    this.lastFrame = { text: joined, frame, joined: last.joined + 1 };
    return true;
  }
  /** ASan's SUMMARY was read: only a thread's creation stack and ABORTING may follow. */
  private afterSummary = false;

  private newStack(threadName: string | null, role: string): void {
    this.current = {
      id: String(this.threads.length + 1),
      name: threadName ?? this.pendingThread,
      lwp: null,
      frames: [],
      role,
    };
    this.pendingThread = null;
    this.threads.push(this.current);
  }

  finish(): ParsedTrace | null {
    let threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0 && this.ubsanLocation) {
      const { file, line, column } = this.ubsanLocation;
      threads = [{ id: '1', name: null, lwp: null, role: 'access', frames: [{ index: 0, address: null, rawFunction: '??', module: null, file, line, column, inlined: false, raw: `${file}:${line}:${column}` }] }];
    }
    // A sanitizer header with no stack (truncated logs, "can not provide additional info") is still
    // a crash: it is reported with its kind and no frames rather than dropped.
    if (threads.length === 0 && !this.description) return null;
    // LeakSanitizer: an indirect leak is only reachable through a direct one, so the first direct
    // leak is the one to fix (and to sign by); a run with indirect leaks only says so in its kind.
    const primary = threads.find((t) => t.role === 'direct-leak') ?? threads[0];
    const onlyIndirect = this.kind === 'memory-leak' && threads.length > 0 && threads.every((t) => t.role === 'indirect-leak');
    return {
      format: this.tool,
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: null,
      threads,
      hints: primary ? [{ threadId: primary.id, reason: 'stop-reason' }] : [],
      inside: this.notes,
      // A deadly signal the sanitizer caught ("SEGV on unknown address") is that signal: the report
      // then signs like the same crash under gdb or lldb.
      // Without its header, what the sanitizer found is not known (the signature says UNKNOWN).
      crashKind: this.headerless ? null : onlyIndirect ? 'indirect-memory-leak' : DEADLY_SIGNALS.has(this.kind) ? SIGNALS[this.kind]! : this.kind,
    };
  }
}
