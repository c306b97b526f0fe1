// gfortran's runtime report of a fatal signal (libgfortran's backtrace, on by default since GCC 4.8,
// -fbacktrace before):
//   Program received signal SIGSEGV: Segmentation fault - invalid memory reference.
//
//   Backtrace for this error:
//   #0  0x7f2a1c823960 in ???
//   #3  0x55b8e04a3c1d in __tracer_advect_MOD_upwind_flux
//   	at /home/user/model/src/tracer_advect.f90:214
//   #4  0x42895A in __minimizer_MOD_update at minimizer.f90:?          (GCC 4.x: the location on the line)
// The top frames are libgfortran's handler and the signal trampoline, unnamed ("in ???"). Module
// procedures keep their assembler names (__module_MOD_proc).

import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const RECEIVED = /^Program received signal (SIG[A-Z]+): (.*?)\.?\s*$/;
const FRAME = /^#(\d{1,4})\s+(0x[0-9a-fA-F]+)(?: in (\S+))?(?: at (\S+?):(\d+|\?))?\s*$/;
const AT = /^at (\S+?):(\d+|\?)\s*$/;
const OTHER = /^(?:Backtrace for this error:|Could not print backtrace:)/;

function dialect(): HandlerDumpDialect {
  let last: { file: string | null; line: number | null } | null = null;
  return {
    format: 'gfortran',
    program: null,
    strip: (line) => line.trim(),
    header(text) {
      const m = RECEIVED.exec(text);
      return m ? { signal: m[1]!, description: m[2]!.replace(/ - .*$/, ''), faultAddress: null } : null;
    },
    frame(text) {
      const m = FRAME.exec(text);
      if (!m) return null;
      const name = !m[3] || m[3] === '???' ? '??' : m[3];
      const frame = dumpFrame(m[2]!.toLowerCase(), name, null, text, m[4] ?? null, m[5] && m[5] !== '?' ? Number(m[5]) : null);
      last = frame;
      return frame;
    },
    other(text) {
      // "at file:line" on its own line belongs to the frame above it.
      const at = AT.exec(text);
      if (at && last && last.file === null) {
        last.file = at[1]!;
        if (at[2] !== '?') last.line = Number(at[2]);
        return true;
      }
      return OTHER.test(text);
    },
  };
}

export const gfortranParser: TraceParser = {
  format: 'gfortran',
  label: "gfortran's signal reports ('Program received signal SIGSEGV: ...', 'Backtrace for this error:')",
  markers: ['Program received signal SIG'],
  startsTrace: (line) => line.includes('Program received signal SIG') && line.includes(': ') && RECEIVED.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect()),
};
