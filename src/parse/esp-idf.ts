// ESP-IDF's panic handler (ESP32 and its RISC-V siblings), on the serial console, usually as
// `idf.py monitor` or the Arduino IDE's exception decoder shows it:
//   Guru Meditation Error: Core  1 panic'ed (LoadProhibited). Exception was unhandled.
//   Core  1 register dump:
//   PC      : 0x400d2f5a  PS      : 0x00060530  A0      : 0x800d1234  A1      : 0x3ffb5670
//   EXCVADDR: 0x00000008  LBEG    : 0x4000c2e0  ...                 (RISC-V: "MTVAL   : 0x00000000")
//   Backtrace: 0x400d2f57:0x3ffb5670 0x400d1231:0x3ffb5690 0x40086a3d:0x3ffb56b0
//   --- 0x400d2f57: bme_read_sample at /home/u/weather/main/bme.c:88     (the monitor's decoding;
//   0x400d2f57: bme_read_sample(int) at /src/bme.cpp line 88              older monitors without "--- ",
//                                                                         the Arduino decoder with "line")
//   ELF file SHA256: 0a1b2c3d4e5f6a7b
//   Rebooting...
// Other starts: "abort() was called at PC 0x... on core 0" (an assert or abort), "***ERROR*** A stack
// overflow in task sensor has been detected.". The backtrace's pc:sp pairs give the frames in order;
// decoded lines name them. The exception's name gives the signal a POSIX system would have sent.

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { signalNameOf } from './signals.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedTrace, TraceParser } from './types.js';

const GURU = /Guru Meditation Error: Core\s+\d+ panic'ed \(([^)]+)\)/;
const ABORT = /abort\(\) was called at PC (0x[0-9a-fA-F]+) on core \d+/;
const STACK_OVERFLOW = /\*\*\*ERROR\*\*\* A stack overflow in task (\S+) has been detected/;
const BACKTRACE = /^\s*Backtrace:\s*((?:0x[0-9a-fA-F]{8}:0x[0-9a-fA-F]{8}\s*)+)/;
const DECODED = /^(?:---\s+|PC:\s+)?(0x[0-9a-fA-F]{8}): (.+?)(?: at (.+?)(?::| line )(\d+))?\s*$/;
const FAULT_REGISTER = /\b(?:EXCVADDR|MTVAL)\s*:\s*(0x[0-9a-fA-F]+)/;
/** Register dumps, the stack memory dump, the decoder's headings. */
const OTHER = /^\s*(?:Core\s+\d+ register dump:|[A-Z][A-Z0-9]{0,8}\s*: 0x|[0-9a-fA-F]{8}: 0x|Stack memory:|Decoding stack results|Exception was unhandled|Setting breakpoint|Debug exception reason|--- \S|assert failed: )/;
const END = /^\s*(?:ELF file SHA256:|Rebooting\.\.\.|CPU halted\.)/;
const MAX_FOREIGN_LINES = 6;

/** The signal a POSIX system sends for the exception ESP-IDF names. */
function signalOf(reason: string): number {
  if (/Prohibited|access fault/i.test(reason)) return 11;
  if (/Illegal ?Instruction/i.test(reason)) return 4;
  if (/Divide ?By ?Zero/i.test(reason)) return 8;
  if (/Alignment|misaligned/i.test(reason)) return 7;
  return /Breakpoint|debug exception/i.test(reason) ? 5 : 11;
}

export const espIdfParser: TraceParser = {
  format: 'esp-idf',
  label: "ESP-IDF panics ('Guru Meditation Error: Core 0 panic'ed (LoadProhibited)', 'Backtrace: 0x...:0x...')",
  markers: ['Guru Meditation Error', 'abort() was called at PC', 'A stack overflow in task'],
  startsTrace: (line) => GURU.test(line) || ABORT.test(line) || STACK_OVERFLOW.test(line),
  begin: () => new EspIdfBlock(),
};

class EspIdfBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private readonly stack = new CappedStack();
  private signo = 11;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private crashKind: string | null = null;
  private faultKnown = false;
  /** Past the dump's closing lines: only the decoder's lines may follow. */
  private closing = false;

  feed(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (this.span.start === 0) {
      if ((m = GURU.exec(line))) {
        this.signo = signalOf(m[1]!);
        this.description = m[1]!;
        this.faultKnown = this.signo === 11 || this.signo === 7;
      } else if ((m = ABORT.exec(line))) {
        this.signo = 6;
        this.description = `abort() called at ${m[1]}`;
      } else if ((m = STACK_OVERFLOW.exec(line))) {
        this.description = `stack overflow in task ${m[1]}`;
        this.crashKind = 'stack-overflow';
      }
      return this.span.took(lineNo);
    }
    if (GURU.test(line) || ABORT.test(line) || STACK_OVERFLOW.test(line)) {
      // An abort() or stack overflow is followed by its own Guru Meditation line: one panic.
      return this.stack.count > 0 ? 'split' : this.span.took(lineNo);
    }
    if ((m = BACKTRACE.exec(line))) {
      // The Arduino core glues pairs together at times ("0x3ffb22700x400d2a62:..."): pairs by shape, not by blanks.
      for (const [pair] of m[1]!.matchAll(/0x[0-9a-fA-F]{8}:0x[0-9a-fA-F]{8}/g)) {
        const address = pair.split(':')[0]!.toLowerCase();
        this.stack.push((index) => frameAt(index, address, '??', null, null, line.trim()));
      }
      return this.span.took(lineNo);
    }
    if ((m = DECODED.exec(line.trim()))) {
      this.name(m[1]!.toLowerCase(), m[2]!, m[3] ?? null, m[4] ? Number(m[4]) : null, line.trim());
      return this.span.took(lineNo);
    }
    if (END.test(line)) {
      // The decoder's output often follows the dump's last lines ("ELF file SHA256", "Rebooting...").
      this.closing = true;
      return this.span.took(lineNo);
    }
    if (this.closing) return line.trim() === '' || /^\s*Decoding stack results/.test(line) ? this.span.took(lineNo) : 'end';
    if ((m = FAULT_REGISTER.exec(line)) && this.faultKnown) this.faultAddress = `0x${BigInt(m[1]!).toString(16)}`;
    if (line.trim() === '' || OTHER.test(line)) return this.span.took(lineNo);
    return this.span.foreign();
  }

  /** A decoded line names the first unnamed frame at its address, or adds one (a decoder's list alone). */
  private name(address: string, fn: string, file: string | null, line: number | null, raw: string): void {
    const rawFunction = fn === '??' || fn === '?? ??:0' ? '??' : fn;
    const frame = this.stack.frames.find((f) => f.address === address && f.rawFunction === '??' && f.file === null);
    if (frame) Object.assign(frame, { rawFunction, file, line, raw });
    else this.stack.push((index) => frameAt(index, address, rawFunction, file, line, raw));
  }

  finish(): ParsedTrace | null {
    if (this.stack.count === 0) return null;
    const s = signalNameOf(this.signo);
    return {
      format: 'esp-idf',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: s.name,
      signalDescription: this.description ?? s.description,
      faultAddress: this.faultAddress,
      program: null,
      threads: [this.stack.thread()],
      hints: [{ threadId: '1', reason: 'received-signal' }],
      inside: [],
      ...(this.crashKind ? { crashKind: this.crashKind } : {}),
    };
  }
}

function frameAt(index: number, address: string, rawFunction: string, file: string | null, line: number | null, raw: string): ParsedFrame {
  return { index, address, rawFunction, module: null, file, line, column: null, inlined: false, raw };
}
