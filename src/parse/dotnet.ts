// .NET (Core, 5+) dying of a fault in native code it called, or of a stack overflow: the runtime
// prints the managed stack on stderr and aborts.
//   Fatal error. System.AccessViolationException: Attempted to read or write protected memory. This is often an indication that other memory is corrupt.
//   Repeat 2 times:
//   --------------------------------
//      at Tensorly.Native.NativeMethods.tl_tensor_copy(IntPtr, IntPtr, UIntPtr)      (the P/Invoke: the native function called)
//   --------------------------------
//      at Tensorly.Tensor.CopyTo(Tensorly.Tensor)
//   Stack overflow.
//   Repeat 19125 times:
//   --------------------------------
//      at Parser.Node.Walk(Parser.Node)
// "Repeat N times:" folds a recursion between dashed lines: its frames are read once.

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const FATAL = /^(?:Fatal error\. (System\.AccessViolationException|0xC0000005|Internal CLR error\.)|(Stack overflow\.))(.*)$/;
const FRAME = /^at (\S.*)$/;
/** " in /src/Reader.cs:line 40" at the end of a frame (read from the last " in ": linear). */
const LOCATION = /^(\S.*):line (\d+)$/;
const OTHER = /^(?:Repeat \d+ times:|-{10,}|at \S.*)$/;

function header(m: RegExpExecArray): DumpHeader {
  if (m[2]) return { signal: 'SIGSEGV', description: 'Stack overflow', faultAddress: null, crashKind: 'stack-overflow' };
  if (m[1] === 'Internal CLR error.') return { signal: 'SIGABRT', description: `Internal CLR error.${m[3] ?? ''}`.trim(), faultAddress: null };
  return { signal: 'SIGSEGV', description: 'System.AccessViolationException', faultAddress: null };
}

const dialect: HandlerDumpDialect = {
  format: 'dotnet',
  program: null,
  strip: (line) => line.trim(),
  header(text) {
    const m = FATAL.exec(text);
    return m ? header(m) : null;
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    let method = m[1]!;
    let location: RegExpExecArray | null = null;
    const inAt = method.lastIndexOf(' in ');
    if (inAt > 0 && (location = LOCATION.exec(method.slice(inAt + 4)))) method = method.slice(0, inAt);
    // The method with its namespace and class, without the parameter types.
    const paren = method.indexOf('(');
    const name = paren > 0 ? method.slice(0, paren) : method;
    return dumpFrame(null, name, null, text, location?.[1] ?? null, location ? Number(location[2]) : null);
  },
  other: (text) => OTHER.test(text),
};

export const dotnetParser: TraceParser = {
  format: 'dotnet',
  label: ".NET's fatal errors with the managed stack ('Fatal error. System.AccessViolationException', 'Stack overflow.', '   at N.C.M()')",
  markers: ['Fatal error. ', 'Stack overflow.'],
  startsTrace: (line) => (line.includes('Fatal error. ') || line.includes('Stack overflow.')) && FATAL.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect),
};
