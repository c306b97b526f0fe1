// The core-file flags analyze and scan share (--debugger, --debugger-timeout, --sysroot, and for
// analyze --exe), parsed once into the options analyzeCore takes.

import type { Command } from 'commander';
import type { CoreOptions } from '../core/read-core.js';
import type { SymbolizeOptions } from '../symbolize/index.js';

export interface CoreFlags {
  debugger: string;
  debuggerTimeout: string;
  sysroot?: string;
  exe?: string;
  debugDir?: string[];
}

const DEBUGGERS = ['auto', 'gdb', 'lldb', 'none'] as const;

export function addCoreOptions(cmd: Command, perCore = false): Command {
  return cmd
    .option('--sysroot <dir>', "the crashed machine's libraries (core files: gdb set sysroot; text traces: where their modules are symbolized from)")
    .option('--debug-dir <dir>', 'text traces: a folder of separate debug files (DIR/.build-id/xx/rest.debug, .gnu_debuglink names) for symbolizing (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--debugger <name>', 'core files: gdb, lldb, none (native reading only) or auto', 'auto')
    .option('--debugger-timeout <seconds>', `core files: stop the debugger after this long${perCore ? ' (per core)' : ''}`, '60');
}

/**
 * How text traces are symbolized: with --exe, --sysroot or --debug-dir given, their unnamed frames
 * (release builds' `prog(+0x1149)`, `[0x55...]`, `(module+0x11dc)`) are resolved with the installed
 * symbolizer; undefined otherwise.
 */
export function symbolizeOptions(flags: CoreFlags): SymbolizeOptions | undefined {
  if (!flags.exe && !flags.sysroot && !flags.debugDir?.length) return undefined;
  return {
    ...(flags.exe ? { exe: flags.exe } : {}),
    ...(flags.sysroot ? { sysroot: flags.sysroot } : {}),
    ...(flags.debugDir?.length ? { debugDirs: flags.debugDir } : {}),
  };
}

/** The options for analyzeCore, or the one-line reason the flags are wrong. */
export function coreOptions(flags: CoreFlags): Omit<CoreOptions, 'rules'> | string {
  if (!(DEBUGGERS as readonly string[]).includes(flags.debugger)) return `unknown --debugger "${flags.debugger}" (expected gdb, lldb, none or auto)`;
  const timeout = Number(flags.debuggerTimeout);
  // setTimeout waits at most 2^31-1 ms: a longer (or infinite) limit would stop the debugger at once.
  if (!(timeout > 0) || !Number.isFinite(timeout) || timeout * 1000 > 2 ** 31 - 1) return `--debugger-timeout must be a number of seconds up to ${Math.floor((2 ** 31 - 1) / 1000)}, got "${flags.debuggerTimeout}"`;
  return {
    debugger: flags.debugger as (typeof DEBUGGERS)[number],
    timeoutMs: timeout * 1000,
    ...(flags.exe ? { exe: flags.exe } : {}),
    ...(flags.sysroot ? { sysroot: flags.sysroot } : {}),
  };
}
