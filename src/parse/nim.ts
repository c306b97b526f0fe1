// A Nim program's fatal signal or unhandled exception with its stack trace (--stackTrace:on, the
// default of debug builds), on stderr; the calls are listed outermost first:
//   Traceback (most recent call last)
//   tilemap_demo.nim(12)     tilemap_demo
//   tmxloader.nim(201)       loadMap
//   /home/u/.nimble/pkgs2/x/y.nim(88, 5) decodeTiles          (newer Nim: a column, and full paths)
//   SIGSEGV: Illegal storage access. (Attempt to read from nil?)
//   Error: unhandled exception: index 3 not in 0 .. 2 [IndexDefect]       (or an exception's line)
// The line after the frames names the fault. Python's header ends with a colon; Nim's does not.

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const HEADER = 'Traceback (most recent call last)';
const FRAME = /^(\S.*?\.nim)\((\d+)(?:, \d+)?\)\s+(\S+)$/;
const SIGNAL = /^(SIGSEGV|SIGBUS|SIGFPE|SIGILL|SIGABRT|SIGPIPE): (.*)$/;
const UNHANDLED = /^Error: unhandled exception: (.*)$/;
/** The system module's raising of a Defect, innermost (listed last): where the check failed, not why. */
const MACHINERY = /^(?:sysFatal|raiseIndexError\d*|raiseRangeError\w*|raiseOverflow|raiseDivByZero|raiseFieldError\w*|raiseAssert|failedAssertImpl|raiseObjectConversionError|chckNil\w*|nilAccess\w*)$/;

function trailer(text: string): Partial<DumpHeader> | null {
  let m = SIGNAL.exec(text);
  if (m) return { signal: m[1]!, description: `${m[1]}: ${m[2]}` };
  m = UNHANDLED.exec(text);
  return m ? { signal: 'SIGABRT', description: m[0] } : null;
}

const dialect: HandlerDumpDialect = {
  format: 'nim',
  program: null,
  strip: (line) => line.trim(),
  header: (text) => (text === HEADER ? { signal: null, description: null, faultAddress: null } : null),
  frame(text) {
    const m = FRAME.exec(text);
    // The system module's raising frames come last (innermost): not kept.
    if (!m || (MACHINERY.test(m[3]!) && /(?:^|[\\/])(?:lib[\\/]system[\\/]|system\.nim$|fatal\.nim$|assertions\.nim$)/.test(m[1]!))) return null;
    return dumpFrame(null, m[3]!, null, text, m[1]!, Number(m[2]));
  },
  trailer,
  other: (text) => FRAME.test(text),
  innermostLast: true,
};

export const nimParser: TraceParser = {
  format: 'nim',
  label: "Nim's stack trace of a fatal signal or exception ('Traceback (most recent call last)', 'file.nim(12) proc', 'SIGSEGV: Illegal storage access.')",
  markers: [HEADER],
  startsTrace: (line) => line.includes(HEADER) && line.trim() === HEADER,
  begin: () => new HandlerDumpBlock(dialect),
};
