// Open MPI's fatal-signal handler (opal/util/stacktrace.c), each line behind "[host:pid] ", which the
// extractor removes as a logger's prefix (log-prefix.ts) before this parser reads the line:
//   [n07:218841] *** Process received signal ***
//   [n07:218841] Signal: Segmentation fault (11)
//   [n07:218841] Signal code: Address not mapped (1)
//   [n07:218841] Failing at address: (nil)
//   [n07:218841] [ 0] /lib/x86_64-linux-gnu/libc.so.6(+0x42520)[0x7f3b0c842520]
//   [n07:218841] [ 1] ./solver(_ZN3cfd4Mesh9face_areaEi+0x2c)[0x55d0e3a4f81c]
//   [n07:218841] *** End of error message ***
// Frames are backtrace_symbols_fd lines; frame [ 0] is the signal trampoline. Ranks crash together
// and their lines interleave: another rank's header lines inside a stack are taken and ignored
// (the prefix that told them apart is gone), its own dump starts after "*** End of error message ***".

import { parseLine } from './backtrace-symbols.js';
import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import { signalName, signalNameOf } from './signals.js';
import type { TraceParser } from './types.js';

const START = /^\*\*\* Process received signal \*\*\*\s*$/;
const SIGNAL = /^Signal: (.*?) \((\d{1,2})\)\s*$/;
const FAILING = /^Failing at address: (\(nil\)|0x[0-9a-fA-F]+)\s*$/;
const FRAME = /^\[\s*(\d{1,4})\] (.*?)\s*$/;
const OTHER = /^(?:Signal code: |Associated errno: |\*\*\* Process received signal \*\*\*|Signal: |Failing at address: )/;

function dialect(): HandlerDumpDialect {
  const head: DumpHeader = { signal: null, description: null, faultAddress: null };
  let frames = 0;
  return {
    format: 'openmpi',
    program: null,
    strip: (line) => line.trim(),
    header(text) {
      // Header lines after the frames are another rank's, interleaved: taken by `other`.
      if (frames > 0) return null;
      let m: RegExpExecArray | null;
      if (START.test(text)) return head;
      if ((m = SIGNAL.exec(text))) {
        head.signal = signalName(m[2]!);
        head.description = m[1]! || signalNameOf(Number(m[2])).description;
        return head;
      }
      if ((m = FAILING.exec(text))) {
        head.faultAddress = m[1] === '(nil)' ? '0x0' : m[1]!.toLowerCase();
        return head;
      }
      return null;
    },
    frame(text) {
      const m = FRAME.exec(text);
      const bts = m ? parseLine(m[2]!) : null;
      if (!bts) return null;
      frames++;
      return dumpFrame(bts[3]!, bts[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??', bts[1]!, text);
    },
    other: (text) => OTHER.test(text),
    interleaved: true,
    end: /^\*\*\* End of error message \*\*\*\s*$/,
  };
}

export const openmpiParser: TraceParser = {
  format: 'openmpi',
  label: "Open MPI's signal reports ('*** Process received signal ***', '[ 1] prog(f+0x2c)[0x...]')",
  markers: ['*** Process received signal ***'],
  startsTrace: (line) => line.includes('*** Process received signal ***') && START.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect()),
};
