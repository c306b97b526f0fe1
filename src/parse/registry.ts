// Every input format, in the order their start lines are tried. Adding a format means adding a
// module in parse/ and one line here; nothing else changes.

import { gdbParser } from './gdb.js';
import { lldbParser } from './lldb.js';
import { sanitizerParser } from './sanitizer.js';
import { glogParser } from './glog.js';
import { elfutilsParser } from './elfutils.js';
import { libfuzzerParser } from './libfuzzer.js';
import { llvmParser } from './llvm.js';
import { cephParser } from './ceph.js';
import { redisParser } from './redis.js';
import { backtraceSymbolsParser } from './backtrace-symbols.js';
import { darwinBacktraceParser } from './darwin-backtrace.js';
import { rustParser } from './rust.js';
import { goParser } from './go.js';
import { butilParser } from './butil.js';
import { valgrindParser } from './valgrind.js';
import { appleCrashParser } from './apple-crash.js';
import { appleIpsParser } from './apple-ips.js';
import { faulthandlerParser } from './faulthandler.js';
import { minidumpParser } from './minidump.js';
import { androidTombstoneParser } from './android-tombstone.js';
import { backwardCppParser } from './backward-cpp.js';
import { boostStacktraceParser } from './boost-stacktrace.js';
import { goRaceParser } from './go-race.js';
import { nodeNativeParser } from './node-native.js';
import { libbacktraceParser } from './libbacktrace.js';
import { jvmHsErrParser } from './jvm-hs-err.js';
import { mozillaParser } from './mozilla.js';
import { gdbMiParser } from './gdb-mi.js';
import { xcodeParser } from './xcode.js';
import { visualStudioParser } from './visual-studio.js';
import { windbgParser } from './windbg.js';
import { windowsEventParser } from './windows-event.js';
import { envoyParser } from './envoy.js';
import { clickhouseParser } from './clickhouse.js';
import { godotParser } from './godot.js';
import { unrealParser } from './unreal.js';
import { pytorchParser } from './pytorch.js';
import { espIdfParser } from './esp-idf.js';
import { linuxOopsParser } from './linux-oops.js';
import { monoParser } from './mono.js';
import { juliaParser } from './julia.js';
import { openmpiParser } from './openmpi.js';
import { ucxParser } from './ucx.js';
import { gfortranParser } from './gfortran.js';
import { forrtlParser } from './forrtl.js';
import { wineParser } from './wine.js';
import { matlabParser } from './matlab.js';
import { wasmParser } from './wasm.js';
import { computeSanitizerParser } from './compute-sanitizer.js';
import { mongodbParser } from './mongodb.js';
import { freebsdKernelParser } from './freebsd-kernel.js';
import { blenderParser } from './blender.js';
import { obsParser } from './obs.js';
import { dotnetParser } from './dotnet.js';
import { swiftBacktraceParser } from './swift-backtrace.js';
import { zigParser } from './zig.js';
import { xorgParser } from './xorg.js';
import { abrtParser } from './abrt.js';
import { apportParser } from './apport.js';
import { macosSampleParser } from './macos-sample.js';
import type { TraceParser } from './types.js';

export const PARSERS: readonly TraceParser[] = [sanitizerParser, libfuzzerParser, llvmParser, cephParser, redisParser, valgrindParser, glogParser, elfutilsParser, backtraceSymbolsParser, rustParser, goParser, butilParser, appleCrashParser, appleIpsParser, minidumpParser, visualStudioParser, windbgParser, windowsEventParser, androidTombstoneParser, backwardCppParser, boostStacktraceParser, goRaceParser, faulthandlerParser, nodeNativeParser, libbacktraceParser, jvmHsErrParser, mozillaParser, envoyParser, clickhouseParser, godotParser, unrealParser, pytorchParser, espIdfParser, linuxOopsParser, monoParser, juliaParser, openmpiParser, ucxParser, gfortranParser, forrtlParser, obsParser, wineParser, matlabParser, wasmParser, computeSanitizerParser, mongodbParser, freebsdKernelParser, blenderParser, dotnetParser, swiftBacktraceParser, zigParser, xorgParser, abrtParser, apportParser, macosSampleParser, gdbMiParser, xcodeParser, darwinBacktraceParser, gdbParser, lldbParser];

/** The formats looked for, for messages that say nothing was found. */
export const LOOKED_FOR = PARSERS.map((p) => p.label ?? `${p.format} reports`).join('; ');
