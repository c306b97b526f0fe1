// The Intel Fortran runtime's fatal error with its traceback (ifort/ifx, -traceback), on stderr:
//   forrtl: severe (174): SIGSEGV, segmentation fault occurred
//   Image              PC                Routine            Line        Source
//   wavesim            00000000011A44D4  Unknown               Unknown  Unknown
//   libpthread-2.17.s  00002AE1B7C2F5D0  Unknown               Unknown  Unknown
//   wavesim            0000000000779E2B  spectra_mp_integr         536  spectra.F90
//   libc-2.17.so       00002AE1B8165C05  __libc_start_main     Unknown  Unknown
// Columns are cut to 18 characters (image, routine: "spectra_mp_integr" is spectra::integrate...).
// The first rows are the runtime's handler (for__signal_handl, or Unknown in the program) and the
// signal trampoline in libpthread or libc.

import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const HEADER = /^forrtl: (severe|error|warning|info) \((\d+)\): (.*?)\s*$/;
const COLUMNS = /^Image\s+PC\s+Routine\s+Line\s+Source\s*$/;
const FRAME = /^(\S+)\s+([0-9A-Fa-f]{8,16})\s+(\S+)\s+(\d+|Unknown)\s+(\S+)\s*$/;
/** The runtime's error numbers that are signals. */
const SIGNALS: Record<string, string> = { '174': 'SIGSEGV', '73': 'SIGFPE', '65': 'SIGFPE', '75': 'SIGFPE', '168': 'SIGILL', '8': 'SIGBUS' };

const dialect: HandlerDumpDialect = {
  format: 'forrtl',
  program: null,
  strip: (line) => line.trim(),
  header(text) {
    const m = HEADER.exec(text);
    if (!m) return null;
    const signal = SIGNALS[m[2]!] ?? (/^SIG[A-Z]+\b/.exec(m[3]!)?.[0] ?? null);
    return { signal, description: m[3]!, faultAddress: null };
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    const known = m[4] !== 'Unknown' && m[5] !== 'Unknown';
    // The routine column is cut at 17 characters: the runtime's own handler is named in full, so that
    // it reads as the crash handler it is.
    const routine = m[3] === 'Unknown' ? '??' : m[3] === 'for__signal_handl' ? 'for__signal_handler' : m[3]!;
    return dumpFrame(`0x${m[2]!.toLowerCase().replace(/^0+(?=.)/, '')}`, routine, m[1]!, text, known ? m[5]! : null, known ? Number(m[4]) : null);
  },
  other: (text) => COLUMNS.test(text),
};

export const forrtlParser: TraceParser = {
  format: 'forrtl',
  label: "Intel Fortran's runtime errors with a traceback ('forrtl: severe (174): SIGSEGV, ...', 'Image PC Routine Line Source')",
  markers: ['forrtl: '],
  startsTrace: (line) => line.includes('forrtl: ') && HEADER.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect),
};
