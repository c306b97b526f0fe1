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
// An unhandled managed exception that ends the process, as .NET prints it (and a Native AOT build,
// whose frames carry an offset and whose runtime frames are "module!<BaseAddress>+0x..."):
//   Unhandled exception. System.InvalidOperationException: Sequence contains no elements
//   Unhandled Exception: System.NullReferenceException: Object reference not set to an instance of an object.
//      at System.Linq.ThrowHelper.ThrowNoElementsException() + 0x22      (the framework's throw: not kept at the top)
//      at Ledger.Import.CsvImporter.ReadHeader(Stream) + 0x115
//   --- End of stack trace from previous location ---
//      at ledger!<BaseAddress>+0x2f4c1b

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const FATAL = /^(?:Fatal error\. (System\.AccessViolationException|0xC0000005|Internal CLR error\.)|(Stack overflow\.))(.*)$/;
const FRAME = /^at (\S.*)$/;
/** " in /src/Reader.cs:line 40" at the end of a frame (read from the last " in ": linear). */
const LOCATION = /^(\S.*):line (\d+)$/;
const OTHER = /^(?:Repeat \d+ times:|-{10,}|at \S.*|--- End of (?:inner exception )?stack trace(?: from previous location)? ---)$/;
const UNHANDLED = /^Unhandled [Ee]xception[.:] ((?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*(?:Exception|Error))(?:: (.*))?$/;
/** The framework's own frames at the top of an unhandled exception's stack: where it threw, not why. */
const FRAMEWORK = /^(?:System|Microsoft|Internal)\./;
/** Native AOT's "ledger!<BaseAddress>+0x2f4c1b": a frame of the module, without a name. */
const AOT_BASE = /^(\S+?)!<BaseAddress>\+(0x[0-9a-fA-F]+)$/;

function header(m: RegExpExecArray): DumpHeader {
  if (m[2]) return { signal: 'SIGSEGV', description: 'Stack overflow', faultAddress: null, crashKind: 'stack-overflow' };
  if (m[1] === 'Internal CLR error.') return { signal: 'SIGABRT', description: `Internal CLR error.${m[3] ?? ''}`.trim(), faultAddress: null };
  return { signal: 'SIGSEGV', description: 'System.AccessViolationException', faultAddress: null };
}

function dialect(): HandlerDumpDialect {
  let unhandled = false;
  let kept = 0;
  return {
  format: 'dotnet',
  program: null,
  strip: (line) => line.trim(),
  header(text) {
    const m = FATAL.exec(text);
    if (m) return header(m);
    const u = UNHANDLED.exec(text);
    if (!u) return null;
    unhandled = true;
    const description = `Unhandled exception. ${u[1]}${u[2] ? `: ${u[2]}` : ''}`;
    return { signal: 'SIGABRT', description, faultAddress: null };
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    const aot = AOT_BASE.exec(m[1]!);
    if (aot) return dumpFrame(null, '??', aot[1]!, text);
    // Native AOT's offset into the method.
    let method = m[1]!.replace(/ \+ 0x[0-9a-fA-F]+$/, '');
    let location: RegExpExecArray | null = null;
    const inAt = method.lastIndexOf(' in ');
    if (inAt > 0 && (location = LOCATION.exec(method.slice(inAt + 4)))) method = method.slice(0, inAt);
    // The method with its namespace and class, without the parameter types.
    const paren = method.indexOf('(');
    const name = paren > 0 ? method.slice(0, paren) : method;
    if (unhandled && kept === 0 && FRAMEWORK.test(name)) return null;
    kept++;
    return dumpFrame(null, name, null, text, location?.[1] ?? null, location ? Number(location[2]) : null);
  },
  other: (text) => OTHER.test(text),
  };
}

export const dotnetParser: TraceParser = {
  format: 'dotnet',
  label: ".NET's fatal errors with the managed stack ('Fatal error. System.AccessViolationException', 'Stack overflow.', '   at N.C.M()')",
  markers: ['Fatal error. ', 'Stack overflow.', 'nhandled exception', 'nhandled Exception'],
  startsTrace: (line) =>
    ((line.includes('Fatal error. ') || line.includes('Stack overflow.')) && FATAL.test(line.trim())) ||
    ((line.includes('nhandled exception') || line.includes('nhandled Exception')) && UNHANDLED.test(line.trim())),
  begin: () => new HandlerDumpBlock(dialect()),
};
