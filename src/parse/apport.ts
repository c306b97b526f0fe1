// apport's crash report as Ubuntu's bug reports on Launchpad show it (and `apport-cli`, the .crash
// file's fields): sorted "Key: value" fields, among them SegvAnalysis (the faulting access and the
// address it read), Signal, and StacktraceTop, the crashing thread's top five frames without their
// numbers or addresses.
//
//   SegvAnalysis:
//    Segfault happened at: 0x7f3a91c2e8d4 <pw_layer_get_bounds+20>:	mov    0x18(%rdi),%rax
//    source "0x18(%rdi)" (0x00000018) not located in a known VMA region (needed readable region)!
//   SegvReason: reading NULL VMA
//   Signal: 11
//   StacktraceTop:
//    pw_layer_get_bounds () from /usr/lib/x86_64-linux-gnu/libpixelwell.so.2
//    ?? () from /usr/lib/x86_64-linux-gnu/libpixelwell.so.2
//    g_closure_invoke (closure=0x55d0c1e2a3f0, ...) at ../../../gobject/gclosure.c:834

import { dumpFrame, HandlerDumpBlock, signalFromNumber, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import { parseFrameTail, splitGdbFrame } from './gdb-frame.js';
import type { TraceParser } from './types.js';

const SEGV_ANALYSIS = /^SegvAnalysis:\s*$/;
const SIGNAL = /^Signal: (\d{1,2})\s*$/;
/** The address SegvAnalysis found outside every mapping: "source "0x18(%rdi)" (0x00000018) not located". */
const SOURCE_ADDRESS = /^(?:source|destination) "[^"]*" \((0x[0-9a-fA-F]+)\) not located in a known VMA region/;
const STACKTRACE_TOP = /^StacktraceTop:\s*$/;
/** A field, or a field's continuation line (one blank). */
const FIELD = /^(?:[A-Z][A-Za-z0-9]*:(?:\s|$)| \S)/;

function dialect(): HandlerDumpDialect {
  const head: DumpHeader = { signal: null, description: null, faultAddress: null };
  let frames = false;
  return {
    format: 'apport',
    program: null,
    strip: (line) => line.trimEnd(),
    header(text) {
      let m: RegExpExecArray | null;
      if ((m = SIGNAL.exec(text))) Object.assign(head, signalFromNumber(Number(m[1])));
      else if ((m = SOURCE_ADDRESS.exec(text.trim()))) head.faultAddress = `0x${BigInt(m[1]!).toString(16)}`;
      else if (STACKTRACE_TOP.test(text)) frames = true;
      else if (!SEGV_ANALYSIS.test(text)) return null;
      return { ...head };
    },
    // gdb's frame without its number and address (indented by one blank, which a paste may lose):
    // read as gdb's, whose reader knows a function name from a log line's words.
    frame(text) {
      const parts = frames ? splitGdbFrame(`#0  ${text.trim()}`) : null;
      if (!parts || parts.open) return null;
      const tail = parseFrameTail(parts.tail);
      return dumpFrame(null, parts.rawFunction, tail.module, text.trim(), tail.file, tail.line);
    },
    other: (text) => FIELD.test(text),
  };
}

export const apportParser: TraceParser = {
  format: 'apport',
  label: "apport's crash reports ('SegvAnalysis:', 'Signal: 11', 'StacktraceTop:' and its frames)",
  markers: ['SegvAnalysis:', 'Signal: ', 'StacktraceTop:'],
  startsTrace: (line) => SEGV_ANALYSIS.test(line) || SIGNAL.test(line) || STACKTRACE_TOP.test(line),
  begin: () => new HandlerDumpBlock(dialect()),
};
