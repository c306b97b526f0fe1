// MongoDB's fatal-signal and assertion reports in its structured log (4.4+): one JSON object per line.
//   {"t":...,"s":"F","c":"CONTROL","id":4757800,"ctx":"conn214","msg":"Writing fatal message","attr":{"message":"Invalid access at address: 0x10"}}
//   {...,"msg":"Writing fatal message","attr":{"message":"Got signal: 11 (Segmentation fault).\n"}}
//   {...,"id":31380,"ctx":"conn214","msg":"BACKTRACE","attr":{"bt":{"backtrace":[{"a":"55E1C4A3B1F5","b":"55E1BF2C0000","o":"577B1F5",
//        "s":"_ZN5mongo15printStackTraceEv","C":"mongo::printStackTrace()","s+":"38"}, ...],"processInfo":{...}}}}
//   {...,"id":31445,"msg":"Frame","attr":{"frame":{"a":...,"s":...,"C":...}}}        (5.0+: each frame again, one per line)
// The whole stack is one line: a JSON array of frames, the demangled name in "C" when the server
// had one. The stack starts in the server's own handler (printStackTrace, abruptQuitWithAddrSignal,
// abruptQuit) and the signal trampoline after it; those frames are not kept.

import { CappedStack, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import { markMangled } from './backtrace-symbols.js';
import { signalNameOf } from './signals.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

const MSG = /"msg":"(Writing fatal message|BACKTRACE|Frame|Fatal assertion|Invariant failure|Fatal assertion with status|\\n\\n\*\*\*aborting after (?:invariant|fassert)\(\) failure\\n\\n)"/;
const GOT_SIGNAL = /Got signal: (\d{1,2}) \(/;
const INVALID_ACCESS = /Invalid access at address: (0x[0-9a-fA-F]+)/;
/** A frame object: flat, so it never holds a brace. */
const FRAME = /\{"a":"[0-9A-Fa-f]+"[^{}]*\}/g;
/** The server's handler: every frame up to it, and the trampoline right after it, are the handler's. */
const HANDLER = /^(?:abruptQuitWithAddrSignal|abruptQuit|abruptQuitAction|mongo::(?:\(anonymous namespace\)::)?(?:abruptQuit\w*|myTerminate)\b)/;
/** The abort after a failed invariant()/fassert(): raise, abort and the assertion's own function; its caller failed the check. */
const ASSERTION = /^(?:raise|abort|gsignal|__GI_raise|__GI_abort|__pthread_kill\w*|pthread_kill|mongo::(?:invariantFailed\w*|invariantOKFailed\w*|fassertFailed\w*|uassertedWithLocation|msgassertedWithLocation|tassertFailed\w*)\b)/;

export const mongodbParser: TraceParser = {
  format: 'mongodb',
  label: "MongoDB's structured-log backtraces ('\"msg\":\"BACKTRACE\"', '\"backtrace\":[{\"a\":...}]')",
  markers: ['"msg":"Writing fatal message"', '"msg":"BACKTRACE"', '"msg":"Invariant failure"', '"msg":"Fatal assertion'],
  startsTrace: (line) =>
    ((line.includes('"msg":"Writing fatal message"') || line.includes('"msg":"BACKTRACE"')) && line.includes('"c":"CONTROL"')) ||
    ((line.includes('"msg":"Invariant failure"') || line.includes('"msg":"Fatal assertion')) && line.includes('"c":"ASSERT"')),
  begin: () => new MongoBlock(),
};

/** A failed invariant()/fassert() in the words of MongoDB's older text log, from its JSON attributes. */
function assertionText(kind: string, line: string): string | null {
  const attr = (key: string) => new RegExp(`"${key}":(?:"((?:[^"\\\\]|\\\\.)*)"|(\\d+))`).exec(line);
  const file = attr('file');
  const at = attr('line');
  if (!file || !at) return null;
  const where = `${file[1]} ${at[1] ?? at[2]}`;
  if (kind === 'Invariant failure') {
    const expr = attr('expr');
    return expr ? `Invariant failure ${JSON.parse(`"${expr[1]}"`)} ${where}` : null;
  }
  const id = attr('msgid') ?? attr('id');
  return `Fatal Assertion ${id ? (id[1] ?? id[2]) : '?'} at ${where}`;
}

class MongoBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stack = new CappedStack();
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  private sawStack = false;

  feed(line: string, lineNo: number): FeedResult {
    const m = MSG.exec(line);
    if (!m) return this.sawStack ? 'end' : 'maybe';
    const kind = m[1]!;
    if (kind === 'BACKTRACE') {
      if (this.sawStack) return 'split';
      this.sawStack = true;
      this.readFrames(line);
      return this.span.took(lineNo);
    }
    if (kind === 'Frame') return this.sawStack ? this.span.took(lineNo) : 'maybe';
    if (this.sawStack) return 'split';
    let s: RegExpExecArray | null;
    if ((s = GOT_SIGNAL.exec(line))) {
      const sig = signalNameOf(Number(s[1]));
      [this.signal, this.description] = [sig.name, sig.description];
    }
    if ((s = INVALID_ACCESS.exec(line))) this.faultAddress = s[1]!.toLowerCase();
    // The assertion's own words, as the text log before 4.4 wrote them ("Invariant failure <expr>
    // <file> <line>", "Fatal Assertion <id> at <file> <line>"): the abort message rules read.
    const failure = kind === 'Invariant failure' || kind.startsWith('Fatal assertion') ? assertionText(kind, line) : null;
    this.inside.push({ line: lineNo, text: failure ?? line.trim() });
    return this.span.took(lineNo);
  }

  private readFrames(line: string): void {
    const frames: { address: string; name: string; raw: string }[] = [];
    for (const text of line.match(FRAME) ?? []) {
      let f: Record<string, string>;
      try {
        f = JSON.parse(text) as Record<string, string>;
      } catch {
        continue;
      }
      frames.push({ address: `0x${(f.a ?? '0').toLowerCase()}`, name: f.C ?? f.s ?? '??', raw: text });
    }
    const handler = frames.findIndex((f) => HANDLER.test(f.name));
    const from = handler >= 0 && handler < 8 ? Math.min(handler + 2, frames.length) : 0;
    let start = from;
    while (start < frames.length - 1 && start < from + 6 && ASSERTION.test(frames[start]!.name)) start++;
    for (const f of frames.slice(start)) this.stack.push((index) => markMangled(bareFrame(index, f.address, f.name, null, f.raw)));
  }

  finish(): ParsedTrace | null {
    if (this.stack.count === 0) return null;
    return {
      format: 'mongodb',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: 'mongod',
      threads: [this.stack.thread()],
      hints: [{ threadId: '1', reason: 'received-signal' }],
      inside: this.inside,
    };
  }
}
