// Windows exception codes (NTSTATUS values a process dies of) in the crash model's words, for the
// Visual Studio, WinDbg and Windows event-log parsers. The model speaks in signals: each code maps to
// the signal that means the same fault on Linux, so the rules written for gdb's reports (null
// dereference, stack overflow, abort, arithmetic) read these too. Where the signal alone would lose
// what Windows said (a stack overflow, a corrupted heap, a /GS cookie check), the crash kind keeps it.

export interface WindowsException {
  /** The code as 8 lower-case hex digits ("c0000005"). */
  code: string;
  /** The SDK's name ("EXCEPTION_ACCESS_VIOLATION"). */
  name: string;
  signal: string;
  /** A crash kind the code states beyond its signal, else null (the signal is the kind). */
  crashKind: string | null;
}

const E = (code: string, name: string, signal: string, crashKind: string | null = null): WindowsException => ({ code, name, signal, crashKind });

const CODES: readonly WindowsException[] = [
  E('c0000005', 'EXCEPTION_ACCESS_VIOLATION', 'SIGSEGV'),
  E('c0000006', 'EXCEPTION_IN_PAGE_ERROR', 'SIGBUS'),
  E('80000002', 'EXCEPTION_DATATYPE_MISALIGNMENT', 'SIGBUS'),
  // The guard page below the stack was hit: what Linux reports as SIGSEGV.
  E('c00000fd', 'EXCEPTION_STACK_OVERFLOW', 'SIGSEGV', 'stack-overflow'),
  // __fastfail: abort() and std::terminate() of the UCRT (subcode 7, FAST_FAIL_FATAL_APP_EXIT), /GS
  // cookie checks (subcode 2), invalid parameters... The subcode tells them apart (fastFailKind).
  E('c0000409', 'STATUS_STACK_BUFFER_OVERRUN', 'SIGABRT'),
  E('c0000602', 'STATUS_FAIL_FAST_EXCEPTION', 'SIGABRT'),
  // abort() of older CRTs (R6010), and the CRT's invalid-parameter handler.
  E('40000015', 'STATUS_FATAL_APP_EXIT', 'SIGABRT'),
  E('c0000417', 'STATUS_INVALID_CRUNTIME_PARAMETER', 'SIGABRT'),
  E('c0000420', 'STATUS_ASSERTION_FAILURE', 'SIGABRT'),
  // The heap manager found its own structures damaged and killed the process, as glibc's malloc
  // checks abort.
  E('c0000374', 'STATUS_HEAP_CORRUPTION', 'SIGABRT', 'heap-corruption'),
  E('c0000094', 'EXCEPTION_INT_DIVIDE_BY_ZERO', 'SIGFPE'),
  E('c0000095', 'EXCEPTION_INT_OVERFLOW', 'SIGFPE'),
  E('c000008e', 'EXCEPTION_FLT_DIVIDE_BY_ZERO', 'SIGFPE'),
  E('c0000090', 'EXCEPTION_FLT_INVALID_OPERATION', 'SIGFPE'),
  E('c0000091', 'EXCEPTION_FLT_OVERFLOW', 'SIGFPE'),
  E('c000001d', 'EXCEPTION_ILLEGAL_INSTRUCTION', 'SIGILL'),
  E('c0000096', 'EXCEPTION_PRIV_INSTRUCTION', 'SIGILL'),
  E('80000003', 'EXCEPTION_BREAKPOINT', 'SIGTRAP'),
  E('80000004', 'EXCEPTION_SINGLE_STEP', 'SIGTRAP'),
  // An unhandled C++ exception (MSVC's throw raises code 'msc'): the runtime terminates the
  // process, which on Linux is std::terminate's abort().
  E('e06d7363', 'CPP_EH_EXCEPTION', 'SIGABRT'),
];
const BY_CODE = new Map(CODES.map((c) => [c.code, c]));
/** Every code with a fault meaning, as 8 lower-case hex digits (notice.ts reads them as exit codes). */
export const WINDOWS_EXCEPTION_CODES: readonly string[] = CODES.map((c) => c.code);
const BY_NAME = new Map(CODES.map((c) => [c.name, c]));

