// Mono's native crash report (Unity players and editors on Linux and macOS, Xamarin, .NET apps on
// Mono): what a crash in native code under the Mono runtime prints, a plug-in's or the engine's.
//   =================================================================
//   	Native Crash Reporting
//   =================================================================
//   Got a SIGSEGV while executing native code. This usually indicates
//   a fatal error in the mono runtime or one of the native libraries
//   used by your application.
//   =================================================================
//   	Native stacktrace:
//   =================================================================
//   	0x7fb9e3ca5c19 - /usr/lib/libmonosgen-2.0.so.1 : mono_dump_native_crash_info
//   	0x7fb9c81a2b3c - /home/u/game/libterrain.so : terrain_mesh_build
//   	0x40a1b2c3 - Unknown
//   =================================================================
//   	Telemetry Dumper:                                       (or "Managed Stacktrace:": the end)
// The report starts at its "Native Crash Reporting" banner. Mono before 6 printed no banner, and
// "Native stacktrace:" with backtrace_symbols lines before "Got a SIGSEGV ...": that dump is read as
// backtrace_symbols, and the line after it as a notice of the signal (parse/notice.ts).

import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const GOT = /^Got a (SIG[A-Z]+) while executing native code\b/;
const FRAME = /^(0x[0-9a-fA-F]+) - (\S.*?)(?: : ?(.*?))?\s*$/;
const OTHER = /^(?:={20,}|Native Crash Reporting|Native stacktrace:|a fatal error in the mono runtime|used by your application\.|\(No frames\)|Basic Fault Add+ress Reporting|Memory around native instruction pointer|0x[0-9a-f]+ {2}(?:[0-9a-f]{2} ){4})/;

const dialect: HandlerDumpDialect = {
  format: 'mono',
  program: null,
  strip: (line) => line.trim(),
  header(text) {
    const m = GOT.exec(text);
    return m ? { signal: m[1]!, description: `${m[1]} while executing native code`, faultAddress: null } : null;
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    const module = m[2] === 'Unknown' ? null : m[2]!;
    return dumpFrame(m[1]!.toLowerCase(), m[3] ? m[3] : '??', module, text);
  },
  other: (text) => OTHER.test(text),
  end: /^(?:Telemetry Dumper:|Managed Stacktrace:)/,
};

export const monoParser: TraceParser = {
  format: 'mono',
  label: "Mono's native crash reports ('Native Crash Reporting', 'Got a SIGSEGV while executing native code', '0x... - lib.so : f')",
  markers: ['Native Crash Reporting'],
  startsTrace: (line) => line.includes('Native Crash Reporting') && line.trim() === 'Native Crash Reporting',
  begin: () => new HandlerDumpBlock(dialect),
};
