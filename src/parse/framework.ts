// What every block parser needs besides its own line shapes, written once: the span of lines a
// trace covers, the budget of foreign lines (program output, another tool's chatter) a trace
// tolerates before it is over, the per-thread frame cap (frames past it are counted, and
// normalize/ notes the capped stack), the merge of a stack a debugger printed twice (`bt` then
// `thread apply all bt`, lldb's stop banner then `bt all`), and the diagnostics of lines that looked
// like frames but were not read. A parser keeps only what its format says.

import { MAX_FRAMES_PER_THREAD, MAX_THREADS_PER_TRACE, type CrashedThreadHint, type FeedResult, type ParsedFrame, type ParsedThread } from './types.js';

/**
 * How many lines that are not the trace's own a trace tolerates in a row: each one spent is a
 * 'maybe' (the driver keeps it aside) until the budget is gone, then the trace is over ('end').
 */
export class ForeignBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** One more foreign line: 'maybe' while the budget lasts, else 'end'. */
  spend(): 'maybe' | 'end' {
    return ++this.used > this.limit ? 'end' : 'maybe';
  }

  /** A line of the trace: the count starts again. */
  reset(): void {
    this.used = 0;
  }
}

/** The lines a trace covers (1-based; 0 until known) and, when given, its foreign-line budget. */
export class TraceSpan {
  start = 0;
  end = 0;

  constructor(readonly budget: ForeignBudget | null = null) {}

  /** The first line the parser was fed starts the trace, whatever the parser made of it. */
  open(lineNo: number): void {
    if (this.start === 0) this.start = lineNo;
  }

  /** The trace reaches this line (and starts at it when nothing started it before). */
  reach(lineNo: number): void {
    if (this.start === 0) this.start = lineNo;
    this.end = lineNo;
  }

  /** A line taken: the trace reaches it, the foreign-line count starts again. */
  took(lineNo: number): 'take' {
    this.reach(lineNo);
    this.budget?.reset();
    return 'take';
  }

  /** A foreign line: 'maybe' while the budget lasts, 'end' after (always 'maybe' without a budget). */
  foreign(): 'maybe' | 'end' {
    return this.budget ? this.budget.spend() : 'maybe';
  }

  /** Accounts the parser's verdict on a line: 'take' reaches it, 'maybe' spends the budget. */
  account(verdict: FeedResult, lineNo: number): FeedResult {
    if (verdict === 'take') return this.took(lineNo);
    if (verdict === 'maybe') return this.foreign();
    return verdict;
  }
}

/** Adds a frame to a thread under the per-thread cap; past it the frame is only counted. */
export function pushCapped(thread: ParsedThread, frame: ParsedFrame): void {
  if (thread.frames.length < MAX_FRAMES_PER_THREAD) thread.frames.push(frame);
  else thread.droppedFrames = (thread.droppedFrames ?? 0) + 1;
}

/** Empties a thread to read its stack again (a reprint replaces what was read). */
export function restartThread(thread: ParsedThread): void {
  thread.frames = [];
  thread.droppedFrames = 0;
}

/** One stack under the per-thread cap: frames past it are counted, not kept (runaway recursion). */
export class CappedStack {
  readonly frames: ParsedFrame[] = [];
  dropped = 0;

  /** Adds the frame `make` builds for the next index, unless the cap is reached. */
  push(make: (index: number) => ParsedFrame): void {
    if (this.frames.length >= MAX_FRAMES_PER_THREAD) this.dropped++;
    else this.frames.push(make(this.frames.length));
  }

  /** Frames seen, kept or not. */
  get count(): number {
    return this.frames.length + this.dropped;
  }

  thread(lwp: number | null = null): ParsedThread {
    return { id: '1', name: null, lwp, frames: this.frames, ...(this.dropped ? { droppedFrames: this.dropped } : {}) };
  }
}

/** What a debugger parser says about the frames it compares when a stack may be a reprint. */
export interface ReprintRules {
  /**
   * A frame numbered again from #0 while a numbered thread's stack is being read: 'split' (lldb:
   * frames restarting under one thread line are another trace) or 'headerless' (gdb: the `bt`
   * copy of the current thread, printed outside any thread header).
   */
  restartUnderHeader: 'split' | 'headerless';
  /** Past MAX_THREADS_PER_TRACE, whether a thread is kept all the same (the one the debugger named). */
  keep?: (id: string) => boolean;
}

