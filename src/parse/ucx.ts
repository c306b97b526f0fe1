// UCX's error handler (src/ucs/debug/debug.c), printed by MPI programs over InfiniBand/RoCE (Open
// MPI, MPICH, NCCL's UCX plugin), its first line behind "[host:pid:thread:tid] " (removed as a
// logger's prefix by the extractor):
//   [gpu017:88412:0:88412] Caught signal 11 (Segmentation fault: address not mapped to object at address 0x18)
//   ==== backtrace (tid:  88412) ====
//    0 0x0000000000042520 __sigaction()  ???:0
//    1 0x000000000001b7c4 halo::Exchanger::post_recv()  /home/u/halo/src/exchanger.cpp:141
//   =================================
// Older UCX prints backtrace_symbols lines instead (" 0  /usr/lib64/libucs.so.0(ucs_debug_print_backtrace+0x35) [0x7f...]").
// The signal trampoline is printed under the name of its neighbour in libc, __sigaction (glibc's
// restorer is a local symbol): it is read as the restorer it is.

import { parseLine } from './backtrace-symbols.js';
import { dumpFrame, HandlerDumpBlock, signalFromNumber, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

// After UCX's own "[host:pid:thread(:tid)] " or at the line's start (a logger's prefix removed), the
// line ending there: a logger's "[2024-05-01 10:00:00] [error] Caught signal 11 (...), backtrace:" is not UCX's.
const CAUGHT = /(?:^|\[[\w.-]+(?::\d+)+\] )Caught signal (\d{1,2}) \(([^:)]+)(?::[^)]*?)?(?: at address (0x[0-9a-fA-F]+|\(nil\)))?\)\s*$/;
const FRAME = /^\s*(\d{1,4})\s+(0x[0-9a-fA-F]+)\s+(.*?)\s+(\S+):(\d+|\?)\s*$/;
const OLD_FRAME = /^\s*\d{1,4}\s+(\S.*)$/;
const OTHER = /^==== backtrace \(tid:\s*\d+\) ====\s*$/;

const dialect: HandlerDumpDialect = {
  format: 'ucx',
  program: null,
  strip: (line) => line.trim(),
  header(text) {
    const m = CAUGHT.exec(text);
    if (!m) return null;
    return { ...signalFromNumber(Number(m[1])), faultAddress: m[3] === undefined ? null : m[3] === '(nil)' ? '0x0' : m[3].toLowerCase() };
  },
  frame(text) {
    let m = FRAME.exec(text);
    if (m) {
      let name = m[3]!.replace(/\(\)$/, '').trim();
      if (name === '__sigaction' || name === 'sigaction') name = '__restore_rt';
      const known = m[4] !== '???' && m[5] !== '0' && m[5] !== '?';
      return dumpFrame(m[2]!.toLowerCase(), name || '??', null, text, known ? m[4]! : null, known ? Number(m[5]) : null);
    }
    m = OLD_FRAME.exec(text);
    const bts = m ? parseLine(m[1]!) : null;
    if (!bts) return null;
    return dumpFrame(bts[3]!, bts[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??', bts[1]!, text);
  },
  other: (text) => OTHER.test(text),
  end: /^={20,}\s*$/,
};

export const ucxParser: TraceParser = {
  format: 'ucx',
  label: "UCX's signal reports ('Caught signal 11 (Segmentation fault: ...)', '==== backtrace (tid: N) ====')",
  markers: ['Caught signal '],
  startsTrace: (line) => line.includes('Caught signal ') && CAUGHT.test(line),
  begin: () => new HandlerDumpBlock(dialect),
};
