// A D program's uncaught Error or Exception as druntime prints it (dmd, ldc, gdc), on stderr:
//   core.exception.AssertError@source/lexkit/tokenizer.d(214): Assertion failure
//   core.exception.ArrayIndexError@src/model.d(77): index [0] is out of bounds for array of length 0
//   etc.linux.memoryerror.NullPointerError@src/etc/linux/memoryerror.d(322)      (a segfault, when registered)
//   object.Error@(0): Access Violation                                            (Windows)
//   ----------------
//   ??:? _d_assertp [0x5573a1c0c2e5]
//   source/lexkit/tokenizer.d:214 lexkit.token.Token lexkit.tokenizer.Tokenizer.popNumber() [0x5573a1b8e0c7]
//   src/model.d:77 [0x55e4b2e81c2d]                                               (an inlined call's line)
//   0x0040204A in void app.main() at C:\src\app.d(12)                            (Windows' shape)
// A frame's name comes with its return type, attributes and parameters: the qualified name is kept.
// The runtime's own throwing frames above the failing code are not kept.

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const HEADER = /^((?:[a-z_]\w*\.)+(\w*(?:Error|Exception)))@(\S*?)\((\d+)\)(?::\s*(.*))?$/;
const SEPARATOR = /^-{16}$/;
const FRAME = /^(\?\?|\S+?):(\?|\d+) (?:(.*?) )?\[(0x[0-9a-fA-F]+)\]$/;
const WIN_FRAME = /^(0x[0-9A-Fa-f]+) in (.+?)(?: at (.+)\((\d+)\))?$/;
const MACHINERY = /^(?:_d_\w+|onAssertError\w*|onArrayIndexError|onRangeError|onArraySliceError|onOutOfMemoryError\w*|onInvalidMemoryOperationError|onFinalizeError|core\.exception\.|etc\.linux\.memoryerror\.|object\.Throwable\.|rt\.deh\w*\.|_D2rt\w+)/;
/** Errors a fault raised (druntime's segfault handler, Windows' access violation): SIGSEGV. */
const FAULT = /(?:NullPointerError|InvalidPointerError|^object\.Error$)/;

/** "nothrow @nogc lexkit.token.Token lexkit.tokenizer.Tokenizer.popNumber(int)" -> "lexkit.tokenizer.Tokenizer.popNumber". */
export function dName(text: string): string {
  let s = text.trim().replace(/(?:\s+(?:const|immutable|shared|inout|scope|return|ref|pure|nothrow|@\w+))+$/, '');
  // The parameter list at the end (balanced: template arguments "!(bool)" hold parentheses too).
  if (s.endsWith(')')) {
    let depth = 0;
    let i = s.length - 1;
    for (; i >= 0; i--) {
      if (s[i] === ')') depth++;
      else if (s[i] === '(' && --depth === 0) break;
    }
    if (i > 0 && s[i - 1] !== '!') s = s.slice(0, i);
  }
  // The return type and attributes before it: the last blank-separated word outside parentheses.
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s[i];
    if (c === ')') depth++;
    else if (c === '(') depth--;
    else if (c === ' ' && depth === 0) return s.slice(i + 1);
  }
  return s;
}

function header(m: RegExpExecArray): DumpHeader {
  const type = m[1]!;
  const fault = FAULT.test(type) || /Access Violation/i.test(m[5] ?? '');
  // The header line as printed: the error, where it was raised, its message.
  const description = m[0];
  return { signal: fault ? 'SIGSEGV' : 'SIGABRT', description, faultAddress: null };
}

function dialect(): HandlerDumpDialect {
  let kept = 0;
  return {
    format: 'd-runtime',
    program: null,
    strip: (line) => line.trim(),
    header(text) {
      const m = HEADER.exec(text);
      return m ? header(m) : null;
    },
    frame(text) {
      let m = FRAME.exec(text);
      let address: string;
      let name: string;
      let file: string | null = null;
      let line: number | null = null;
      if (m) {
        // A location without a name is an inlined call's line, printed again with its function next.
        if (!m[3]) return null;
        address = m[4]!.toLowerCase();
        name = dName(m[3]);
        if (m[1] !== '??') [file, line] = [m[1]!, m[2] === '?' ? null : Number(m[2])];
      } else if ((m = WIN_FRAME.exec(text))) {
        address = m[1]!.toLowerCase();
        name = dName(m[2]!);
        if (m[3]) [file, line] = [m[3], Number(m[4])];
      } else return null;
      if (kept === 0 && MACHINERY.test(name)) return null;
      kept++;
      return dumpFrame(address, name, null, text, file, line);
    },
    other: (text) => SEPARATOR.test(text) || FRAME.test(text) || WIN_FRAME.test(text),
  };
}

export const dRuntimeParser: TraceParser = {
  format: 'd-runtime',
  label: "D's uncaught Errors as druntime prints them ('core.exception.AssertError@src/a.d(12): ...', '----------------', 'src/a.d:12 void f() [0x...]')",
  markers: ['Error@', 'Exception@'],
  startsTrace: (line) => (line.includes('Error@') || line.includes('Exception@')) && HEADER.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect()),
};
