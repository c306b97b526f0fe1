// Godot's crash handler (platform/*/crash_handler_*.cpp), on stderr and in godot.log:
//   ================================================================
//   handle_crash: Program crashed with signal 11            (4.x on Windows, and 4.3+: "CrashHandlerException: ...")
//   Engine version: Godot Engine v4.2.1.stable.official (b09f793f5...)
//   Dumping the backtrace. Please include this when reporting the bug to the project developer.
//   [1] /lib/x86_64-linux-gnu/libc.so.6(+0x42520) [0x7f2e6c842520] (??:0)
//   [2] Node::propagate_notification(int) (/src/godot/scene/main/node.cpp:412)
//   [3] /opt/godot/Godot.x86_64() [0x45e12f9] (??:0)            (an official build: no symbols)
//   [4] error(-1): no debug info in PE/COFF executable          (Windows without a .pdb)
//   -- END OF BACKTRACE --
// A frame is a backtrace_symbols line, or the name addr2line gave it, with addr2line's "(file:line)".

import { parseLine } from './backtrace-symbols.js';
import { dumpFrame, HandlerDumpBlock, signalFromNumber, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const CRASHED = /(?:handle_crash|CrashHandlerException): Program crashed with signal (\d{1,2})/;
const FRAME = /^\[(\d{1,4})\] (.*?)\s*$/;
/** addr2line's location after the frame: "(/src/node.cpp:412)", "(??:0)", "(??:?)". */
const LOCATION = /^(.*?)\s+\(([^()]*?):(\d+|\?)\)$/;
const OTHER = /^(?:={20,}|Engine version:|Dumping the backtrace\.)/;

function frame(text: string) {
  const m = FRAME.exec(text);
  if (!m) return null;
  let rest = m[2]!;
  let file: string | null = null;
  let line: number | null = null;
  const loc = LOCATION.exec(rest);
  if (loc) {
    rest = loc[1]!;
    if (loc[2] !== '??' && /^\d+$/.test(loc[3]!)) [file, line] = [loc[2]!, Number(loc[3])];
  }
  const bts = parseLine(rest);
  if (bts) return dumpFrame(bts[3]!, bts[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??', bts[1]!, text, file, line);
  if (/^error\(-?\d+\):/.test(rest)) return dumpFrame(null, '??', null, text);
  return dumpFrame(null, rest, null, text, file, line);
}

const dialect: HandlerDumpDialect = {
  format: 'godot',
  program: 'godot',
  strip: (line) => line.trim(),
  header(text) {
    const m = CRASHED.exec(text);
    return m ? { ...signalFromNumber(Number(m[1])), faultAddress: null } : null;
  },
  frame,
  other: (text) => OTHER.test(text),
  end: /^-- END OF BACKTRACE --$/,
};

export const godotParser: TraceParser = {
  format: 'godot',
  label: "Godot's crash handler ('handle_crash: Program crashed with signal 11', '[2] f() (file:line)')",
  markers: ['Program crashed with signal'],
  startsTrace: (line) => line.includes('Program crashed with signal') && CRASHED.test(line),
  begin: () => new HandlerDumpBlock(dialect),
};
