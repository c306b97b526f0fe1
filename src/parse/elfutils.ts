// elfutils stacks: `eu-stack` (on a process or a core) and systemd-coredump's `coredumpctl info`.
//   eu-stack:     PID 25756 - core
//                 TID 25761:
//                 #0  0x0000555555555343 pool::run_job(pool::Job const&) - threads      (-m: module)
//                     /src/threads.cpp:22:38                                            (-s: source)
//   coredumpctl:          Signal: 11 (SEGV)
//                         Stack trace of thread 25761:
//                         #0  0x0000555555555343 pool::run_job(pool::Job const&) (threads + 0x1343)
// The first thread listed is the one that crashed in a core (the kernel writes the dumping thread's
// notes first; elfutils and systemd keep that order). eu-stack on a live process (`PID n - process`)
// lists the main thread first, crashed or not: no hint then (normalize/crashed-thread.ts chooses).

import { markMangled } from './backtrace-symbols.js';
import { signalName } from './signals.js';
import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const EU_PID = /^PID (\d+) - (core|process)\s*$/;
const EU_TID = /^TID (\d+):\s*$/;
const CD_THREAD = /^\s*Stack trace of thread (\d+):\s*$/;
const CD_FIELD = /^\s*(PID|Signal|Command Line|Executable|Message|Timestamp|UID|GID|Boot ID|Machine ID|Hostname|Storage|Disk Size|Size on Disk|Package|build-id|Module)\s*: ?(.*)$/;
const FRAME = /^\s*#(\d+)\s+(0x[0-9a-fA-F]+)(?:\s+(.*))?$/;
const CD_MODULE = /^(.*?)\s*\(([^()\s]+?)(?: \+ 0x[0-9a-fA-F]+)?\)$/;
/**
 * coredumpctl's first frame pasted without the lines above it (people paste "the stack" from its
 * "#0" on, not its "Stack trace of thread N:" line): its own shape, a symbol then the module in
 * parentheses with the offset spaced out ("raise (libc.so.6 + 0x3bf25)", which no other tool prints)
 * or a shared library alone ("raise (libc.so.6)"). The first thread listed is still the crashed one.
 */
const CD_HEADERLESS_FIRST = /^\s*#0 +0x[0-9a-fA-F]{1,16} [^\s()]+ \((?:[^()\s]+ \+ 0x[0-9a-fA-F]+|[^()\s]*\.so(?:\.\d+)*)\)\s*$/;
const EU_MODULE = /^(?:(.*?)\s+)?-\s+(\S+)$/;
const SOURCE = /^\s{4,}(\S+?):(\d+)(?::(\d+))?\s*$/;
/** coredumpctl's list of the modules mapped at the crash ("Module libc.so.6 with build-id ...", its metadata). */
const CD_MODULE_LINE = /^\s*(?:Module \S+ (?:with|without) build-id|Metadata for module |Module \S+ from (?:deb|rpm) )/;

