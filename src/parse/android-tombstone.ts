// Android native crashes as debuggerd writes them: a tombstone file (/data/tombstones/tombstone_NN,
// a bug report's copy) or the same text in logcat, each line behind a "F DEBUG   : " prefix:
//
//   *** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***
//   Build fingerprint: 'vendor/device/device:14/ID/123:user/release-keys'
//   ABI: 'arm64'
//   pid: 4100, tid: 4133, name: Worker  >>> com.example.app <<<
//   signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------
//   Abort message: 'Check failed: size > 0'
//       x0  0000000000000000  x1  0000000000001025  ...
//   backtrace:
//         #00 pc 000000000008b4e0  /apex/com.android.runtime/lib64/bionic/libc.so (abort+164) (BuildId: 3f2e...)
//         #01 pc 00000000001a2b3c  /data/app/.../lib/arm64/libcore.so (Engine::run()+44)
//
// Full tombstones then dump the stack memory, memory near registers, the memory map, and the other
// threads ("--- --- ---" then their own "pid: ..., tid: ..." line and backtrace). The thread of the
// first "pid:, tid:" line is the one that crashed. Logcat lines keep their "MM-DD hh:mm:ss.mmm pid
// tid F DEBUG   : " (or "F/DEBUG  ( 123): ") prefix: it is removed before a line is read.

import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

