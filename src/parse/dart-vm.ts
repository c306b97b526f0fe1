// The Dart VM's own crash dump (runtime/vm/os_thread / profiler's DumpStackTrace), on stderr of
// `dart`, `flutter test`, the analyzer and the SDK's test runner:
//   ===== CRASH =====
//   si_signo=Segmentation fault(11), si_code=1, si_addr=0x18       (POSIX; macOS: "Segmentation fault: 11(11)")
//   ExceptionCode=-1073741819, ExceptionFlags=0, ExceptionAddress=00007FF7C3A81F2C   (Windows, instead)
//   version=3.5.0 (stable) (...) on "linux_x64"
//   pid=48211, thread=48230, isolate_group=main(0x...), isolate=main(0x...)
//   os=linux, arch=x64, comp=no, sim=no
//   isolate_instructions=..., vm_instructions=...
//   fp=7f3c9a1fd0f0, sp=7f3c9a1fd0b8, pc=5601c26e41a5
//     pc 0x00005601c26e41a5 fp 0x00007f3c9a1fd0f0 dart::kernel::LabelScope::Lookup(dart::String const&) const+0x25
//     pc 0x00007f3c9d20613b fp 0x00007f3c9a1fddd8 Unknown symbol       (JIT code, or a stripped build)
//     [0x00007ff673cf0038] Dart_IsPrecompiledRuntime                   (older Windows builds)
//   -- End of DumpStackTrace
// The VM's own lines after it ("=== Crash occurred when compiling ...") are the dump's.

import { dumpFrame, HandlerDumpBlock, signalFromNumber, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import { windowsException } from './windows-exception.js';
import type { TraceParser } from './types.js';

const BANNER = '===== CRASH =====';
const SIGINFO = /^si_signo=(.*?)\((\d{1,2})\), si_code=[^,]*, si_addr=(0x[0-9a-fA-F]+|\(nil\))/;
const EXCEPTION = /^ExceptionCode=(-?\d+|0x[0-9a-fA-F]+), ExceptionFlags=\S+, ExceptionAddress=([0-9a-fA-F]+)/;
const FRAME = /^pc (0x[0-9a-fA-F]+) fp 0x[0-9a-fA-F]+ (.+)$/;
const OLD_FRAME = /^\[(0x[0-9a-fA-F]+)\] (.+)$/;
const OTHER = /^(?:version=|pid=|thread=|os=|isolate_instructions=|fp=[0-9a-f]+, sp=|=== |\[(?:exit|dart|stub)\s*\] )/;

function header(text: string): DumpHeader | null {
  if (text === BANNER) return { signal: null, description: null, faultAddress: null };
  let m = SIGINFO.exec(text);
  if (m) {
    const s = signalFromNumber(Number(m[2]));
    return { ...s, faultAddress: m[3] === '(nil)' ? '0x0' : m[3]!.toLowerCase() };
  }
  m = EXCEPTION.exec(text);
  if (m) {
    const n = Number(m[1]);
    const code = m[1]!.startsWith('0x') ? m[1]! : (n < 0 ? n + 0x100000000 : n).toString(16);
    const ex = windowsException(code);
    return { signal: ex?.signal ?? null, description: ex?.name ?? `exception 0x${code}`, faultAddress: null, ...(ex?.crashKind ? { crashKind: ex.crashKind } : {}) };
  }
  return null;
}

function frame(text: string) {
  const m = FRAME.exec(text) ?? OLD_FRAME.exec(text);
  if (!m) return null;
  const name = m[2]!.trim();
  if (name === 'Unknown symbol') return dumpFrame(m[1]!.toLowerCase(), '??', null, text);
  // "f(args) const+0x25": the offset into the function goes.
  return dumpFrame(m[1]!.toLowerCase(), name.replace(/\+0x[0-9a-fA-F]+$/, ''), null, text);
}

function dialect(): HandlerDumpDialect {
  let seenSignal = false;
  return {
    format: 'dart-vm',
    program: 'dart',
    strip: (line) => line.trim(),
    header(text) {
      const h = header(text);
      // The banner opens the dump; the signal line after it completes the header, it does not start another.
      if (h && h.signal) seenSignal = true;
      else if (h && seenSignal) return null;
      return h;
    },
    frame,
    other: (text) => OTHER.test(text),
    end: /^-- End of DumpStackTrace$/,
  };
}

export const dartVmParser: TraceParser = {
  format: 'dart-vm',
  label: "the Dart VM's crash dump ('===== CRASH =====', 'si_signo=Segmentation fault(11)', '  pc 0x... fp 0x... f+0x25')",
  markers: [BANNER],
  startsTrace: (line) => line.includes(BANNER) && line.trim() === BANNER,
  begin: () => new HandlerDumpBlock(dialect()),
};
