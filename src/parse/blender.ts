// Blender's crash file on Windows (%TEMP%\<file>.crash.txt, also UPBGE and Bforartists), written by
// its own exception handler (source/blender/blenlib/intern/system_win32.cc):
//   # Blender 4.1.1, Commit date: 2024-04-15 15:11, Hash e1743a0317bc
//   bpy.ops.ptcache.bake_all(bake=True)  # Operator            (the last operators, as Python)
//   # backtrace
//   Exception Record:
//   ExceptionCode         : EXCEPTION_ACCESS_VIOLATION          (4.x: "EXCEPTION_ACCESS_VIOLATION (0xc0000005)")
//   Exception Address     : 0x00007FFC1A2B44F0
//   Exception Module      : clothkit.cp311-win_amd64.pyd
//   	Parameters[0] : 0x0000000000000000                      (4.x: "Parameters[0] (action)  : ... (read)")
//   	Parameters[1] : 0x0000000000000018                      (the address an access violation touched)
//   Stack trace:
//   clothkit.cp311-win_amd64.pyd:0x00007FFC1A2B4490  ck::Solver::apply_springs
//   blender.exe         :0x00007FF6A1F2B700  Symbols not available
//   Thread : 00006160                                          (the other threads, newer builds)
//   Loaded Modules :
// A frame: the module (padded to 20 columns, or longer and glued to its colon), the address, the
// nearest symbol the handler found (an export when there is no .pdb: a guess, not the function).
// On Linux and macOS the same file holds backtrace_symbols lines, read by their own parser.

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import { hexAddress, windowsExceptionNamed } from './windows-exception.js';
import type { BlockParser, FeedResult, ParsedThread, ParsedTrace, TraceParser } from './types.js';

const RECORD = /^Exception Record:\s*$/;
const CODE = /^ExceptionCode\s*:\s*(EXCEPTION_[A-Z_]+|0x[0-9A-Fa-f]+)/;
const MODULE = /^Exception Module\s*:\s*(\S.*?)\s*$/;
const PARAMETER = /^Parameters\[(\d)\](?: \(\w+\))?\s*:\s*(0x[0-9A-Fa-f]+)/;
const STACK = /^Stack trace:\s*$/;
const THREAD = /^Thread\s*:\s*([0-9a-fA-F]+)\s*$/;
const FRAME = /^(\S[^:]*?)\s*:(0x[0-9A-Fa-f]{8,16})\s+(\S.*?)\s*$/;
const OTHER = /^(?:#|Exception (?:Address|Flags|Parameters)\s*:|\S.*# (?:Operator|Property|Info|Warning|Error)\s*$)/;

export const blenderParser: TraceParser = {
  format: 'blender',
  label: "Blender's crash files on Windows ('# backtrace', 'Exception Record:', 'blender.exe :0x... f')",
  markers: ['Exception Record:'],
  startsTrace: (line) => RECORD.test(line.trim()),
  begin: () => new BlenderBlock(),
};

class BlenderBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(3));
  private readonly threads: ParsedThread[] = [];
  private stack: CappedStack | null = null;
  private thread: { id: string; lwp: number | null } = { id: '1', lwp: null };
  private signal: string | null = null;
  private description: string | null = null;
  private crashKind: string | null = null;
  private readonly parameters: string[] = [];
  private program: string | null = null;

  feed(raw: string, lineNo: number): FeedResult {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (line === '') return this.span.took(lineNo);
    if (RECORD.test(line)) return this.threads.length > 0 || this.stack ? 'split' : this.span.took(lineNo);
    if ((m = CODE.exec(line))) {
      const e = windowsExceptionNamed(m[1]!);
      [this.signal, this.description, this.crashKind] = [e?.signal ?? null, m[1]!, e?.crashKind ?? null];
      return this.span.took(lineNo);
    }
    if ((m = MODULE.exec(line))) {
      this.program = m[1]!;
      return this.span.took(lineNo);
    }
    if ((m = PARAMETER.exec(line))) {
      this.parameters[Number(m[1])] = m[2]!;
      return this.span.took(lineNo);
    }
    if (STACK.test(line)) {
      this.startThread('1', null);
      return this.span.took(lineNo);
    }
    if ((m = THREAD.exec(line))) {
      this.startThread(m[1]!.toLowerCase(), Number.parseInt(m[1]!, 16));
      return this.span.took(lineNo);
    }
    if (line.startsWith('Loaded Modules')) return 'end';
    if (this.stack && (m = FRAME.exec(line))) {
      const [, module, address, symbol] = m;
      this.stack.push((index) => bareFrame(index, hexAddress(address!), symbol === 'Symbols not available' ? '??' : symbol!, module!, line));
      return this.span.took(lineNo);
    }
    if (OTHER.test(line)) return this.span.took(lineNo);
    return this.span.foreign();
  }

  private startThread(id: string, lwp: number | null): void {
    this.closeThread();
    this.stack = new CappedStack();
    this.thread = { id, lwp };
  }

  private closeThread(): void {
    if (this.stack && this.stack.count > 0) this.threads.push({ ...this.stack.thread(this.thread.lwp), id: this.thread.id });
    this.stack = null;
  }

  finish(): ParsedTrace | null {
    this.closeThread();
    if (this.threads.length === 0) return null;
    // An access violation's second parameter is the address it touched.
    const faultAddress = this.signal === 'SIGSEGV' && this.parameters[1] ? hexAddress(this.parameters[1]) : null;
    return {
      format: 'blender',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress,
      program: this.program,
      threads: this.threads,
      hints: [{ threadId: this.threads[0]!.id, reason: 'received-signal' }],
      inside: [],
      ...(this.crashKind ? { crashKind: this.crashKind } : {}),
    };
  }
}
