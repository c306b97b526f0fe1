// A Crystal program's segfault handler (src/crystal/system/unix/signal.cr, __crystal_sigfault_handler)
// on stderr, also in the journal behind its prefix:
//   Invalid memory access (signal 11) at address 0x0
//   [0x55f1c2a4b6e6] print_backtrace at /usr/share/crystal/src/exception/call_stack/libunwind.cr:117:5
//   [0x55f1c2a3c1d2] -> at /usr/share/crystal/src/crystal/system/unix/signal.cr:173:5   (a proc or block)
//   [0x7f2b41a42520] ?? +139823498109216 in /lib/x86_64-linux-gnu/libc.so.6          (the signal trampoline)
//   [0x55f1c2b7d0a4] decode_frame at /app/lib/ws_codec/src/ws_codec/frame.cr:88:17
//   [0x5612f35e107f] quicly_sentmap_skip +42                                         (a C function, no debug info)
//   [0x10a2c19d7] *CallStack::print_backtrace:Int32 +39                               (before 0.35: "*Type#method:Return")
//   [94640267773469] __crystal_sigfault_handler +61                                  (before 0.20: decimal)
//   [0x0] ???
// The handler's own frames and the trampoline above the faulting code are not kept.

import { dumpFrame, HandlerDumpBlock, signalFromNumber, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const HEADER = /Invalid memory access \(signal (\d{1,2})\) at address (0x[0-9a-fA-F]+)/;
const FRAME = /^\[(0x[0-9a-fA-F]+|\d+)\] (.*?)\s*$/;
/** "name at file:line:col" (debug info), "name +off in module", "name +off". */
const AT = /^(.+?) at (\S+?):(\d+)(?::\d+)?$/;
const OFFSET = /^(.+?) \+-?\d+(?: in (\S+))?$/;
/** The handler, the backtrace printer and the trampoline, above the frame that faulted. */
const MACHINERY = /^(?:\*?(?:Exception::)?CallStack(?:::|\.)\w*print_backtrace|print_backtrace|__crystal_sigfault_handler|_sigtramp|__restore_rt|\?\?\??|~procProc\(Int32, Pointer\(LibC::SiginfoT\).*)$/;

/** "*HTTP::Client#exec:HTTP::Client::Response" -> "HTTP::Client#exec": no leading '*', no return type. */
export function crystalName(raw: string): string {
  let name = raw.startsWith('*') ? raw.slice(1) : raw;
  const method = Math.max(name.lastIndexOf('#'), name.lastIndexOf('.'), name.lastIndexOf('::') + 1);
  for (let i = Math.max(method, 0); i < name.length; i++) {
    if (name[i] === ':' && name[i + 1] !== ':' && name[i - 1] !== ':') { name = name.slice(0, i); break; }
    if (name[i] === '(' ) break;
  }
  return name;
}

function dialect(): HandlerDumpDialect {
  let kept = 0;
  return {
    format: 'crystal',
    program: null,
    strip: (line) => line.trim(),
    header(text) {
      const m = HEADER.exec(text);
      return m ? { ...signalFromNumber(Number(m[1])), faultAddress: m[2]!.toLowerCase() } : null;
    },
    frame(text) {
      const m = FRAME.exec(text);
      if (!m) return null;
      const address = m[1]!.startsWith('0x') ? m[1]!.toLowerCase() : `0x${BigInt(m[1]!).toString(16)}`;
      let rest = m[2]!;
      let file: string | null = null;
      let line: number | null = null;
      let module: string | null = null;
      const at = AT.exec(rest);
      if (at) [rest, file, line] = [at[1]!, at[2]!, Number(at[3])];
      else {
        const off = OFFSET.exec(rest);
        if (off) [rest, module] = [off[1]!, off[2] ?? null];
      }
      const isHandlerProc = rest === '->' && file !== null && /\/signal\.cr$/.test(file);
      if (kept === 0 && (MACHINERY.test(rest) || isHandlerProc)) return null;
      kept++;
      const name = rest === '???' || rest === '??' ? '??' : rest === '->' ? '->' : crystalName(rest);
      return dumpFrame(address, name, module, text, file, line);
    },
    // The handler's frames above the faulting one.
    other: (text) => FRAME.test(text),
  };
}

export const crystalParser: TraceParser = {
  format: 'crystal',
  label: "Crystal's segfault handler ('Invalid memory access (signal 11) at address 0x0', '[0x...] f at file.cr:12:5')",
  markers: ['Invalid memory access (signal '],
  startsTrace: (line) => line.includes('Invalid memory access (signal ') && HEADER.test(line),
  begin: () => new HandlerDumpBlock(dialect()),
};
