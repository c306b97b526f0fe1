// macOS and iOS crash reports as Console, Xcode's Organizer and ~/Library/Logs/DiagnosticReports
// show them (the text form; the .ips file's JSON is translated to this by Console):
//
//   Process:               myserver [4242]
//   Crashed Thread:        2
//   Exception Type:        EXC_BAD_ACCESS (SIGSEGV)
//   Exception Codes:       KERN_INVALID_ADDRESS at 0x0000000000000010
//   Application Specific Information:
//   abort() called
//
//   Thread 0::  Dispatch queue: com.apple.main-thread
//   0   libsystem_kernel.dylib        0x18c1f9dc8 __psynch_cvwait + 8
//   Thread 2 Crashed:
//   0   myserver                      0x100012345 Session::handle(Request const&) + 44 (session.cpp:88)
//   1   myserver                      0x100013456 0x100000000 + 74838          (not symbolicated)
//
//   Thread 2 crashed with ARM Thread State (64-bit):
//
// Pastes often hold only a thread or two ("Thread 0 Crashed:: ..." and its frames): that alone is a
// trace, the "Crashed" says which thread died. Module names may hold spaces ("Google Chrome
// Framework"), so a frame is split at its address, the first 0x number after the module.
//
// Firebase Crashlytics' text (its console's stack, its exports) has the same frames under other
// headers: "Crashed: com.apple.main-thread" for the crashed thread, the exception on the next line
// ("EXC_BAD_ACCESS KERN_INVALID_ADDRESS 0x0000000000000010", "SIGABRT ABORT 0x...", "Fatal Exception:
// NSInvalidArgumentException"), the other threads under their bare queue or thread name.

import { MACH_EXCEPTION_SIGNALS, signalName } from './signals.js';
import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const HEADER_START = /^\s*(?:Process:\s+\S.*\[\d+\]|Exception Type:\s+EXC_\w+|(?:Crashed|Triggered by) Thread:\s+\d+)/;
/** Crashlytics' crashed-thread header: "Crashed: com.apple.main-thread", "Crashed: NSOperationQueue 0x10 (QOS: UNSPECIFIED)". */
const CRASHLYTICS_CRASHED = /^\s*Crashed: (\S.*?)\s*$/;
/** Crashlytics' exception line: a Mach exception or signal, its code, the address. */
const CRASHLYTICS_EXCEPTION = /^\s*(EXC_[A-Z_]+|SIG[A-Z]+)\s+([A-Z_]+)?\s*(0x[0-9a-fA-F]+)?\s*$/;
/** "Crashed Thread:  2" is the report's header field, not Crashlytics' "Crashed: <queue>". */
const FIELD_LIKE_THREAD = /^\s*Crashed Thread:/;
const CRASHLYTICS_FATAL = /^\s*Fatal Exception: (\S.*?)\s*$/;
/** "Thread 3:", "Thread 0 Crashed::  Dispatch queue: q", "Thread 4:: worker", "Thread 3 name:  q". */
const THREAD = /^\s*Thread (\d+)( Crashed)?::?(?:\s+(.*?))?\s*$/;
/** Xcode's banner at a stopped thread ("Thread 1: EXC_BAD_ACCESS (code=1, address=0x0)", "Thread 4: signal
 *  SIGABRT", "Thread 1: Fatal error: ..."): a line above a debugger's stack (parse/context-signal.ts), not
 *  a crash report's thread, whose header holds nothing after one colon but its dispatch queue. */
const XCODE_BANNER = /^\s*Thread \d+: (?!\s*Dispatch queue)\S/;
const THREAD_NAME = /^\s*Thread (\d+) name:\s+(.*?)\s*$/;
/** "Thread 3705687": a bare header (Crashpad-style reports of Electron apps), only inside a report. */
const BARE_THREAD = /^\s*Thread (\d+)\s*$/;
const LAST_EXCEPTION = /^\s*Last Exception Backtrace:\s*$/;
const STATE = /^\s*Thread \d+ crashed with .*Thread State/;
const FRAME = /^\s*(\d+)\s+(\S.*?)\s+(0x[0-9a-fA-F]+)\s+(.*?)\s*$/;
/** "name + 44 (file.cpp:88:3) [inlined]": the symbol, its decimal offset, a source location. */
const SYMBOL = /^(.+?) \+ (\d+)(?: \((.+?):(\d+)(?::(\d+))?\))?( \[inlined\])?$/;
/** "0x100000000 + 74838" (or "0 + 10"): no symbol, the load address and the offset into the module. */
const UNSYMBOLICATED = /^(?:0x[0-9a-fA-F]+|\d+) \+ (\d+)$/;
const FIELD = /^\s*([A-Z][A-Za-z ()/-]*?):\s*(.*?)\s*$/;
const DISPATCH_QUEUE = /^Dispatch queue:\s*/;
/** The report's own header fields (a line of the application's message is none of these). */
const HEADER_FIELDS = new Set(['Process', 'Path', 'Identifier', 'Version', 'Code Type', 'Role', 'Parent Process', 'Responsible',
  'User ID', 'Date/Time', 'Launch Time', 'OS Version', 'Release Type', 'Report Version', 'Anonymous UUID', 'Sleep/Wake UUID',
  'Time Awake Since Boot', 'System Integrity Protection', 'Crashed Thread', 'Exception Type', 'Exception Codes', 'Exception Subtype',
  'Exception Note', 'Exception Reason', 'Termination Reason', 'Termination Signal', 'Terminating Process', 'Triggered by Thread',
  'Application Specific Information', 'Application Specific Signatures', 'Application Specific Backtrace 0', 'Kernel Triage',
  'VM Region Info', 'Crashing on exception', 'Abort Cause', 'Hardware Model', 'Incident Identifier', 'CrashReporter Key', 'Beta Identifier']);

