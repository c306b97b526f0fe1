// A Zig program's panic or fatal signal (Zig code, or C compiled and linked by Zig), from its default
// handlers in std.debug, on stderr:
//   thread 4812 panic: index out of bounds: index 16, len 16
//   Segmentation fault at address 0x0                       (the segfault handler's header instead)
//   /home/u/proj/src/tokenizer.zig:211:29: 0x1037a4c in nextToken (lexer)
//           const c = self.buf[self.pos];                   (the source line and a caret under the column)
//                               ^
//   ???:?:?: 0x109321043 in _Compilation.update (???)      (no debug info)
// A frame: file:line:column, the address, "in" the function and the module in parentheses. The
// panic's own frames at the top (std.debug.assert, the panic handler) are not the failing code.

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const PANIC = /^(?:error: )?thread (\d+) panic: (.*?)\s*$/;
const SIGNAL = /^(Segmentation fault|General protection exception|Illegal instruction|Bus error|Floating point exception|Arithmetic exception) at address (0x[0-9a-fA-F]+)\s*$/;
// The module in the last parentheses, which hold no parentheses: one backtracking point (linear).
const FRAME = /^(\S.*?):(\d+|\?):(?:\d+|\?): (0x[0-9a-fA-F]+) in (.+) \(([^()]*)\)$/;
const CARET = /^\s*\^\s*$/;
const MACHINERY = /^(?:std\.debug\.|debug\.(?:assert|panic\w*|defaultPanic)$|builtin\.(?:default_panic|panic\w*)|std\.builtin\.|posix\.abort|std\.posix\.abort|os\.abort|_?start\.)/;
const SIGNALS: Record<string, string> = {
  'Segmentation fault': 'SIGSEGV', 'General protection exception': 'SIGSEGV', 'Illegal instruction': 'SIGILL', 'Bus error': 'SIGBUS',
  'Floating point exception': 'SIGFPE', 'Arithmetic exception': 'SIGFPE',
};

function dialect(): HandlerDumpDialect {
  let kept = 0;
  return {
    format: 'zig',
    program: null,
    strip: (line) => line.trimEnd(),
    header(text): DumpHeader | null {
      let m = PANIC.exec(text.trim());
      if (m) return { signal: 'SIGABRT', description: `panic: ${m[2]}`, faultAddress: null };
      m = SIGNAL.exec(text.trim());
      return m ? { signal: SIGNALS[m[1]!]!, description: m[1]!, faultAddress: m[2]!.toLowerCase() } : null;
    },
    frame(text) {
      const m = FRAME.exec(text.trim());
      if (!m) return null;
      const [, file, line, address, name, module] = m;
      // The panic's machinery above the failing code is not kept (it is read as the dump's own line).
      // Newer Zig names a function without its namespace ("assert"): its file says it is std's.
      if (kept === 0 && (MACHINERY.test(name!) || /(?:^|\/)std\/debug\.zig$/.test(file!))) return null;
      kept++;
      return dumpFrame(address!.toLowerCase(), name === '???' ? '??' : name!, module === '???' ? null : module!, text.trim(), file === '???' ? null : file!, line === '?' ? null : Number(line));
    },
    // A frame's source line and caret, and the panic machinery's frames.
    other: (text) => CARET.test(text) || /^\s{2,}\S/.test(text) || FRAME.test(text.trim()) || /^Panicked during a panic\./.test(text.trim()),
  };
}

export const zigParser: TraceParser = {
  format: 'zig',
  label: "Zig's panics and fatal signals ('thread 4812 panic: ...', 'Segmentation fault at address 0x0', 'file.zig:12:5: 0x... in f (app)')",
  markers: [' panic: ', ' at address 0x'],
  startsTrace: (line) => { const t = line.trim(); return (t.includes(' panic: ') && PANIC.test(t)) || (t.includes(' at address 0x') && SIGNAL.test(t)); },
  begin: () => new HandlerDumpBlock(dialect()),
};
