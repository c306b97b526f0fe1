// OBS Studio's crash log (%APPDATA%\obs-studio\crashes\Crash <date>.txt, or the crash dialog's text):
//   Unhandled exception: c0000005
//   Date/Time: 2024-03-09, 21:14:02
//   Fault address: 7FFB2C41A2F3 (c:\program files\obs-studio\obs-plugins\64bit\obs-nightvision.dll)
//   libobs version: 30.0.2 (64-bit)
//   Thread 2C10: (Crashed)                                   (older: "Thread 2C10 (Crashed)")
//   Stack            EIP              Arg0             Arg1             Arg2             Arg3             Address
//   000000A1B2EFF6B0 00007FFB2C41A2F3 0000000000000000 ... obs-nightvision.dll!nv_filter_render+0x53
//   000000370574EC50 00007FF60274B890 ... obs64.exe!0x7ff60274b890                      (no symbols)
//   Thread 1F44
//   ...
//   obs64.exe                      7FF6D1B20000 7FF6D1E5A000 30.0.2                 (the module list)
// The fault address is the faulting instruction's (EIP), not the data address: it is not kept as one.

import { CappedStack, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import { hexAddress, windowsException } from './windows-exception.js';
import type { BlockParser, FeedResult, ParsedThread, ParsedTrace, TraceParser } from './types.js';

const START = /^Unhandled exception: ([0-9a-fA-F]{1,8})\s*$/;
const THREAD = /^Thread ([0-9A-Fa-f]+):?(?: \((Crashed)\))?:?\s*$/;
const COLUMNS = /^Stack\s+EIP\s+Arg0\s+Arg1\s+Arg2\s+Arg3\s+Address\s*$/;
const FRAME = /^[0-9A-Fa-f]{8,16} ([0-9A-Fa-f]{8,16})(?: [0-9A-Fa-f]{8,16}){4} (\S+?)!(\S+?)\s*$/;
const HEADER = /^(?:Date\/Time|Fault address|libobs version|Windows version|OS Version|CPU|Kernel Version|Hostname)\s*:/;
const MODULE_ROW = /^\S+\s+[0-9A-Fa-f]{8,16}\s+[0-9A-Fa-f]{8,16}\s/;

export const obsParser: TraceParser = {
  format: 'obs',
  label: "OBS Studio's crash logs ('Unhandled exception: c0000005', 'Thread 2C10: (Crashed)', 'obs.dll!f+0x1a')",
  markers: ['Unhandled exception: '],
  startsTrace: (line) => line.startsWith('Unhandled exception: ') && START.test(line.trim()),
  begin: () => new ObsBlock(),
};

class ObsBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly threads: ParsedThread[] = [];
  private stack: CappedStack | null = null;
  private current: { id: string; crashed: boolean } | null = null;
  private crashedId: string | null = null;
  private signal: string | null = null;
  private description: string | null = null;
  private crashKind: string | null = null;
  private sawStart = false;

  feed(raw: string, lineNo: number): FeedResult {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = START.exec(line))) {
      if (this.sawStart) return 'split';
      this.sawStart = true;
      const e = windowsException(m[1]!);
      [this.signal, this.description, this.crashKind] = [e?.signal ?? null, e?.name ?? `exception 0x${m[1]!.toLowerCase()}`, e?.crashKind ?? null];
      return this.span.took(lineNo);
    }
    if (line === '') return this.span.took(lineNo);
    if (HEADER.test(line) || COLUMNS.test(line)) return this.span.took(lineNo);
    if ((m = THREAD.exec(line))) {
      this.close();
      const id = m[1]!.toLowerCase();
      this.current = { id, crashed: m[2] === 'Crashed' };
      if (this.current.crashed) this.crashedId = id;
      this.stack = new CappedStack();
      return this.span.took(lineNo);
    }
    if (this.stack && (m = FRAME.exec(line))) {
      const [, eip, module, symbol] = m;
      const name = /^0x[0-9a-f]+$/i.test(symbol!) ? '??' : symbol!.replace(/\+0x[0-9a-f]+$/i, '');
      this.stack.push((index) => bareFrame(index, hexAddress(eip!), name, module === '<unknown>' ? null : module!, line));
      return this.span.took(lineNo);
    }
    // The module list closes the log.
    if (MODULE_ROW.test(line) && this.threads.length + (this.stack ? 1 : 0) > 0) return this.span.took(lineNo);
    return 'end';
  }

  private close(): void {
    if (this.stack && this.current && this.stack.count > 0) this.threads.push({ ...this.stack.thread(Number.parseInt(this.current.id, 16)), id: this.current.id });
    this.stack = null;
  }

  finish(): ParsedTrace | null {
    this.close();
    if (this.threads.length === 0) return null;
    const crashed = this.threads.find((t) => t.id === this.crashedId) ?? this.threads[0]!;
    return {
      format: 'obs',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: null,
      program: 'obs',
      threads: this.threads,
      hints: [{ threadId: crashed.id, reason: 'received-signal' }],
      inside: [],
      ...(this.crashKind ? { crashKind: this.crashKind } : {}),
    };
  }
}
