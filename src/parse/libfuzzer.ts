// libFuzzer's own reports, printed when no sanitizer reported first (a plain -fsanitize=fuzzer
// build, or a crash the sanitizer does not handle: abort(), exit(), a timeout, running out of memory):
//   ==5683== ERROR: libFuzzer: deadly signal
//       #0 0x555d587b8d24 in __sanitizer_print_stack_trace (/out/fuzz+0x68d24) (BuildId: 1830...)
//       #1 0x555d5878f7f8 in fuzzer::PrintStackTrace() (/out/fuzz+0x3f7f8)
//       ...
//   NOTE: libFuzzer has rudimentary signal handlers.
//   SUMMARY: libFuzzer: deadly signal
//   MS: 1 ChangeBit-; base unit: ...                (while fuzzing: the mutation and the artifact)
//   artifact_prefix='./'; Test unit written to ./crash-...
// The other headers: "fuzz target exited", "out-of-memory (malloc(3221225472))" (with a stack),
// "out-of-memory (used: 2051Mb; limit: 2048Mb)" ("exceeds:" in newer versions; no stack: RSS is
// measured by a thread), "timeout after 1 seconds", "fuzz target overwrites its const input".
// libFuzzer does not print which deadly signal it caught: abort() on the stack under the handler
// means SIGABRT; otherwise the signal stays unknown and the kind is "deadly-signal".
// Frames are the sanitizers' ("#N 0x... in f file:line"), read by sanitizer-frame.ts.

import { cleanRustName, demangleRustLegacy } from './rust-demangle.js';
import { parseSanitizerFrame, SANITIZER_FRAME } from './sanitizer-frame.js';
import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedThread, ParsedTrace, TraceParser } from './types.js';

const HEADER = /^==(\d+)==\s*ERROR: libFuzzer: (.*?)\s*$/;
/** Non-frame lines between the header and SUMMARY tolerated before the report is given up. */
const MAX_FOREIGN_LINES = 40;
/** The abort() family: when they sit under the handler, the deadly signal was SIGABRT. */
const ABORT_FRAMES = /^(?:abort|__GI_abort|raise|__GI_raise|gsignal|__pthread_kill_implementation|__pthread_kill_internal|__pthread_kill|pthread_kill|std::process::abort|std::sys::pal::unix::abort_internal|std::sys::unix::abort_internal|__rust_start_panic|panic_abort::__rust_start_panic::abort)\b/;

export const libfuzzerParser: TraceParser = {
  format: 'libfuzzer',
  label: "libFuzzer reports ('==N== ERROR: libFuzzer: ...')",
  markers: ['libFuzzer'],
  startsTrace: (line: string) => line.includes('libFuzzer: ') && HEADER.test(line),
  begin: () => new LibFuzzerBlock(),
};

/** The crash kind a header's text names. */
function kindOf(what: string): string {
  if (/^deadly signal/.test(what)) return 'deadly-signal';
  if (/^out-of-memory/.test(what)) return 'out-of-memory';
  if (/^timeout/.test(what)) return 'timeout';
  if (/^fuzz target exited/.test(what)) return 'fuzz-target-exited';
  if (/overwrites its const input/.test(what)) return 'overwrites-const-input';
  return 'libfuzzer-error';
}

class LibFuzzerBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private what = '';
  private kind = 'libfuzzer-error';
  /** The report's one stack (libFuzzer prints one per report). */
  private readonly stack: ParsedThread = { id: '1', name: null, lwp: null, frames: [] };
  private summary = false;
  /** The line after the input's bytes is the input printed as text. */
  private inputText = false;
  /** The header was repeated before any frame or SUMMARY: this one is no report. */
  private echo = false;
  /** Frames read after SUMMARY (Fuchsia). */
  private late = false;
  private inProfile = false;
  /** The heap profile's stack being read, and all of them. */
  private profile: ParsedThread | null = null;
  private readonly profiles: ParsedThread[] = [];

  private get frames(): ParsedFrame[] {
    return this.stack.frames;
  }

  feed(line: string, lineNo: number): FeedResult {
    if (this.span.start === 0) {
      const m = HEADER.exec(line)!;
      this.what = m[2]!;
      this.kind = kindOf(this.what);
      return this.span.took(lineNo);
    }
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    // Another report's header: a first one that had nothing under it (Fuchsia echoes the header
    // before the run's log) or the next crash of a fork/jobs run.
    if (line.includes('libFuzzer: ') && HEADER.test(line)) {
      // A header with nothing under it, repeated: the first one was an echo, not a report.
      this.echo = this.frames.length === 0 && !this.summary;
      return 'split';
    }
    const frame = line.includes('#') && SANITIZER_FRAME.test(line) ? parseSanitizerFrame(line) : null;
    if (this.summary) {
      // After SUMMARY: the mutation sequence and where the crashing input went, then nothing of ours.
      if (/^(?:MS: \d+ |base unit: |artifact_prefix=|Test unit written to |Base64: )/.test(line)) return 'take';
      // The input as bytes ("0x61,0x61,"), then as text on the next line.
      if (/^0x[0-9a-f]{1,2}(?:,0x[0-9a-f]{1,2})*,?\s*$/.test(line)) {
        this.inputText = true;
        return 'take';
      }
      if (this.inputText) {
        this.inputText = false;
        return 'take';
      }
      // Fuchsia symbolizes the stack after SUMMARY, below the modules ("dso: id=... name=libc.so").
      if (this.frames.length === 0 || this.late) {
        if (frame) {
          this.late = true;
          this.addFrame(frame);
          return 'take';
        }
        if (/^dso: id=/.test(line)) return 'take';
        return this.late ? 'end' : 'maybe';
      }
      return 'end';
    }
    if (/^SUMMARY: libFuzzer: /.test(line)) {
      this.summary = true;
      this.profile = null;
      return 'take';
    }
    if (frame) {
      // A second stack starting at #0 (the timeout handler's, then the main thread's) stays one
      // list: libFuzzer prints one stack per report; heap profile stacks go to their own threads.
      this.addFrame(frame);
      return 'take';
    }
    // An out-of-memory report's heap profile: live allocations, each with its stack.
    if (/^Live Heap Allocations/.test(line)) {
      this.inProfile = true;
      return 'take';
    }
    if (this.inProfile && /^\d+ byte\(s\) \(\d+%\) in \d+ allocation\(s\)/.test(line)) {
      this.profile = { id: `heap-${this.profiles.length + 1}`, name: null, lwp: null, frames: [], role: 'heap-profile' };
      this.profiles.push(this.profile);
      return 'take';
    }
    if (line.trim() === '' || /^(?:NOTE: libFuzzer has rudimentary|\s+Combine libFuzzer with|\s+To change the out-of-memory limit|==\d+== (?:libFuzzer|WARNING)|ALARM: |\s+and the timeout value is|MallocFreeTracer|INFO: |libunwind: )/.test(line)) return 'take';
    return 'maybe';
  }

  private addFrame(frame: ParsedFrame): void {
    let name = frame.rawFunction;
    let module = frame.module;
    // "#3 0x7b111af60c in" (nothing after "in"), "#3 0x7f24f76cd38f in libpthread.so.0" (a module
    // where the name goes): no function name.
    if (name === 'in') name = '??';
    else if (module === null && /^[\w.+-]+\.so(?:\.\d+)*$/.test(name)) {
      module = name;
      name = '??';
    }
    // Rust fuzz targets' frames: legacy-mangled ("_ZN4core9panicking5panic17h...E") or demangled
    // halfway ("std::process::abort::hd257d0bc0ddb140c", "_$u7b$$u7b$closure$u7d$$u7d$").
    else name = (name.includes('ZN') ? demangleRustLegacy(name) : null) ?? cleanRustName(name);
    const target = this.profile ?? this.stack;
    pushCapped(target, { ...frame, index: target.frames.length, rawFunction: name, module });
  }

  /** SIGABRT when abort()'s family sits under the signal handler's frames. */
  private signal(): string | null {
    if (this.kind !== 'deadly-signal') return null;
    // The handler's frames: everything up to libFuzzer's CrashCallback and the signal trampoline.
    let first = this.frames.findIndex((f) => /^fuzzer::Fuzzer::CrashCallback\b/.test(f.rawFunction));
    first = first < 0 ? 0 : first + 1;
    return this.frames.slice(first, first + 8).some((f) => ABORT_FRAMES.test(f.rawFunction)) ? 'SIGABRT' : null;
  }

  finish(): ParsedTrace | null {
    if (this.echo) return null;
    const signal = this.signal();
    return {
      format: 'libfuzzer',
      startLine: this.span.start,
      endLine: this.span.end,
      signal,
      signalDescription: `libFuzzer: ${this.what}`,
      faultAddress: null,
      program: null,
      // An RSS out-of-memory has no stack (a watcher thread measured it): still a report, no frames
      // of its own, but the heap profile's stacks (the live allocations) as labelled threads.
      threads: [
        ...(this.frames.length ? [this.stack] : []),
        ...this.profiles.filter((p) => p.frames.length).map((p, i) => ({ ...p, id: `heap-${i + 1}` })),
      ],
      hints: this.frames.length ? [{ threadId: '1', reason: 'stop-reason' as const }] : [],
      inside: [],
      crashKind: signal ?? this.kind,
    };
  }
}
