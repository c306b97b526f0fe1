// Go panics and fatal errors with their goroutine dumps:
//   panic: runtime error: invalid memory address or nil pointer dereference
//   [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4817f1]
//
//   goroutine 18 [running]:
//   main.account(...)
//   	/src/go_panic.go:12
//   created by main.main
//   	/src/go_panic.go:18 +0x76
// The first goroutine printed is the one that panicked; GOTRACEBACK=all adds the others.
// Fatal errors with a kind of their own: "all goroutines are asleep - deadlock!" (deadlock; the main
// goroutine, blocked in "goroutine 1 [chan send]:", is the one to look at), "stack overflow" after
// "runtime: goroutine stack exceeds 1000000000-byte limit" (stack-overflow; runtime.morestack and
// runtime.newstack are in the runtime's own stack, the recursion in the goroutine's), "concurrent
// map writes" / "concurrent map read and map write" / "concurrent map iteration and map write"
// (concurrent-map-access). Go 1.8-era dumps put "fp=0x... sp=0x..." (no pc=) after the location.

import { pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const HEADER = /^(panic|fatal error): (.*)$/;
// The runtime's own report of a signal it cannot turn into a panic (one that arrived in C code
// called through cgo, or any with GOTRACEBACK=crash): the signal as Go names it, then its registers.
//   SIGSEGV: segmentation violation
//   PC=0x7f3a1c2b41d5 m=5 sigcode=1 addr=0x18
//   signal arrived during cgo execution
const RAW_SIGNAL = /^(SIG(?:SEGV|BUS|ABRT|ILL|FPE|TRAP|SYS)): (segmentation violation|bus error|abort|illegal instruction|floating-point exception|trace trap|bad system call)\s*$/;
const RAW_PC = /^PC=0x[0-9a-f]+ m=\d+ sigcode=\d+(?: addr=(0x[0-9a-f]+))?/;
const SIGNAL = /^\[signal (SIG[A-Z0-9]+): ([^\]]*?)(?: code=(0x[0-9a-f]+))?(?: addr=(0x[0-9a-f]+))?(?: pc=(0x[0-9a-f]+))?\]/;
// Go 1.23+ (GOTRACEBACK=system or crash, and every fatal signal in cgo code) adds the g, m and p:
// "goroutine 34 gp=0xc000583dc0 m=5 mp=0xc000100808 [syscall]:", "goroutine 1 gp=0x1 m=nil [select]:".
const GOROUTINE = /^goroutine (\d+)(?: gp=0x[0-9a-fA-F]+ m=\S+(?: mp=0x[0-9a-fA-F]+)?)? \[([^\]]*)\]:\s*$/;
// Locations are tab-indented as Go prints them, but logs re-indent them with spaces or not at all;
// a fatal error adds "fp=0x.. sp=0x.. pc=0x..".
const LOCATION = /^\s*(\S.*?):(\d+)(?: \+0x[0-9a-f]+)?(?: fp=0x[0-9a-f]+ sp=0x[0-9a-f]+(?: pc=0x[0-9a-f]+)?)?\s*$/;
/** Fatal errors that say what went wrong better than "go-fatal-error". */
const FATAL_KINDS: [RegExp, string][] = [
  [/^all goroutines are asleep - deadlock!?/, 'deadlock'],
  [/^stack overflow/, 'stack-overflow'],
  [/^concurrent map (?:writes|read and map write|iteration and map write)/, 'concurrent-map-access'],
];
// A call: an import path's function (it starts with a letter, a digit as in "9fans.net/go/acme", or
// an underscore; "[host:pid:0] Caught signal 11 (...)" printed after a panic is another program's).
const CALL = /^([A-Za-z0-9_].*)\((.*)\)$/;

export const goParser: TraceParser = {
  format: 'go',
  label: "Go panics",
  // Every dump has frame locations with a pc offset ("\t/src/main.go:20 +0xd1") a few lines under
  // the panic/fatal error header (kept as context); "+0x" is far cheaper to search raw bytes for
  // than the header words, whose first letters are everywhere in a log.
  // The reader skips to the frames' offsets (the header is among the context lines kept before
  // them); the extractor asks about the header lines themselves.
  markers: ['+0x'],
  lineMarkers: ['+0x', 'panic: ', 'fatal error: ', 'SIGSEGV: ', 'SIGBUS: ', 'SIGABRT: ', 'SIGILL: ', 'SIGFPE: ', 'SIGTRAP: ', 'SIGSYS: '],
  startsTrace: (line: string) => ((line.startsWith('panic: ') || line.startsWith('fatal error: ')) && HEADER.test(line)) || (line.startsWith('SIG') && RAW_SIGNAL.test(line)),
  begin: () => new GoBlock(),
};

class GoBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private message = '';
  private kind = 'panic';
  private signal: string | null = null;
  private faultAddress: string | null = null;
  private readonly goroutines: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private createdBy = false;

  feed(line: string, lineNo: number): FeedResult {
    if (this.span.start === 0 && RAW_SIGNAL.test(line)) {
      const m = RAW_SIGNAL.exec(line)!;
      this.kind = 'go-fatal-error';
      this.signal = m[1]!;
      this.message = `unexpected signal: ${m[1]}: ${m[2]}`;
      return this.span.took(lineNo);
    }
    if (this.span.start === 0) {
      const m = HEADER.exec(line)!;
      this.kind = m[1] === 'panic' ? 'go-panic' : 'go-fatal-error';
      this.message = m[2]!;
      return this.span.took(lineNo);
    }
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if (line.trim() === '' || /^\s*\[recovered\]/.test(line)) return 'take';
    if ((m = SIGNAL.exec(line))) {
      this.signal = m[1]!;
      if (m[4]) this.faultAddress = m[4];
      return 'take';
    }
    if (!this.current && (m = RAW_PC.exec(line))) {
      if (m[1] && this.signal !== 'SIGABRT') this.faultAddress = m[1];
      return 'take';
    }
    if (!this.current && /^signal arrived during (?:cgo execution|external code execution)\s*$/.test(line)) return 'take';
    // A fatal error prints the runtime's own stack (system stack) before the goroutines.
    if (/^runtime stack:\s*$/.test(line)) {
      this.current = { id: 'runtime', name: 'runtime stack', lwp: null, frames: [], role: 'runtime' };
      this.goroutines.push(this.current);
      this.createdBy = false;
      return 'take';
    }
    if ((m = GOROUTINE.exec(line))) {
      this.current = { id: m[1]!, name: `goroutine ${m[1]} [${m[2]}]`, lwp: null, frames: [] };
      this.goroutines.push(this.current);
      this.createdBy = false;
      return 'take';
    }
    if (!this.current) return /^(?:panic|fatal error|\s)/.test(line) ? 'take' : 'end';
    // A location line is tab-indented; pasted without its tab it is a Go file, or a path without a
    // space (a line such as Gecko's "Hit MOZ_CRASH(...) at file.cpp:412" printed after the panic is
    // the next report; "C:/Users/John Doe/go/src/app/server.go:42 +0x22" is a location).
    if ((m = LOCATION.exec(line)) && (line.charCodeAt(0) === 9 || line.charCodeAt(0) === 32 || !/\s/.test(m[1]!) || m[1]!.endsWith('.go'))) {
      const f = this.current.frames[this.current.frames.length - 1];
      if (f && !this.createdBy && f.file === null) Object.assign(f, { file: m[1]!, line: Number(m[2]), raw: `${f.raw}\n${line}` });
      return 'take';
    }
    if (line.startsWith('created by ')) {
      this.createdBy = true; // the creation site, not a frame of this goroutine
      return 'take';
    }
    if (/^exit status \d+/.test(line)) return 'take';
    if ((m = CALL.exec(line)) && !line.startsWith(' ')) {
      this.createdBy = false;
      pushCapped(this.current, { index: this.current.frames.length, address: null, rawFunction: line, functionName: m[1]!, module: null, file: null, line: null, column: null, inlined: false, raw: line });
      return 'take';
    }
    if (/^\.\.\.(?:\d+|additional) frames elided\.\.\./.test(line)) return 'take';
    return 'end';
  }

  finish(): ParsedTrace | null {
    const threads = this.goroutines.filter((g) => g.frames.length > 0);
    if (threads.length === 0) return null;
    const fatal = this.kind === 'go-fatal-error' ? FATAL_KINDS.find(([re]) => re.test(this.message))?.[1] : undefined;
    // A deadlock has no faulting goroutine: the main one (goroutine 1) waits forever where the program blocked.
    const crashed = (fatal === 'deadlock' ? threads.find((t) => t.id === '1') : undefined) ?? threads.find((t) => t.role !== 'runtime') ?? threads[0]!;
    return {
      format: 'go',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: `${this.kind === 'go-panic' ? 'panic' : 'fatal error'}: ${this.message}`,
      faultAddress: this.faultAddress,
      program: null,
      threads,
      hints: [{ threadId: crashed.id, reason: 'stop-reason' }],
      inside: [],
      crashKind: this.signal ?? fatal ?? this.kind,
    };
  }
}
