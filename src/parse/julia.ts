// Julia's report of a fatal signal (a crash in native code called through ccall, a package's C or
// C++ library, or the runtime itself), on stderr:
//   [91237] signal (11.1): Segmentation fault              (older: "signal (11): Segmentation fault")
//   in expression starting at /home/u/run.jl:14
//   mesh_refine at /home/u/.julia/artifacts/abc/lib/libmeshkit.so (unknown line)
//   refine! at /home/u/.julia/packages/MeshKit/x1/src/wrap.jl:40 [inlined]
//   unknown function (ip: 0x7f1a2c0b31f2)
//   ijl_apply_generic at /cache/build/src/gf.c:3076
//   Allocations: 1532145 (Pool: 1531012; Big: 1133); GC: 2
// A frame is "name at file:line", "name at module (unknown line)" (a library without line info), with
// "[inlined]" after a call the compiler inlined into the next frame.

import { dumpFrame, HandlerDumpBlock, signalFromNumber, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const SIGNAL = /^(?:\[\d+\] )?signal \((\d{1,2})(?:\.-?\d+)?\): ([A-Z][\w ]*?)\s*$/;
const FRAME = /^(\S.*?) at (\S.*?)(?::(\d+)| \(unknown line\))( \[inlined\])?\s*$/;
const UNKNOWN = /^unknown function \(ip: (0x[0-9a-fA-F]+)\)\s*$/;
const OTHER = /^(?:in expression starting at |while loading .*, in expression starting on line |signal \(\d+\): )/;

const dialect: HandlerDumpDialect = {
  format: 'julia',
  program: 'julia',
  strip: (line) => line.trim(),
  header(text) {
    const m = SIGNAL.exec(text);
    return m ? { ...signalFromNumber(Number(m[1])), faultAddress: null } : null;
  },
  frame(text) {
    const u = UNKNOWN.exec(text);
    if (u) return dumpFrame(u[1]!.toLowerCase(), '??', null, text);
    const m = OTHER.test(text) ? null : FRAME.exec(text);
    if (!m) return null;
    const frame = m[3] ? dumpFrame(null, m[1]!, null, text, m[2]!, Number(m[3])) : dumpFrame(null, m[1]!, m[2]!, text);
    return m[4] ? { ...frame, inlined: true } : frame;
  },
  other: (text) => OTHER.test(text),
  end: /^Allocations: \d+ \(Pool: /,
};

export const juliaParser: TraceParser = {
  format: 'julia',
  label: "Julia's fatal signal reports ('signal (11): Segmentation fault', 'f at file.jl:40')",
  markers: ['signal ('],
  startsTrace: (line) => line.includes('signal (') && SIGNAL.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect),
};