export const elfutilsParser: TraceParser = {
  format: 'eu-stack',
  label: "eu-stack/coredumpctl stacks",
  // What every line startsTrace accepts holds (its headers; not a bare '#', which near-miss log lines
  // are full of).
  markers: ['PID ', 'PID:', 'Stack trace of thread', '#0 '],
  startsTrace(line: string): boolean {
    return EU_PID.test(line) || CD_THREAD.test(line) || (/^\s*PID: \d+ \(/.test(line)) || CD_HEADERLESS_FIRST.test(line);
  },
  begin: () => new ElfutilsBlock(),
};

/** Blank lines tolerated inside a stack (between threads); more end it once a thread was read. */
const MAX_BLANK_LINES = 2;
/** Lines neither header field nor module tolerated in a row before the first stack: more and the
 *  header stood alone (coredumpctl's header pasted above a gdb session, whose lines are not ours). */
const MAX_HEADER_FOREIGN = 12;

class ElfutilsBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private format = 'eu-stack';
  private signal: string | null = null;
  private description: string | null = null;
  private program: string | null = null;
  /** eu-stack ran on a live process: its thread order says nothing about a crash. */
  private live = false;
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private readonly blank = new ForeignBudget(MAX_BLANK_LINES);
  private readonly header = new ForeignBudget(MAX_HEADER_FOREIGN);

  /** Lines fed so far: a headerless first frame starts the block only as its first line. */
  private fed = 0;

  feed(line: string, lineNo: number): FeedResult {
    this.fed++;
    this.span.open(lineNo);
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if (line.trim() === '') return this.blank.spend() === 'end' && this.threads.length > 0 ? 'end' : 'maybe';
    this.blank.reset();
    if ((m = FRAME.exec(line))) {
      // A frame before any "Stack trace of thread"/"TID" line is another tool's (gdb's after
      // coredumpctl's header): this header ends here, and its lines go back to the other parsers.
      if (!this.current) {
        if (this.fed !== 1 || !CD_HEADERLESS_FIRST.test(line)) return 'end';
        this.format = 'coredumpctl';
        this.current = { id: '', name: null, lwp: null, frames: [] };
        this.threads.push(this.current);
      }
      pushCapped(this.current, this.frame(m, line));
      return 'take';
    }
    if ((m = SOURCE.exec(line)) && this.current?.frames.length) {
      const f = this.current.frames[this.current.frames.length - 1]!;
      Object.assign(f, { file: m[1]!, line: Number(m[2]), column: m[3] ? Number(m[3]) : null, raw: `${f.raw}\n${line}` });
      return 'take';
    }
    if ((m = EU_PID.exec(line))) {
      if (this.threads.length) return 'split';
      this.live = m[2] === 'process';
      return 'take';
    }
    if ((m = EU_TID.exec(line)) || (m = CD_THREAD.exec(line))) {
      if (CD_THREAD.test(line)) this.format = 'coredumpctl';
      this.current = { id: m[1]!, name: null, lwp: Number(m[1]), frames: [] };
      this.threads.push(this.current);
      return 'take';
    }
    if ((m = CD_FIELD.exec(line))) {
      if (this.threads.length && m[1] === 'PID') return 'split';
      this.format = 'coredumpctl';
      if (m[1] === 'Signal') {
        const s = /^(\d+)\s*\((\w+)\)/.exec(m[2]!);
        if (s) this.signal = signalName(s[1]!);
      }
      if (m[1] === 'Command Line') this.program = m[2]!.trim();
      this.header.reset();
      return 'take';
    }
    if (this.threads.length) return 'end';
    if (CD_MODULE_LINE.test(line)) return 'take';
    return this.header.spend();
  }

  private frame(m: RegExpExecArray, line: string) {
    let rest = (m[3] ?? '').trim();
    let module: string | null = null;
    let mm: RegExpExecArray | null;
    if (this.format === 'coredumpctl' && (mm = CD_MODULE.exec(rest))) {
      rest = mm[1]!;
      module = mm[2]!;
    } else if ((mm = EU_MODULE.exec(rest))) {
      rest = mm[1] ?? '';
      module = mm[2]!;
    }
    // Symbol versions ("__libc_start_main@@GLIBC_2.34") and coredumpctl's "n/a" say nothing about the code.
    rest = rest.replace(/@@?[A-Z_]+[\d.]*$/, '');
    if (rest === 'n/a' || rest === '') rest = '??';
    // systemd-coredump names a frame by its ELF symbol, mangled when no debug info demangled it.
    return markMangled({ index: Number(m[1]), address: m[2]!, rawFunction: rest, module, file: null, line: null, column: null, inlined: false, raw: line.trim() });
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    return {
      format: this.format,
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: null,
      program: this.program,
      threads,
      // Both tools print the crashing thread of a core first; a live process' order is the kernel's task list.
      hints: this.live ? [] : [{ threadId: threads[0]!.id, reason: 'stop-reason' }],
      inside: [],
    };
  }
}