/**
 * The threads of a debugger session, in the order first printed, and the one being read. A debugger
 * prints a thread again (`thread apply all bt` then `... bt full`; a headerless `bt` before or after
 * `thread apply all bt`): the later copy replaces the earlier one when it shows the same stack, and
 * is another trace ('split') when it does not. Whether two stacks are the same is the format's
 * word (gdb compares names without arguments, which it prints differently each time).
 */
export class ThreadBook {
  readonly threads: ParsedThread[] = [];
  /** The first thread read with each id ('' for a headerless one). */
  private readonly byId = new Map<string, ParsedThread>();
  current: ParsedThread | null = null;
  /** Set while a thread header repeats an id already read, until its first frame is compared. */
  private reprintOf: ParsedThread | null = null;

  constructor(private readonly rules: ReprintRules) {}

  add(thread: ParsedThread): void {
    this.threads.push(thread);
    if (!this.byId.has(thread.id)) this.byId.set(thread.id, thread);
  }

  /** The first thread read with this id. */
  get(id: string): ParsedThread | undefined {
    return this.byId.get(id);
  }

  /**
   * A thread header: a new thread, or an id read before (its earlier copy is returned, and whether
   * this one replaces it is decided at its first frame, see `threadFor`).
   */
  header(thread: ParsedThread): ParsedThread | null {
    this.reprintOf = this.byId.get(thread.id) ?? null;
    if (!this.reprintOf) {
      if (this.threads.length >= MAX_THREADS_PER_TRACE && !this.rules.keep?.(thread.id)) {
        // Read (its frames go to it), not kept: nothing refers to it after the next header.
        this.dropped++;
        this.current = thread;
        return null;
      }
      this.add(thread);
    }
    this.current = thread;
    return this.reprintOf;
  }

  /** Threads read past MAX_THREADS_PER_TRACE and not kept. */
  dropped = 0;

  /** No thread is being read (a header's lines are over, or the stack was dropped). */
  clearCurrent(): void {
    this.current = null;
  }

  /**
   * The thread a frame numbered `index` belongs to, or 'split' when it starts another trace.
   * `sameTop(first)` says whether the frame is the same as `first`, the top frame of a copy read
   * before: under a repeated header (`sameTop`), or outside any header (`sameHeaderlessTop`).
   */
  threadFor(index: number, sameTop: (first: ParsedFrame) => boolean, sameHeaderlessTop: (first: ParsedFrame) => boolean = sameTop): ParsedThread | 'split' {
    if (this.reprintOf) {
      const earlier = this.reprintOf;
      this.reprintOf = null;
      const first = earlier.frames[0];
      if (index !== 0 || (first && !sameTop(first))) return 'split';
      // Same thread, same stack printed again (e.g. now with locals): the later copy replaces it.
      restartThread(earlier);
      this.current = earlier;
    }
    const thread = this.current;
    const last = thread?.frames[thread.frames.length - 1];
    if (thread && !(last && index <= last.index)) return thread;
    // No thread, or frame numbers went back: the headerless copy again, or another trace.
    if (thread && index !== 0) return 'split';
    if (thread && thread.id !== '' && this.rules.restartUnderHeader === 'split') return 'split';
    const headerless = this.byId.get('') ?? null;
    const first = headerless?.frames[0];
    if (headerless && first && !sameHeaderlessTop(first)) return 'split';
    const target = headerless ?? { id: '', name: null, lwp: null, frames: [] };
    if (!headerless) this.add(target);
    restartThread(target);
    this.current = target;
    return target;
  }
}

/** How the headerless copy of a stack is folded into its numbered twin (see mergeHeaderlessCopy). */
export interface HeaderlessMerge {
  /** Whether the numbered thread prints the same stack as the headerless copy. */
  same(numbered: ParsedThread, headerless: ParsedThread): boolean;
  /**
   * gdb: the twin is the current thread (a 'current-thread' hint), keeps whichever copy carries more
   * (locals, frames), and a headerless stack without a twin takes the number gdb said was current.
   * Without it the headerless copy is only dropped (lldb).
   */
  hints?: CrashedThreadHint[];
}

/**
 * `bt` prints the current thread without a header; `thread apply all bt` (`bt all`) then prints it
 * again under its number. Drops the headerless copy when a numbered thread prints the same stack.
 */
