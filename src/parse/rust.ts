// Rust panics with RUST_BACKTRACE=1 (or full), as native services that embed Rust print them:
//   thread 'main' (26649) panicked at src/main.rs:7:23:        (Rust >= 1.73; before: at 'msg', file:l:c)
//   called `Option::unwrap()` on a `None` value
//   stack backtrace:
//      5: rust_panic::start_server
//                at ./rust_panic.rs:7:23
//      6: 0x55d1c3a2 - rust_panic::main                          (RUST_BACKTRACE=full)
// Also: old rustc's "   1:     0x55d1c3a2 - std::sys::imp::backtrace::tracing::imp::unwind_backtrace::h..."
// (hashes dropped), legacy-mangled names nobody demangled ("_ZN4core9panicking5panic17h...E",
// demangled by rust-demangle.ts), Fuchsia's symbolizer markup after the panic ("{{{bt:0:0x...:pc}}}",
// placed in its module by the "{{{module:...}}}" and "{{{mmap:...}}}" lines before it), and a stack
// overflow ("thread 'main' has overflowed its stack" + "fatal runtime error: stack overflow"): no
// frames, but a report (Rust aborts: SIGABRT, kind stack-overflow).

import { markMangled } from './backtrace-symbols.js';
import { demangleRustLegacy } from './rust-demangle.js';
import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedTrace, TraceParser } from './types.js';

const HEADER = /^thread '([^']*)'(?: \((\d+)\))? panicked at (.*)$/;
const OVERFLOW = /^thread '([^']*)'(?: \((\d+)\))? has overflowed its stack\s*$/;
/** Symbolizer markup (Fuchsia): "{{{module:0:libc.so:elf:8323...}}}", "{{{mmap:0x7acb...:0x5a000:load:0:rx:0x0}}}", "{{{bt:0:0x7acb...:pc}}}". */
const MARKUP = /\{\{\{(reset|module|mmap|bt|pc)(?::([^}]*))?\}\}\}/;
// Before Rust 1.42 the location had no column ("'msg', src/lib.rs:161"); a message with newlines
// (assert_eq!'s left/right) goes on over the next lines up to the one that closes the quote.
const OLD_LOCATION = /^'(.*)', (\S+?):(\d+)(?::(\d+))?$/s;
const OLD_MESSAGE_LINES = 12;
/** Consecutive lines that are not frames tolerated inside a backtrace. */
const MAX_FOREIGN_LINES = 3;
const NEW_LOCATION = /^(\S+):(\d+):(\d+):$/;
/** A panic raised by the runtime's own panicking.rs: the consequence of the panic before it (it reached
 *  an `extern "C"` boundary: "panic in a function that cannot unwind"; a destructor panicked during
 *  cleanup), printed right after it by the same thread. */
