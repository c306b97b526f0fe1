// ABRT's "Truncated backtrace:" (Fedora, RHEL, CentOS Stream): what its bug reports in Bugzilla and
// `abrt-cli info` show of a crash, the crashing thread's top frames as satyr wrote them from gdb's
// backtrace, without addresses or arguments. The report's "reason:" line above gives the signal.
//
//   reason:         tabulon killed by SIGSEGV
//   Truncated backtrace:
//   Thread no. 1 (9 frames)
//    #0 tab_strip_detach_page at ../src/tab-strip.c:412
//    #2 g_closure_invoke at ../gobject/gclosure.c:834
//    #5 ?? from /usr/lib64/libtabulon.so.3

import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const HEADER = /^Truncated backtrace:\s*$/;
/** satyr's thread line: the crashing thread comes first; a second thread's line ends the trace. */
const THREAD = /^Thread no\. 1 \(\d+ frames?\)\s*$/;
const FRAME = /^#(\d{1,4}) (\S.*?)(?: at (\S+?):(\d+)| from (\S+))?\s*$/;

const dialect: HandlerDumpDialect = {
  format: 'abrt',
  program: null,
  strip: (line) => line.trim(),
  header: (text) => (HEADER.test(text) ? { signal: null, description: null, faultAddress: null } : null),
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    return dumpFrame(null, m[2]!, m[5] ?? null, text, m[3] ?? null, m[4] ? Number(m[4]) : null);
  },
  other: (text) => THREAD.test(text),
};

export const abrtParser: TraceParser = {
  format: 'abrt',
  label: "ABRT's truncated backtraces ('Truncated backtrace:', 'Thread no. 1 (9 frames)', ' #0 f at file.c:12')",
  markers: ['Truncated backtrace:', 'Thread no. 1 ('],
  startsTrace: (line) => HEADER.test(line.trim()) || THREAD.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect),
};