export function mergeHeaderlessCopy(threads: ParsedThread[], merge: HeaderlessMerge): ParsedThread[] {
  const headerless = threads.find((t) => t.id === '');
  if (!headerless) return threads;
  const numbered = threads.filter((t) => t !== headerless);
  const twin = numbered.find((t) => merge.same(t, headerless));
  const hints = merge.hints;
  if (twin) {
    if (!hints) return numbered;
    if (!hints.some((h) => h.threadId === twin.id)) hints.push({ threadId: twin.id, reason: 'current-thread' });
    // Keep whichever copy carries more (bt full locals, more frames).
    if (headerless.frames.length > twin.frames.length || (headerless.frames.some((f) => f.locals) && !twin.frames.some((f) => f.locals))) {
      twin.frames = headerless.frames;
    }
    return numbered;
  }
  if (!hints) return threads;
  // Without a twin, the headerless trace is the current thread: name it after the debugger's hint.
  const hinted = hints.find((h) => h.threadId !== '');
  if (hinted && !numbered.some((t) => t.id === hinted.threadId)) headerless.id = hinted.threadId;
  for (const h of hints) if (h.threadId === '') h.threadId = headerless.id;
  // Headerless frames first, numbered threads after and none of them its twin: the top of a `thread
  // apply all bt` whose first "Thread N (...)" header the paste cut (people paste from the first
  // frame on), not a `bt` of the current thread. Its order says nothing about the crash then; the
  // usual choice (signal frames, the first thread not waiting) decides.
  const cutListing = threads[0] === headerless;
  if (!cutListing && !hints.some((h) => h.threadId === headerless.id) && numbered.length > 0) {
    hints.push({ threadId: headerless.id, reason: 'current-thread' });
  }
  return threads;
}

/**
 * How a frame line starts in the formats coredx reads: gdb's "#3 0x... in", a '#'-less "3  0x... in",
 * lldb's "frame #3:", sanitizers' "#3 0x... in", Valgrind's "at 0x...:" / "by 0x...:", Rust's
 * "  3: 0x...", glog's "@ 0x...", Visual Studio's "app.exe!f", WinDbg's "03 00000098`7b2ff5a8 00007ff6`1a2b1045 ",
 * a GDB/MI stack listing (not its JSON-escaped copy). Lines come without trailing blanks (the
 * cleaner's): a WinDbg frame whose call site is empty ends at its return address. A line of the trace (or right after it) shaped
 * like this that no parser took was a frame the paste mangled or a variant not known yet.
 */
export const FRAME_LIKE = /^\s*(?:#\d{1,5} +(?:0x[0-9a-fA-F]+\b|[A-Za-z_~<(])|\d{1,5}\s+0x[0-9a-fA-F]+ in |\*?\s*frame #\d+:|(?:==\d+==\s+)?(?:at|by) 0x[0-9A-Fa-f]+: |\d{1,4}: +0x[0-9a-f]+ |@\s+0x[0-9a-f]+ |(?:\[Inline Frame\] )?[\w$+~-][\w.$+~-]*\.(?:exe|dll|EXE|DLL|Dll)!|(?:[0-9a-f]{2,4} +)?[0-9a-f]{8}`[0-9a-f]{8} +[0-9a-f]{8}`[0-9a-f]{8}(?: |$)|.*\^done,stack=\[frame=\{level=")/;
/** A frame line shorter than this was not cut by a terminal's width (the narrowest is 80 columns,
 *  less a prefix): gdb's, the sanitizers' and Valgrind's readers join a cut frame's rest only after a longer one. */
export const MIN_WRAP_WIDTH = 60;
/** Context after a trace looked at for frame lines (a mangled last frame ends the trace early). */
export const AFTER_LINES_CHECKED = 3;

/**
 * The diagnostics of a trace: lines inside it (that the parser did not take) or right after it that
 * look like frames but could not be read, with their line numbers. Reported (`Report.unreadableFrames`),
 * never silently dropped.
 */
export function unreadableFrameLines(inside: readonly { line: number; text: string }[], after: readonly { line: number; text: string }[]): { line: number; text: string }[] {
  const candidates = [...inside, ...after.slice(0, AFTER_LINES_CHECKED)];
  return candidates.filter((l) => l.text.length < 4096 && FRAME_LIKE.test(l.text)).map((l) => ({ line: l.line, text: l.text }));
}

/**
 * The note a stack cut at the per-thread cap carries: its signature and rules saw only the kept
 * frames. One per capped thread.
 */
export function cappedStackNotes(threads: readonly { id: string; frames: readonly unknown[]; droppedFrames?: number }[]): string[] {
  return threads
    .filter((t) => (t.droppedFrames ?? 0) > 0)
    .map((t) => `${t.id ? `thread ${t.id}` : 'the stack'}: ${t.droppedFrames} frame${t.droppedFrames === 1 ? '' : 's'} beyond the ${t.frames.length} kept were not read (the stack was capped)`);
}
