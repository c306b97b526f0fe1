// MATLAB's crash report (a MEX file, or MATLAB itself), in the Command Window and matlab_crash_dump.*:
//   ------------------------------------------------------------------------
//          Segmentation violation detected at Tue Mar  5 14:02:11 2024
//   ------------------------------------------------------------------------
//   Configuration: ...
//   Abnormal termination:
//   Segmentation violation
//   Register State (from fault): ...
//   Stack Trace (from fault):
//   [  0] 0x00007f0a3c2161a5 /home/lab/mex/gridinterp.mexa64+00008613 _ZN4grid6Interp6sampleEPKdm+00000053
//   [  2] 0x00007f0b9d436d4f     /usr/local/MATLAB/R2021b/bin/glnxa64/libmex.so+00855375
//   This error was detected while a MEX-file was running. ...
// A frame: the pc, the module and the decimal offset in it, then the symbol (mangled) and its
// decimal offset when there is one. The frames are the faulting thread's, from the fault down.

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const DETECTED = /^(Segmentation violation|Bus error|Illegal instruction|Floating point exception|Abort signal|Assertion failed|Access violation|Stack overflow)\b.*? detected at /;
const FRAME = /^\[\s*(\d{1,4})\] (0x[0-9a-fA-F]+)\s+(\S.*?)\+(\d+)(?: (\S+?)\+\d+)?\s*$/;
const OTHER = /^(?:-{20,}|Configuration:|Fault Count:|Abnormal termination:|Register State|Stack Trace \(from fault\):|Stack Trace \(captured\):|[A-Za-z][A-Za-z ]{2,40}:|[A-Z]{2,3}\s*=\s*[0-9a-f]{8,16}\b|Segmentation violation|Bus error|This error was detected|is not an official|for errors\.|on debugging|If this problem is reproducible)/;
const SIGNALS: Record<string, string> = {
  'Segmentation violation': 'SIGSEGV', 'Access violation': 'SIGSEGV', 'Bus error': 'SIGBUS', 'Illegal instruction': 'SIGILL',
  'Floating point exception': 'SIGFPE', 'Abort signal': 'SIGABRT', 'Assertion failed': 'SIGABRT', 'Stack overflow': 'SIGSEGV',
};

const dialect: HandlerDumpDialect = {
  format: 'matlab',
  program: 'MATLAB',
  strip: (line) => line.trim(),
  header(text): DumpHeader | null {
    const m = DETECTED.exec(text);
    return m ? { signal: SIGNALS[m[1]!] ?? null, description: m[1]!, faultAddress: null } : null;
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    const frame = dumpFrame(m[2]!.toLowerCase(), m[5] ?? '??', m[3]!, text);
    return { ...frame, moduleOffset: `0x${Number(m[4]).toString(16)}` };
  },
  other: (text) => OTHER.test(text),
};

export const matlabParser: TraceParser = {
  format: 'matlab',
  label: "MATLAB's crash reports ('Segmentation violation detected at ...', 'Stack Trace (from fault):')",
  markers: [' detected at '],
  startsTrace: (line) => line.includes(' detected at ') && DETECTED.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect),
};
