// Fatal-signal handlers of server frameworks, and glog CHECK failures:
//   glog:    *** Aborted at 1795584983 (unix time) try "date -d @1795584983" if you are using GNU date ***
//            *** SIGSEGV (@0x0) received by PID 25618 (TID 0x7f8d...) from PID 0; stack trace: ***
//                @     0x561deb5ff1c5 cache::touch()
//   CHECK:   F20261125 05:36:23.972752 25620 glog_check.cpp:7] Check failed: i < shards.size() (3 vs. 3)
//            *** Check failure stack trace: ***
//                @     0x55cc0eee7304  shard::pick()
//   Abseil:  *** SIGSEGV received at time=1700000000 on cpu 3 ***
//            PC: @     0x55f1c8a0b1c4  (unknown)  cache::touch()
//                @     0x55f1c8a0b1c4         32  cache::touch()
//   folly:   *** Signal 11 (SIGSEGV) (0x0) received by PID 123 (pthread TID 0x7f..) (linux TID 123) (code: address not mapped to object), stack trace: ***
//                @ 0000000000401b6e main
//                                   ./main.cpp:10

import { signalName } from './signals.js';
import { CappedStack, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

const ABORTED_AT = /^\*\*\* Aborted at \d+ \(unix time\)/;
const GLOG_SIGNAL = /^\*\*\* (SIG[A-Z0-9]+) \(@(0x[0-9a-fA-F]+)\) received by PID (\d+) \(TID (0x[0-9a-fA-F]+)\)/;
const ABSL_SIGNAL = /^\*\*\* (SIG[A-Z0-9]+) received at time=\d+(?: on cpu \d+)? \*\*\*/;
const FOLLY_SIGNAL = /^\*\*\* Signal (\d+) \((SIG[A-Z0-9]+)\) \((0x[0-9a-fA-F]+)\) received by PID (\d+).*?(?:\(code: ([^)]*)\))?, stack trace: \*\*\*/;
const CHECK_TRACE = /^\*\*\* Check failure stack trace: \*\*\*/;
const PC_LINE = /^PC: @\s+(0x[0-9a-fA-F]+)/;
const FRAME = /^\s*@\s+(?:0x)?([0-9a-fA-F]{6,16})\s+(?:(\d+)\s+)?(.*)$/;
const FOLLY_LOCATION = /^\s{6,}(\S+):(\d+)\s*$/;

export const glogParser: TraceParser = {
  format: 'glog',
  label: "glog/Abseil/folly failure handlers ('*** SIGSEGV ... ***', 'Check failed:')",
  markers: ['*** '],
  startsTrace(line: string): boolean {
    if (!line.startsWith('*** ')) return false;
    return ABORTED_AT.test(line) || GLOG_SIGNAL.test(line) || ABSL_SIGNAL.test(line) || FOLLY_SIGNAL.test(line) || CHECK_TRACE.test(line);
  },
  begin: () => new GlogBlock(),
};

class GlogBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private pid: number | null = null;
  private readonly stack = new CappedStack();
  private kind: 'glog' | 'abseil' | 'folly' = 'glog';

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if ((m = FRAME.exec(line))) {
      this.addFrame(m, line);
      return 'take';
    }
    if (this.stack.frames.length > 0) {
      if ((m = FOLLY_LOCATION.exec(line)) && this.kind === 'folly') {
        const f = this.stack.frames[this.stack.frames.length - 1]!;
        f.file = m[1]!;
        f.line = Number(m[2]);
        f.raw += `\n${line}`;
        return 'take';
      }
      // A second handler banner after the frames (glog's SIGABRT after a CHECK) is another trace.
      return line.startsWith('*** ') && glogParser.startsTrace(line) ? 'split' : 'end';
    }
    if (ABORTED_AT.test(line) || PC_LINE.test(line)) return 'take';
    if ((m = GLOG_SIGNAL.exec(line))) {
      this.setSignal(m[1]!, m[2]!);
      this.pid = Number(m[3]);
      return 'take';
    }
    if ((m = ABSL_SIGNAL.exec(line))) {
      this.kind = 'abseil';
      this.setSignal(m[1]!, null);
      return 'take';
    }
    if ((m = FOLLY_SIGNAL.exec(line))) {
      this.kind = 'folly';
      this.setSignal(m[2]!, m[3]!);
      this.pid = Number(m[4]);
      if (m[5]) this.description = `${this.description}, ${m[5]}`;
      return 'take';
    }
    if (CHECK_TRACE.test(line)) {
      // glog aborts once the check-failure trace is printed.
      this.signal = 'SIGABRT';
      this.description = 'Check failed';
      return 'take';
    }
    // Right after the line that started the trace, one more line of the handler's banner is taken.
    return this.span.start === this.span.end ? 'take' : 'end';
  }

  private setSignal(name: string, address: string | null): void {
    this.signal = signalName(name);
    this.description = { SIGSEGV: 'Segmentation fault', SIGABRT: 'Aborted', SIGBUS: 'Bus error', SIGFPE: 'Arithmetic exception', SIGILL: 'Illegal instruction' }[this.signal] ?? this.signal;
    if (address) this.faultAddress = address.toLowerCase();
  }

  private addFrame(m: RegExpExecArray, line: string): void {
    let name = m[3]!.trim();
    // Abseil prints "(unknown)  symbol" (the first column is the frame size or "(unknown)").
    name = name.replace(/^\(unknown\)\s+(?=\S)/, '');
    if (name === '(unknown)' || name === '') name = '??';
    const address = `0x${m[1]!.toLowerCase().replace(/^0+(?=.)/, '')}`;
    this.stack.push((index) => bareFrame(index, address, name, null, line.trim()));
  }

  finish(): ParsedTrace | null {
    if (this.stack.frames.length === 0) return null;
    return {
      format: this.kind,
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: null,
      threads: [this.stack.thread(this.pid)],
      hints: [{ threadId: '1', reason: 'stop-reason' }],
      inside: [],
    };
  }
}
