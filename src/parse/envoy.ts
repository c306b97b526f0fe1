// Envoy's fatal-signal handler (source/server/backtrace.h), logged through its own logger:
//   [2025-02-11 08:44:02.511][23][critical][backtrace] [./source/server/backtrace.h:129] Caught Segmentation fault, suspect faulting address 0x0
//   [...][backtrace] [./source/server/backtrace.h:113] Backtrace (use tools/stack_decode.py to get line numbers):
//   [...][backtrace] [./source/server/backtrace.h:114] Envoy version: 9c1e77d0/1.31.2/Clean/RELEASE/BoringSSL
//   [...][backtrace] [./source/server/backtrace.h:121] #0: __restore_rt [0x7f5a1c642520]
//   [...][backtrace] [./source/server/backtrace.h:121] #1: Envoy::Http::FilterManager::decodeHeaders() [0x55d1a0e11aa0]
//   [...][backtrace] [./source/server/backtrace.h:123] #5: [0x7f5a1c694ac3]
// Older releases write the file without its opening bracket ("bazel-out/.../backtrace.h:95] ") and
// frames as "thr<6> #0 0x4b47a5" or "thr<0> #1 0x7efd89fcf38f (unknown)", each module on an
// "obj</lib/...>" line of its own. The address after SIGABRT's "suspect faulting address" is the
// sender's pid (si_addr is no address then), so only SIGSEGV, SIGBUS, SIGILL and SIGFPE keep it.

import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import { signalFromWords } from './signals.js';
import type { TraceParser } from './types.js';

/** Everything up to the logger's "[backtrace] " and the source location after it. */
const PREFIX = /^.*?\[backtrace\]\s+(?:\[?[^\s\]]+:\d+\]\s+)?/;
const CAUGHT = /^Caught ([A-Z][A-Za-z ]+?), suspect faulting address (0x[0-9a-fA-F]+)/;
const FRAME = /^(?:thr<\d+>\s+)?#(\d{1,4}):?\s+(?:(0x[0-9a-fA-F]+)(?:\s+(.*?))?|(.*?)\s*\[(0x[0-9a-fA-F]+)\])\s*$/;
const OTHER = /^(?:Backtrace\b|Envoy version:|Address mapping:|end backtrace|(?:thr<\d+>\s+)?obj<)/;
const ADDRESS_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE']);

const dialect: HandlerDumpDialect = {
  format: 'envoy',
  program: 'envoy',
  strip: (line) => (line.includes('[backtrace]') ? line.replace(PREFIX, '') : null),
  header(text) {
    const m = CAUGHT.exec(text);
    if (!m) return null;
    const signal = signalFromWords(m[1]!, true);
    return { signal, description: m[1]!, faultAddress: signal && ADDRESS_SIGNALS.has(signal) ? m[2]!.toLowerCase() : null };
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    const address = (m[2] ?? m[5])!;
    const symbol = (m[3] ?? m[4] ?? '').replace(/^\(unknown\)$/, '').trim();
    return dumpFrame(address, symbol || '??', null, text);
  },
  other: (text) => OTHER.test(text),
};

export const envoyParser: TraceParser = {
  format: 'envoy',
  label: "Envoy's crash backtraces ('Caught Segmentation fault, suspect faulting address 0x0', '#1: f() [0x...]')",
  markers: ['suspect faulting address'],
  startsTrace: (line) => line.includes('suspect faulting address') && line.includes('[backtrace]') && CAUGHT.test(line.replace(PREFIX, '')),
  begin: () => new HandlerDumpBlock(dialect),
};
