// PyTorch's c10::Error backtrace (c10/util/Backtrace.cpp), printed with the error's message when a
// TORCH_CHECK or a CUDA check fails (on its own, or under "terminate called after throwing an
// instance of 'c10::Error'"):
//   Exception raised from c10_cuda_check_implementation at ../c10/cuda/CUDAException.cpp:44 (most recent call first):
//   frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x57 (0x7f8c4a2e1617 in /venv/.../torch/lib/libc10.so)
//   frame #5: <unknown function> + 0x4a1b2 (0x7f8b91c2a1b2 in /venv/.../_C.so)
//   frame #6: /venv/bin/python() [0x4fc697]
// "name + offset (address in module)", unlike lldb's "frame #0: 0x... module`name".

import { parseLine } from './backtrace-symbols.js';
import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const RAISED = /^Exception raised from (\S+) at (\S+?):(\d+) \(most recent call first\):\s*$/;
const FRAME = /^frame #(\d{1,4}): (?:(.*?) \+ 0x[0-9a-fA-F]+ \((0x[0-9a-fA-F]+) in (.*?)\)|(.*))\s*$/;

const dialect: HandlerDumpDialect = {
  format: 'pytorch',
  program: null,
  strip: (line) => line.trimStart(),
  header: (text) => (RAISED.test(text) ? { signal: null, description: null, faultAddress: null } : null),
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    if (m[2] !== undefined) return dumpFrame(m[3]!, m[2] === '<unknown function>' ? '??' : m[2]!, m[4]!, text);
    const bts = parseLine(m[5]!);
    return bts ? dumpFrame(bts[3]!, bts[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??', bts[1]!, text) : null;
  },
  other: () => false,
};

export const pytorchParser: TraceParser = {
  format: 'pytorch',
  label: "PyTorch's c10::Error backtraces ('Exception raised from f at file:line (most recent call first):', 'frame #0: f + 0x57 (0x... in lib.so)')",
  markers: ['Exception raised from '],
  startsTrace: (line) => line.includes('Exception raised from ') && RAISED.test(line.trimStart()),
  begin: () => new HandlerDumpBlock(dialect),
};
