// Gecko's (Firefox, Thunderbird, SpiderMonkey) own stack dumps, printed by MozStackWalk after a
// deliberate crash or a failed assertion in debug and fuzzing builds:
//
//   Hit MOZ_CRASH(attempt to read a released layer) at /builds/.../LayerTree.cpp:412
//   Assertion failure: mLength > 0, at /builds/.../Vector.h:120          (MOZ_ASSERT, MOZ_RELEASE_ASSERT)
//   #01: mozilla::layers::LayerTree::FindLayer(unsigned long) (/builds/.../LayerTree.cpp:412)
//   #04: ???[/usr/lib/firefox/libxul.so +0x3a1c2e4]                      (no symbol: the module and offset)
//
// MOZ_CRASH writes to a null address on purpose: SIGSEGV; a failed MOZ_ASSERT calls MOZ_CRASH.

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedTrace, type TraceParser } from './types.js';

const HEADER = /^(?:Hit MOZ_CRASH\(.*\) at \S+:\d+|Assertion failure: .*, at \S+:\d+)/;
const FRAME = /^#(\d{2,3}): (.*?)\s*$/;
const LOCATION = /^(.*?) \(([^()]+?):(\d+)\)$/;
const MODULE = /^(.*?)\[(\S+) \+(0x[0-9a-fA-F]+)\]$/;

export const mozillaParser: TraceParser = {
  format: 'mozilla',
  label: "Gecko's stack dumps ('Hit MOZ_CRASH(...) at file:line', 'Assertion failure: x, at file:line', '#01: f() (file:line)')",
  markers: ['MOZ_CRASH(', 'Assertion failure: '],
  startsTrace: (line: string) => (line.startsWith('Hit MOZ_CRASH(') || line.startsWith('Assertion failure: ')) && HEADER.test(line),
  begin: () => new MozillaBlock(),
};

class MozillaBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stack = new CappedStack();
  private readonly preamble = new ForeignBudget(3);
  private readonly headerLines: { line: number; text: string }[] = [];

  feed(line: string, lineNo: number): FeedResult {
    if (this.headerLines.length === 0) {
      this.span.open(lineNo);
      this.headerLines.push({ line: lineNo, text: line });
      return this.span.took(lineNo);
    }
    const m = FRAME.exec(line.trim());
    if (!m) return this.stack.count > 0 ? 'end' : this.preamble.spend();
    this.stack.push((i) => frameOf(i, m[2]!, line.trim()));
    return this.span.took(lineNo);
  }

  finish(): ParsedTrace | null {
    if (this.stack.count < 2) return null;
    return {
      format: 'mozilla',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: 'SIGSEGV',
      signalDescription: this.headerLines[0]!.text.trim(),
      faultAddress: null,
      program: null,
      threads: [this.stack.thread()],
      hints: [],
      inside: this.headerLines,
    };
  }
}

function frameOf(index: number, text: string, raw: string): ParsedFrame {
  const frame: ParsedFrame = { index, address: null, rawFunction: '??', module: null, file: null, line: null, column: null, inlined: false, raw };
  let m: RegExpExecArray | null;
  if ((m = MODULE.exec(text))) {
    frame.module = m[2]!;
    frame.moduleOffset = m[3]!.toLowerCase();
    frame.rawFunction = m[1] === '???' || m[1] === '' ? '??' : m[1]!;
  } else if ((m = LOCATION.exec(text))) {
    frame.rawFunction = m[1]!;
    frame.file = m[2]!;
    frame.line = Number(m[3]);
  } else frame.rawFunction = text === '???' ? '??' : text;
  return frame;
}
