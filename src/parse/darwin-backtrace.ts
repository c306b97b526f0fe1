// backtrace_symbols() on macOS (and the BSDs' libexecinfo in its format): a fatal-signal handler's
// dump, and what Foundation prints for an uncaught Objective-C exception ("*** First throw call
// stack:", the frames inside parentheses, often tab-indented). Index, module padded to 35, address,
// symbol + decimal offset:
//
//   0   librelay_test_util.dylib            0x000000010c2a190b _ZL13crash_handleriP9__siginfoPv + 139
//   1   libsystem_platform.dylib            0x00007ff80a2c4dfd _sigtramp + 29
//   2   ???                                 0x0000000000000000 0x0 + 0
//   5   Mosaic                              0x000000010a2c3f11 -[MSCTileCache keyForTile:] + 97
//
// The same line shape as a macOS crash report's thread (apple-crash.ts reads those under their
// "Thread 0 Crashed:" header) and an LLVM tool's stack dump on macOS (llvm.ts): this parser reads
// the table on its own, from its frame 0, numbered 0, 1, 2, ... without a gap. Reported in the
// backtrace_symbols format, as glibc's lines are.

import { BacktraceSymbolsBlock, markMangled } from './backtrace-symbols.js';
import { bareFrame } from './stack.js';
import type { ParsedFrame, TraceParser } from './types.js';

/** index, module (may hold blanks: "Google Chrome Framework"), address, symbol, " + " offset, an optional "(file:line)". */
const LINE = /^\s*(\d{1,4})\s+(\S.*?)\s+(0x[0-9a-fA-F]{1,16})\s+(\S.*?) \+ \d+(?: \((.+?):(\d+)(?::\d+)?\))?\s*$/;

export const darwinBacktraceParser: TraceParser = {
  format: 'backtrace_symbols',
  label: "macOS backtrace_symbols tables ('0   libfoo.dylib   0x... symbol + 12', an uncaught NSException's 'First throw call stack')",
  // The frame's address (' 0x', which gdb's frames share): ' + ' is in too many ordinary lines (code,
  // arithmetic, prose), and every line holding a marker is read in full instead of skipped.
  markers: [' 0x'],
  startsTrace: (line: string) => /^\s*0\s/.test(line) && LINE.test(line),
  begin: () => new BacktraceSymbolsBlock(darwinFrame),
};

/** The frame numbered `count` (the table's next), or null. */
function darwinFrame(line: string, count: number): ParsedFrame | null {
  const m = LINE.exec(line);
  if (!m || Number(m[1]) !== count) return null;
  const frame = markMangled(bareFrame(0, m[3]!, /^0x[0-9a-fA-F]+$/.test(m[4]!) ? '??' : m[4]!, m[2]!, line.trim()));
  return m[5] ? Object.assign(frame, { file: m[5], line: Number(m[6]) }) : frame;
}