const RUNTIME_PANIC = /(?:^|[\s'/])library\/(?:core|std)\/src\/panicking\.rs:/;
const FRAME = /^\s*(\d+):\s+(?:(0x[0-9a-fA-F]+) - )?(.+)$/;
const AT = /^\s+at (.+?):(\d+)(?::(\d+))?\s*$/;

export const rustParser: TraceParser = {
  format: 'rust',
  label: "Rust panics",
  // Raw-byte searches are fast when the needle starts with a rare byte: the quote that closes the
  // thread name ("thread 'main' panicked at", "thread 'main' (26649) panicked at").
  markers: ["' panic", "' (", "' has"],
  startsTrace: (line: string) => (line.includes('panicked at') && HEADER.test(line)) || (line.includes('has overflowed') && OVERFLOW.test(line)),
  begin: () => new RustBlock(),
};

class RustBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private thread = 'main';
  private tid: number | null = null;
  private message: string | null = null;
  private expectMessage = false;
  /** An old-style quoted message still open over several lines. */
  private openMessage: string[] | null = null;
  /** Lines that are not frames in a row inside the backtrace (only frame lines restart the count). */
  private readonly foreign = new ForeignBudget(MAX_FOREIGN_LINES);
  private location: { file: string; line: number; column: number | null } | null = null;
  private inBacktrace = false;
  /** Frames as numbered by Rust (markup frames in order), under the per-thread cap. */
  private readonly stack = new CappedStack();
  private overflow = false;
  /** The runtime's follow-up panic (RUNTIME_PANIC): its header and message, lines of this report. */
  private readonly followUp: { line: number; text: string }[] = [];
  private followUpMessage = false;
  /** Symbolizer markup: modules by id, and the mapped ranges that belong to each. */
  private readonly markupModules = new Map<string, string>();
  private readonly mappings: { start: bigint; end: bigint; module: string; base: bigint }[] = [];

  feed(line: string, lineNo: number): FeedResult {
    if (this.span.start === 0 && OVERFLOW.test(line)) {
      const o = OVERFLOW.exec(line)!;
      this.thread = o[1]!;
      this.tid = o[2] ? Number(o[2]) : null;
      this.overflow = true;
      return this.span.took(lineNo);
    }
    if (this.overflow) return /^fatal runtime error: stack overflow/.test(line) ? this.span.took(lineNo) : 'end';
    if (this.span.start === 0) {
      this.span.reach(lineNo);
      const m = HEADER.exec(line)!;
      this.thread = m[1]!;
      this.tid = m[2] ? Number(m[2]) : null;
      if (m[3]!.startsWith("'") && !OLD_LOCATION.test(m[3]!)) this.openMessage = [m[3]!];
      else this.location_(m[3]!);
      return 'take';
    }
    if (this.openMessage) {
      this.openMessage.push(line);
      const joined = this.openMessage.join('\n');
      if (OLD_LOCATION.test(joined) || this.openMessage.length > OLD_MESSAGE_LINES) {
        this.openMessage = null;
        this.location_(joined);
      }
      return this.span.took(lineNo);
    }
    if (this.followUpMessage) {
      this.followUpMessage = false;
      this.followUp.push({ line: lineNo, text: line });
      return this.span.took(lineNo);
    }
    let m: RegExpExecArray | null;
    if (this.stack.count > 0 && line.includes('panicked at') && (m = HEADER.exec(line)) && m[1] === this.thread && RUNTIME_PANIC.test(m[3]!)) {
      // Its frames (the runtime's abort and the boundary) go on this stack, as they always did.
      this.followUp.push({ line: lineNo, text: line });
      this.followUpMessage = !m[3]!.startsWith("'");
      return this.span.took(lineNo);
    }
    return this.span.account(this.classify(line), lineNo);
  }

  /** Reads "'msg', file:line[:col]" (old) or "file:line:col:" with the message on the next line. */
  private location_(text: string): void {
    const old = OLD_LOCATION.exec(text);
    if (old) {
      this.message = old[1]!;
      this.location = { file: old[2]!, line: Number(old[3]), column: old[4] ? Number(old[4]) : null };
      return;
    }
    this.expectMessage = true;
    const loc = NEW_LOCATION.exec(text);
    if (loc) this.location = { file: loc[1]!, line: Number(loc[2]), column: Number(loc[3]) };
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if (this.expectMessage) {
      this.expectMessage = false;
      this.message = line.trim();
      return 'take';
    }
    if (/^stack backtrace:\s*$/.test(line)) {
      this.inBacktrace = true;
      return 'take';
    }
    if (/^note: (?:run with `RUST_BACKTRACE|Some details are omitted)/i.test(line)) return 'take';
    if (line.includes('{{{') && (m = MARKUP.exec(line))) {
      this.markup(m[1]!, (m[2] ?? '').split(':'), line.trim());
      this.inBacktrace = true;
      return 'take';
    }
    if (!this.inBacktrace) return 'end';
    // Other processes' output lands between frames in a shared log; a few such lines are kept aside.
    if (!FRAME.test(line) && !AT.test(line)) return this.foreign.spend();
    this.foreign.reset();
    const frames = this.stack.frames;
    if ((m = AT.exec(line)) && frames.length) {
      const f = frames[frames.length - 1]!;
      Object.assign(f, { file: m[1]!, line: Number(m[2]), column: m[3] ? Number(m[3]) : null, raw: `${f.raw}\n${line}` });
      return 'take';
    }
    if ((m = FRAME.exec(line))) {
      // "<unknown>" frames and symbol hashes ("::h1a2b3c4d5e6f7a8b") say nothing.
      const text = m[3]!.trim();
      const name = demangleRustLegacy(text) ?? text.replace(/::h[0-9a-f]{16}$/, '');
      const index = Number(m[1]);
      // A C++ caller across FFI keeps its Itanium name ("_ZN9ImageView6reloadEv"): marked for the demangler.
      this.stack.push(() => markMangled({ index, address: m![2] ?? null, rawFunction: name === '<unknown>' ? '??' : name, module: null, file: null, line: null, column: null, inlined: false, raw: line.trim() }));
      return 'take';
    }
    return 'maybe';
  }

  private markup(tag: string, fields: string[], raw: string): void {
    if (tag === 'reset') {
      this.markupModules.clear();
      this.mappings.length = 0;
    } else if (tag === 'module' && fields.length >= 2) {
      this.markupModules.set(fields[0]!, fields[1]!);
    } else if (tag === 'mmap' && fields.length >= 6 && fields[2] === 'load') {
      try {
        const start = BigInt(fields[0]!);
        this.mappings.push({ start, end: start + BigInt(fields[1]!), module: fields[3]!, base: BigInt(fields[5]!) });
      } catch {
        // A malformed mapping places no frame.
      }
    } else if ((tag === 'bt' && fields.length >= 2) || tag === 'pc') {
      const address = tag === 'bt' ? fields[1]! : fields[0]!;
      if (!/^0x[0-9a-fA-F]+$/.test(address)) return;
      const pc = BigInt(address);
      const map = this.mappings.find((r) => pc >= r.start && pc < r.end);
      this.stack.push((index) => {
        const frame: ParsedFrame = { index, address, rawFunction: '??', module: map ? (this.markupModules.get(map.module) ?? null) : null, file: null, line: null, column: null, inlined: false, raw };
        if (map) frame.moduleOffset = `0x${(pc - map.start + map.base).toString(16)}`;
        return frame;
      });
    }
  }

  finish(): ParsedTrace | null {
    if (this.overflow) {
      return {
        format: 'rust', startLine: this.span.start, endLine: this.span.end, signal: 'SIGABRT',
        signalDescription: `thread '${this.thread}' has overflowed its stack`, faultAddress: null, program: null,
        threads: [], hints: [], inside: [], crashKind: 'stack-overflow',
      };
    }
    const frames = this.stack.frames.length
      ? this.stack.frames
      : this.location
        ? [{ index: 0, address: null, rawFunction: '??', module: null, file: this.location.file, line: this.location.line, column: this.location.column, inlined: false, raw: `${this.location.file}:${this.location.line}${this.location.column === null ? '' : `:${this.location.column}`}` }]
        : [];
    if (frames.length === 0) return null;
    return {
      format: 'rust',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: null,
      signalDescription: this.message ? `panicked: ${this.message}` : 'panicked',
      faultAddress: null,
      program: null,
      threads: [{ ...this.stack.thread(this.tid), name: this.thread, frames }],
      hints: [{ threadId: '1', reason: 'stop-reason' }],
      // Lines rules read as the log (the follow-up panic's message).
      inside: this.followUp,
      crashKind: 'rust-panic',
    };
  }
}