/** Logcat's prefixes: threadtime ("12-01 10:11:12.345  1234  1234 F DEBUG   : ") and brief ("F/DEBUG ( 1234): "). */
// (A log cleaner may already have taken a "2026-12-01 10:11:12.345 " date away: then "pid tid F TAG: " remains.)
// Android Studio's Logcat window (2022+) copies "2024-06-02 21:14:09.551 30122-30122 DEBUG   pid-30122   A  ":
// date, time, pid-tid, tag, package (or "pid-N"), level, then the message.
const LOGCAT = /^(?:(?:(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d+\s+)?\d+\s+\d+ [VDIWEF] [\w.-]+\s*: ?|[VDIWEF]\/[\w.-]+\s*\(\s*\d+\): ?|(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ +)?\d+-\d+ +\S+ +\S+ +[VDIWEFA] {1,2})/;
const BANNER = /^\*\*\* \*\*\* \*\*\* \*\*\* \*\*\*/;
const FINGERPRINT = /^Build fingerprint: '/;
const PID = /^pid: (\d+), tid: (\d+), name: (.*?)\s+>>> (.*?) <<<\s*$/;
const SIGNAL = /^signal (\d+) \((SIG[A-Z0-9]+)\), code (-?\d+) \(([^)]*)\)(?:, fault addr (\S+))?/;
const ABORT = /^Abort message: '(.*)'\s*$/;
/** "#00 pc 000000000001a2b4  /system/lib64/libc.so (abort+164) (BuildId: ...)"; Android 4 put two spaces before "pc". */
const FRAME = /^\s*#(\d+) {1,2}pc ([0-9a-fA-F]+)\s+(.*?)\s*$/;
const SEPARATOR = /^--- --- --- /;
/** GWP-ASan's and MTE's stacks of the faulting allocation (Android 11+), after the crashing thread's backtrace. */
const ALLOCATION_STACK = /^(deallocated|allocated) by thread (\d+):\s*$/;
/** The tombstone's own verdict ("Cause: [GWP-ASan]: Use After Free, 16 bytes into a 48-byte allocation at 0x..."). */
const CAUSE = /^Cause: \S/;
/** Header fields of the tombstone that say nothing the report keeps. */
const HEADER_FIELD = /^(?:Revision|ABI|Timestamp|Process uptime|Cmdline|uid|tagged_addr_ctrl|pac_enabled_keys|Cause|Kernel Release|Build type|Abort message|LD_PRELOAD|GWP-ASan|Scudo|MTE|Note|Fatal signal)\b|^\s+(?:[xrv]\d{1,2}|lr|sp|pc|pst|ip|fp|cpsr|e?[abcd]x|e?[sd]i|e?[bsi]p|r\d\d?|rax|rbx|rcx|rdx|rsi|rdi|rbp|rsp|rip|d\d{1,2}|fpscr|scr)\s+[0-9a-f]{8,16}\b/;
/** Sections after the backtrace: taken as the tombstone's, their lines are no frames. */
const SECTION = /^(?:stack:|memory near |code around |memory map \(|open files:|log (?:main|system|crash|events):|unwinder:|Tombstone written to:|\s*--------- (?:tail end of|beginning of) log)/;

export const androidTombstoneParser: TraceParser = {
  format: 'android-tombstone',
  label: "Android tombstones and their logcat lines ('*** *** ***', 'pid: N, tid: N', '#00 pc ...')",
  markers: ['*** *** *** *** ***', 'Build fingerprint: ', ', fault addr ', '#00 pc ', '#00  pc ', ' <<<'],
  startsTrace(line: string): boolean {
    const text = line.includes(': ') || line.includes('): ') ? stripLogcat(line) : line;
    return BANNER.test(text) || FINGERPRINT.test(text) || (text.startsWith('pid: ') && PID.test(text)) || (text.startsWith('signal ') && SIGNAL.test(text) && SIGNAL.exec(text)![5] !== undefined) || /^\s*#00 {1,2}pc [0-9a-fA-F]{8,16}\s+\S/.test(text);
  },
  begin: () => new TombstoneBlock(),
};

/** The line without a logcat prefix. */
export function stripLogcat(line: string): string {
  const m = LOGCAT.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/** Unreadable lines tolerated in a row (a log line in between); more end the tombstone. */
const MAX_FOREIGN = 3;

class TombstoneBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN));
  private signal: string | null = null;
  private code: string | null = null;
  private faultAddress: string | null = null;
  private program: string | null = null;
  private crashedTid: string | null = null;
  private readonly threads: ParsedThread[] = [];
  /** The threads' ids, and whether any has a frame: asked at every thread's header (a Set, not a search of the list). */
  private readonly ids = new Set<string>();
  private framed = false;
  private current: ParsedThread | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  /** In a memory/stack dump section: its lines are taken, never read as frames. */
  private inDump = false;
  private sawBanner = false;

  feed(raw: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(stripLogcat(raw), lineNo), lineNo);
  }

  private thread(): ParsedThread {
    if (!this.current) {
      this.add((this.current = { id: this.crashedTid ?? '1', name: null, lwp: this.crashedTid ? Number(this.crashedTid) : null, frames: [] }));
    }
    return this.current;
  }

  private add(thread: ParsedThread): void {
    this.threads.push(thread);
    this.ids.add(thread.id);
  }

  private get hasFrames(): boolean {
    return this.framed;
  }

  private classify(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (line.trim() === '') return 'take';
    if (BANNER.test(line)) {
      // A second crash's banner: another tombstone.
      if (this.hasFrames || this.sawBanner) return 'split';
      this.sawBanner = true;
      return 'take';
    }
    if (FINGERPRINT.test(line)) return this.hasFrames ? 'split' : 'take';
    if ((m = PID.exec(line))) {
      const [, , tid, name, process] = m;
      this.inDump = false;
      if (this.crashedTid === null) {
        this.crashedTid = tid!;
        this.program = process!;
        // A stack read before this line (frames pasted first) is the crashed thread's.
        if (this.current) {
          this.ids.delete(this.current.id);
          Object.assign(this.current, { id: tid!, lwp: Number(tid), name: name! });
          this.ids.add(tid!);
        } else this.add((this.current = { id: tid!, name: name!, lwp: Number(tid), frames: [] }));
        return 'take';
      }
      if (this.ids.has(tid!)) return 'split';
      this.add((this.current = { id: tid!, name: name!, lwp: Number(tid), frames: [] }));
      return 'take';
    }
    if ((m = SIGNAL.exec(line))) {
      if (this.signal !== null && this.hasFrames) return 'split';
      this.signal = m[2]!;
      this.code = m[4]!;
      if (m[5] && /^0x[0-9a-fA-F]+$/.test(m[5])) this.faultAddress = m[5];
      return 'take';
    }
    if ((m = ABORT.exec(line))) {
      // normalize/abort-message.ts reads the message from this line.
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if ((m = ALLOCATION_STACK.exec(line))) {
      const role = m[1] === 'deallocated' ? 'freed-by' : 'allocated-by';
      this.inDump = false;
      this.threads.push((this.current = { id: `${role}:${m[2]}`, name: null, lwp: Number(m[2]), frames: [], role }));
      return 'take';
    }
    if (CAUSE.test(line)) {
      // Rules read the verdict (a use after free, a double free, an overflow) from this line.
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if (SEPARATOR.test(line)) {
      this.inDump = false;
      this.current = null;
      return 'take';
    }
    if (/^\s*backtrace:\s*$/.test(line)) {
      this.inDump = false;
      this.thread();
      return 'take';
    }
    if (SECTION.test(line)) {
      if (/^Tombstone written to:/.test(line)) return 'take';
      this.inDump = true;
      return 'take';
    }
    if (this.inDump) return /^\s|^[0-9a-f]{8}/.test(line) ? 'take' : 'maybe';
    if ((m = FRAME.exec(line))) {
      const thread = this.thread();
      const index = Number(m[1]);
      const last = thread.frames[thread.frames.length - 1];
      // Numbering back at #00 under one thread: another crash's backtrace.
      if (index === 0 && last) return 'split';
      pushCapped(thread, frameOf(index, m[2]!, m[3]!, line.trim()));
      this.framed = true;
      return 'take';
    }
    if (HEADER_FIELD.test(line)) return 'take';
    // Register lines wrap ("    lr  0000007f...  sp  ..."), arm32 adds "    ip ... " lines.
    if (/^\s+(?:[a-z]{1,3}\d{0,2}\s+[0-9a-f]{8,16}\s*){2,}$/.test(line)) return 'take';
    return 'maybe';
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    const crashed = threads.find((t) => t.id === this.crashedTid) ?? threads[0]!;
    return {
      format: 'android-tombstone',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.code,
      faultAddress: this.faultAddress,
      program: this.program,
      threads,
      hints: [{ threadId: crashed.id, reason: 'received-signal' }],
      inside: this.inside,
    };
  }
}

/**
 * "/system/lib64/libc.so (abort+164) (BuildId: ab12)", "/data/app/x/base.apk!libfoo.so (offset 0x1000)
 * (Foo::bar()+12)", "<anonymous:7f12345000>": the module, then the function (with its offset) in
 * parentheses, whatever else debuggerd adds around it.
 */
export function frameOf(index: number, pc: string, rest: string, raw: string): ParsedFrame {
  let text = rest.replace(/\s*\(BuildId: [0-9a-fA-F]*\)$/, '');
  let rawFunction = '??';
  // The function is the last parenthesized group, which may itself hold parentheses.
  if (text.endsWith(')')) {
    let depth = 0;
    let i = text.length - 1;
    for (; i >= 0; i--) {
      if (text[i] === ')') depth++;
      else if (text[i] === '(' && --depth === 0) break;
    }
    if (i > 0 && text[i - 1] === ' ') {
      const group = text.slice(i + 1, -1);
      if (!/^(?:offset 0x[0-9a-f]+|deleted)$/.test(group)) {
        rawFunction = group.replace(/\+\d+$/, '') || '??';
        text = text.slice(0, i).trimEnd();
      }
    }
  }
  const module = text.replace(/\s*\((?:offset 0x[0-9a-f]+|deleted)\)/g, '').trim() || null;
  return { index, address: null, rawFunction, module, file: null, line: null, column: null, inlined: false, raw, moduleOffset: `0x${pc.replace(/^0+(?=.)/, '')}` };
}