/** The exception a code names ("0xC0000005", "c0000005", "C0000005"), or null for codes without a fault meaning. */
export function windowsException(code: string): WindowsException | null {
  const hex = code.trim().replace(/^0x/i, '').toLowerCase();
  return /^[0-9a-f]{1,8}$/.test(hex) ? (BY_CODE.get(hex.padStart(8, '0')) ?? null) : null;
}

/** The exception an SDK name means ("EXCEPTION_STACK_OVERFLOW"), or null. */
export function windowsExceptionNamed(name: string): WindowsException | null {
  return BY_NAME.get(name) ?? null;
}

/** FAST_FAIL_STACK_COOKIE_CHECK_FAILURE: the /GS check found the stack cookie overwritten. */
const FAST_FAIL_STACK_COOKIE = 2;

/**
 * The crash kind of a fast fail by its subcode: a /GS cookie check is a stack buffer overflow (the
 * function wrote past a local array); abort() (7) and the rest stay the signal.
 */
export function fastFailKind(subcode: number): string | null {
  return subcode === FAST_FAIL_STACK_COOKIE ? 'stack-buffer-overflow' : null;
}

/** The fast-fail subcodes a crash report names most (winnt.h's FAST_FAIL_*). */
const FAST_FAIL_NAMES: Record<number, string> = {
  2: 'FAST_FAIL_STACK_COOKIE_CHECK_FAILURE', 3: 'FAST_FAIL_CORRUPT_LIST_ENTRY', 4: 'FAST_FAIL_INCORRECT_STACK', 5: 'FAST_FAIL_INVALID_ARG',
  7: 'FAST_FAIL_FATAL_APP_EXIT', 10: 'FAST_FAIL_GUARD_ICALL_CHECK_FAILURE', 13: 'FAST_FAIL_UNSAFE_REGISTRY_ACCESS',
};

/** "STATUS_STACK_BUFFER_OVERRUN (fast fail 7, FAST_FAIL_FATAL_APP_EXIT)": code 0xC0000409 is mostly abort(), not an overrun. */
export function fastFailDescription(subcode: number): string {
  const name = FAST_FAIL_NAMES[subcode];
  return `STATUS_STACK_BUFFER_OVERRUN (fast fail ${subcode}${name ? `, ${name}` : ''})`;
}

/** An address as the model writes fault addresses: "0x" and lower-case hex without leading zeros (WinDbg's "00000000`00000010" too). */
export function hexAddress(text: string): string {
  const hex = text.replace(/`/g, '').replace(/^0x/i, '').toLowerCase();
  return `0x${hex.replace(/^0+(?=.)/, '')}`;
}

/**
 * Module names of Windows' own DLLs, as WinDbg prints them (the image name without ".dll"): the
 * model names a module by its file, as Visual Studio prints it, so that the signature policy knows
 * "ntdll" and "ntdll.dll" as the same system library. A program's own modules stay as printed
 * (WinDbg does not say whether "render_core" is an .exe or a .dll).
 */
const SYSTEM_DLLS = new Set(['ntdll', 'kernel32', 'kernelbase', 'ucrtbase', 'ucrtbased', 'msvcrt', 'vcruntime140', 'vcruntime140_1',
  'vcruntime140d', 'vcruntime140_1d', 'msvcp140', 'msvcp140d', 'user32', 'win32u', 'gdi32', 'gdi32full', 'combase', 'ole32', 'rpcrt4',
  'sechost', 'advapi32', 'ws2_32', 'shell32', 'shlwapi', 'bcrypt', 'bcryptprimitives', 'msvcp_win', 'wow64', 'wow64cpu', 'wow64win',
  'dbghelp', 'dbgcore', 'wer', 'faultrep', 'kernel.appcore', 'cfgmgr32', 'ntdll32', 'oleaut32', 'imm32', 'uxtheme', 'dwmapi']);

export function windbgModuleFile(module: string): string {
  return SYSTEM_DLLS.has(module.toLowerCase()) ? `${module}.dll` : module;
}