const SAMPLE_CALL_GRAPH = /^\s*Call graph:\s*$/;

/** Header lines a report may hold before its first thread (registers of a VM region, long messages). */
const MAX_HEADER_LINES = 200;

export const appleCrashParser: TraceParser = {
  format: 'apple-crash',
  label: "macOS/iOS crash reports ('Exception Type: EXC_...', 'Thread N Crashed:')",
  markers: ['Process:', 'Exception Type:', 'Crashed Thread:', 'Thread ', 'Crashed: '],
  // A paste may start at 'Triggered by Thread:' (a thread's frames, with 'Thread ', follow it).
  lineMarkers: ['Process:', 'Exception Type:', 'Crashed Thread:', 'Triggered by Thread:', 'Thread ', 'Crashed: '],
  startsTrace(line: string): boolean {
    return HEADER_START.test(line) || (line.includes('Thread ') && ((THREAD.test(line) && !XCODE_BANNER.test(line)) || THREAD_NAME.test(line))) || CRASHLYTICS_CRASHED.test(line);
  },
  begin: () => new AppleCrashBlock(),
};

/** Blank lines tolerated in a row; more end the report once a thread was read. */
const MAX_BLANK_LINES = 2;

class AppleCrashBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private program: string | null = null;
  private crashedThread: string | null = null;
  private readonly names = new Map<string, string>();
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  /** Inside "Application Specific Information:": its lines say why the program died. */
  private appInfo = false;
  /** Lines of the header read before any frame: a header that goes on and on is no report. */
  private readonly headerLines = new ForeignBudget(MAX_HEADER_LINES);
  private readonly blanks = new ForeignBudget(MAX_BLANK_LINES);
  /** Crashlytics' text: threads under bare names, the exception on its own line. */
  private crashlytics = false;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line, lineNo), lineNo);
  }

  private classify(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (line.trim() === '') {
      this.appInfo = false;
      return this.blanks.spend() === 'end' && this.threads.length > 0 ? 'end' : 'maybe';
    }
    this.blanks.reset();
    if ((m = FRAME.exec(line)) && this.current) {
      pushCapped(this.current, frame(m, line));
      return 'take';
    }
    if (STATE.test(line)) return this.threads.length ? 'end' : 'take';
    if ((m = THREAD_NAME.exec(line))) {
      this.names.set(m[1]!, m[2]!.replace(DISPATCH_QUEUE, ''));
      return 'take';
    }
    if ((m = THREAD.exec(line) ?? (this.threads.length ? BARE_THREAD.exec(line) : null))) {
      const id = m[1]!;
      const label = m[3] ? m[3].replace(DISPATCH_QUEUE, '') : null;
      this.current = { id, name: label || this.names.get(id) || null, lwp: null, frames: [] };
      this.threads.push(this.current);
      if (m[2]) this.crashedThread ??= id;
      return 'take';
    }
    if ((m = CRASHLYTICS_CRASHED.exec(line)) && !FIELD_LIKE_THREAD.test(line)) {
      this.crashlytics = true;
      this.current = { id: String(this.threads.length), name: m[1]!, lwp: null, frames: [] };
      this.threads.push(this.current);
      this.crashedThread ??= this.current.id;
      return 'take';
    }
    if (this.crashlytics) return this.crashlyticsLine(line, lineNo);
    if (LAST_EXCEPTION.test(line)) {
      // The stack the uncaught exception was thrown from: where the bug is when the crashed thread
      // only shows std::terminate and abort.
      this.current = { id: 'last-exception', name: 'Last Exception Backtrace', lwp: null, frames: [] };
      this.threads.push(this.current);
      return 'take';
    }
    if (this.threads.some((t) => t.frames.length > 0)) return HEADER_START.test(line) ? 'split' : 'end';
    if (this.headerLines.spend() === 'end') return 'end';
    // `sample`'s report has the same header fields ("Process:", "Path:", "OS Version:"), then its call
    // graph, which parse/macos-sample.ts reads: this is no crash report.
    if (SAMPLE_CALL_GRAPH.test(line)) return 'end';
    // The application's own lines ("Assertion failed: (x), function f, ...") may look like fields.
    if ((m = FIELD.exec(line)) && (!this.appInfo || HEADER_FIELDS.has(m[1]!))) this.field(m[1]!, m[2]!, line, lineNo);
    else if (this.appInfo) this.inside.push({ line: lineNo, text: line.trim() });
    return 'take';
  }

  /** A Crashlytics line that is no frame: the exception under the crashed thread's header, or another thread's name. */
  private crashlyticsLine(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    const current = this.current!;
    if (current.frames.length === 0 && current.id === this.crashedThread) {
      if ((m = CRASHLYTICS_EXCEPTION.exec(line))) {
        this.signal ??= m[1]!.startsWith('SIG') ? signalName(m[1]!) : (MACH_EXCEPTION_SIGNALS[m[1]!] ?? null);
        if (m[1] === 'EXC_BAD_ACCESS' && m[2] === 'KERN_PROTECTION_FAILURE') this.signal = 'SIGBUS';
        this.description = line.trim();
        if (m[3] && m[1]!.startsWith('EXC_BAD_ACCESS')) this.faultAddress = `0x${m[3].slice(2).replace(/^0+(?=.)/, '').toLowerCase()}`;
        return 'take';
      }
      if ((m = CRASHLYTICS_FATAL.exec(line))) {
        this.signal ??= 'SIGABRT';
        this.description = line.trim();
        this.inside.push({ line: lineNo, text: line.trim() });
        return 'take';
      }
    }
    // A name with no frame under it yet: whatever followed the last thread is not a thread.
    if (current.frames.length === 0) return 'end';
    this.current = { id: String(this.threads.length), name: line.trim(), lwp: null, frames: [] };
    this.threads.push(this.current);
    return 'take';
  }

  private field(key: string, value: string, line: string, lineNo: number): void {
    this.appInfo = false;
    let m: RegExpExecArray | null;
    switch (key) {
      case 'Process':
        this.program ??= value.replace(/\s*\[\d+\]$/, '') || null;
        break;
      case 'Path':
        if (value) this.program = value;
        break;
      case 'Crashed Thread':
      case 'Triggered by Thread':
        if ((m = /^(\d+)/.exec(value))) this.crashedThread = m[1]!;
        break;
      case 'Exception Type':
        // "EXC_BAD_ACCESS (SIGSEGV)", "EXC_CRASH (SIGABRT)"; the Mach exception describes it.
        if ((m = /\((SIG\w+)\)/.exec(value))) this.signal = m[1]!;
        this.description = value.replace(/\s*\(SIG\w+\)\s*$/, '') || null;
        break;
      case 'Exception Codes':
      case 'Exception Subtype':
        if ((m = /\bat (0x[0-9a-fA-F]+)/.exec(value))) this.faultAddress ??= m[1]!;
        break;
      case 'Termination Reason':
        // "Namespace SIGNAL, Code 11 Segmentation fault: 11" (also "Code 0xb").
        if (!this.signal && (m = /Namespace SIGNAL, Code (0x[0-9a-fA-F]+|\d+)/.exec(value))) this.signal = signalName(String(Number(m[1]!)));
        this.inside.push({ line: lineNo, text: line.trim() });
        break;
      case 'Application Specific Information':
      case 'Crashing on exception':
      case 'Abort Cause':
        this.appInfo = true;
        if (value) this.inside.push({ line: lineNo, text: value });
        break;
      default:
        break;
    }
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    const crashed = threads.find((t) => t.id === this.crashedThread);
    return {
      format: 'apple-crash',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: this.program,
      threads,
      hints: crashed ? [{ threadId: crashed.id, reason: 'stop-reason' }] : [],
      inside: this.inside,
    };
  }
}

function frame(m: RegExpExecArray, line: string): ParsedFrame {
  const [, index, module, address, rest] = m as unknown as [string, string, string, string, string];
  const known = module === '???' ? null : module;
  let s: RegExpExecArray | null;
  if ((s = SYMBOL.exec(rest)) && !UNSYMBOLICATED.test(rest)) {
    return {
      index: Number(index), address, rawFunction: s[1]!, module: known,
      file: s[3] ?? null, line: s[4] ? Number(s[4]) : null, column: s[5] ? Number(s[5]) : null,
      inlined: Boolean(s[6]), raw: line.trim(),
    };
  }
  const offset = UNSYMBOLICATED.exec(rest);
  return {
    // Crashlytics marks an unresolved frame "(Missing)", localized ("(Manquant)").
    index: Number(index), address, rawFunction: offset || rest === '' || rest === '<unknown>' || rest === '???' || /^\(\w+\)$/.test(rest) ? '??' : rest, module: known,
    file: null, line: null, column: null, inlined: false, raw: line.trim(),
    ...(offset && known ? { moduleOffset: `0x${Number(offset[1]).toString(16)}` } : {}),
  };
}
