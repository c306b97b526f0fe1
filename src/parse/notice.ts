// Fatal notices: the one line a shell, a runtime or a logger prints when a process dies, with no
// stack after it ("Segmentation fault (core dumped)", "fatal runtime error: stack overflow",
// glog's "F0812 ... Check failed: ..."). A paste often holds nothing else. They never make a trace
// of their own while the input holds one; the extractor reports them only when it found none.

import { signalFromWords, signalName } from './signals.js';
import { WINDOWS_EXCEPTION_CODES, windowsException } from './windows-exception.js';

export interface FatalNotice {
  /** The signal the notice names or implies, or null when it implies none. */
  signal: string | null;
  /** A crash kind the notice states (a stack overflow), else null. */
  crashKind: string | null;
  /** The program the notice names (bash and zsh print the command), else null. */
  program: string | null;
  /** What kind of notice: how much it says ('supervisor': a launcher, IDE, build or test tool's
   *  report of the child's death by a signal, as sure of the signal as a shell's). */
  source: 'shell' | 'runtime' | 'logger' | 'kernel' | 'supervisor';
  /** The address the kernel says the fault was at ("segfault at 18"), else absent. */
  faultAddress?: string;
}

/** The Windows exit codes a crash leaves (an NTSTATUS: hex in either case, unsigned or signed decimal),
 *  as their lines print them: every form of every code windows-exception.ts knows. The markers and
 *  the reader (WINDOWS_EXIT) are both made of this one list, so they cannot drift apart (class: a code
 *  the reader accepts but the markers lack, 0x80000002 or e06d7363's -529697949, is never read). */
export const WINDOWS_EXIT_CODE_FORMS: readonly string[] = WINDOWS_EXCEPTION_CODES.flatMap((code) => {
  const unsigned = parseInt(code, 16);
  return [...new Set([`0x${code}`, `0x${code.toUpperCase()}`, String(unsigned), String(unsigned | 0)])];
});
/** Their first six characters, once each: every form holds one, and the reader's marker search over a
 *  log carries a dozen strings instead of sixty (`0xc000`, `-10737`, `322122`, ...). */
const WINDOWS_EXIT_CODE_MARKERS = [...new Set(WINDOWS_EXIT_CODE_FORMS.map((form) => form.slice(0, 6)))];

/** Byte strings every notice line contains one of, for the reader's skipping of unmarked stretches. */
export const NOTICE_MARKERS = ['egmentation fault', 'Abort', 'abort ', 'us error', 'llegal ', 'loating point exception', 'breakpoint trap',
  'terminated by signal', 'overflowed its stack', 'fatal runtime error', 'memory allocation of', 'Check failed',
  'segfault at', 'general protection', 'trap divide error', 'trap invalid opcode', 'Killed process', 'ut of memory: Kill', 'Main process exited', '*** caught ',
  'process has died', 'interrupted by signal', "didn't exit successfully", '***Exception: ', 'died with <Signals.', 'Fatal Python error: ',
  'exited with code 13', 'non-zero exit status -', 'while executing native code', 'uncaught target signal',
  'exit code 13', '] Error 13', 'ubsan: ', 'Debug Assertion Failed!', 'Debug Error!', 'Runtime Error!', 'Assertion failed!', 'pure virtual ', 'Pure virtual function called!', 'exited on signal', 'exit signal ', 'SIGSEGV - ', 'SIGABRT - ', 'SIGBUS - ', 'SIGFPE - ', 'SIGILL - ', 'fatal error: in "',
  ...WINDOWS_EXIT_CODE_MARKERS];

/** The shells' words beyond strsignal()'s (signalFromWords, any case): zsh's and macOS's. */
const MORE_SHELL_WORDS: Record<string, string> = {
  abort: 'SIGABRT', 'abort trap': 'SIGABRT', 'illegal hardware instruction': 'SIGILL', 'trace/breakpoint trap': 'SIGTRAP',
};
const WORDS = 'Segmentation fault|Aborted|Abort trap|Bus error|Illegal instruction|Floating point exception|Trace/breakpoint trap';
const LOWER_WORDS = 'segmentation fault|abort|bus error|illegal hardware instruction|floating point exception';
/** A word every shell notice holds (case as the shells print them). */
const SHELL_HINT = /egmentation fault|[Aa]bort|us error|llegal|loating point|breakpoint trap/;
// bash, dash, sh: the notice alone, or a script's job notice with its pid and command (bash pads the
// pid to five columns: "line 1:  2211 Segmentation fault").
const SHELL_ALONE = new RegExp(`^(${WORDS})(?:: \\d+)?(?: \\(core dumped\\))?\\s*$`);
const SHELL_JOB = new RegExp(`^(?:\\S+: )?(?:line \\d+: +)?\\d+ (${WORDS})(?:: \\d+)?\\s+(?:\\(core dumped\\)\\s*)?(\\S.*)?$`);
// zsh: "zsh: segmentation fault (core dumped)  ./prog", "[1]    4118790 abort (core dumped)  dust -w 0".
const ZSH = new RegExp(`^(?:zsh: |\\[\\d+\\]\\s+[+-]?\\s*\\d+ )(${LOWER_WORDS})(?: \\(core dumped\\))?\\s+(\\S.*)$`);
// fish: "fish: Job 1, './prog' terminated by signal SIGSEGV (Address boundary error)".
const FISH = /^fish: (?:Job \d+, )?'(.*?)' terminated by signal (SIG[A-Z]+)/;
const RUST_OVERFLOW = /^thread '.*' has overflowed its stack\s*$/;
const RUST_FATAL = /^fatal runtime error: (.+)$/;
const RUST_ALLOC = /^memory allocation of \d+ bytes failed\s*$/;
// UBSan's minimal runtime (-fsanitize-minimal-runtime, production hardening builds): one line per
// check, the check's name and the pc, no stack; "ubsan: add-overflow by 0x55d81a2f4b3c". Its names
// as the full runtime's verdicts (the sanitizer parser's crash kinds); the process goes on unless
// built to abort, so no signal.
const UBSAN_MINIMAL = /^ubsan: ([a-z-]+) by 0x[0-9a-fA-F]+\b/;
// C and C++ runtimes' last words before they abort, alone on their line: the MSVC runtime's dialogs
// copied with Ctrl-C ("Debug Assertion Failed!", "Debug Error!" over the debug heap's "HEAP CORRUPTION
// DETECTED" or abort(), the release runtime's "Runtime Error!") and its console form ("Assertion failed!"),
// and the pure virtual call handlers' (MSVC's "R6025" then "- pure virtual function call",
// libstdc++'s "pure virtual method called", libc++abi's "Pure virtual function called!").
const RUNTIME_ABORT = /^(?:Debug Assertion Failed!|Debug Error!|Runtime Error!|Assertion failed!|-\s*pure virtual function call|(?:libc\+\+abi(?:\.dylib)?: )?Pure virtual function called!|pure virtual method called)\s*$/;
const UBSAN_MINIMAL_KINDS: Record<string, string> = {
  'add-overflow': 'signed-integer-overflow', 'sub-overflow': 'signed-integer-overflow', 'mul-overflow': 'signed-integer-overflow',
  'negate-overflow': 'signed-integer-overflow', 'shift-out-of-bounds': 'invalid-shift', 'out-of-bounds': 'index-out-of-bounds',
  'builtin-unreachable': 'unreachable', 'pointer-overflow': 'pointer-overflow', 'float-cast-overflow': 'float-cast-overflow',
  'load-invalid-value': 'invalid-value', 'implicit-conversion': 'implicit-conversion', 'vla-bound-not-positive': 'vla-bound',
  'function-type-mismatch': 'function-type-mismatch', 'alignment-assumption': 'assumption-violation',
};
// R's handler when a package's C/C++ code faults (class: a runtime embedding native code that prints
// only its own stack): " *** caught segfault ***", then "address 0x10, cause 'memory not mapped'".
const R_CAUGHT = /^\s*\*\*\* caught (segfault|bus error|illegal operation) \*\*\*\s*$/;
const R_SIGNALS: Record<string, string> = { segfault: 'SIGSEGV', 'bus error': 'SIGBUS', 'illegal operation': 'SIGILL' };
// Launchers, IDEs, build and test tools reporting that the child died of a signal (class: a paste with
// no trace, only the supervisor's line). Each names the signal or its number; an exit code is a
// signal only where the tool says so (negative in ROS launch and Python, 128+N in docker compose).
//   [ERROR] [planner-1]: process has died [pid 597648, exit code -11, cmd '...'].     (ROS 1 and 2 launch)
//   Process finished with exit code 139 (interrupted by signal 11: SIGSEGV)           (JetBrains IDEs)
//   error: process didn't exit successfully: `...` (signal: 11, SIGSEGV: invalid memory reference)   (cargo)
//    7/12 Test  #7: decoder_test .....***Exception: SegFault  0.22 sec               (ctest)
//   subprocess.CalledProcessError: Command '...' died with <Signals.SIGSEGV: 11>.     (Python)
//   ... returned non-zero exit status -11.                                             (Python)
//   api-1 exited with code 139                                                         (docker compose)
//   ##[error]Process completed with exit code 139.                                     (GitHub Actions on Linux: bash's 128+N)
//   make[2]: *** [CMakeFiles/check.dir/build.make:70: check] Error 139                (make, a recipe's shell's 128+N)
//   [ros2run]: Segmentation fault                                                      (ros2 run)
//   make: *** [Makefile:12: test] Segmentation fault (core dumped)                     (make)
//   Fatal Python error: Segmentation fault                                             (faulthandler's header alone)
//   Got a SIGSEGV while executing native code. This usually indicates                  (Mono, after its native stack)
//   WARNING: [pool www] child 21873 exited on signal 11 (SIGSEGV - core dumped) after 15.2 seconds   (php-fpm)
//   worker process 4120 exited on signal 11 (core dumped)                              (nginx)
//   AH00052: child pid 40211 exit signal Segmentation fault (11)                       (Apache httpd)
//   /src/t.cpp:88: ERROR: test case CRASHED: SIGSEGV - Segmentation violation signal  (doctest; Catch2's
//     "due to a fatal error condition:" prints the same "SIGSEGV - ... signal" on a line of its own)
//   fatal error: in "suite/case": memory access violation at address: 0x00000010: no mapping at fault address   (Boost.Test)
const SUPERVISOR: [RegExp, (m: RegExpExecArray) => string | Pick<FatalNotice, 'signal' | 'faultAddress'> | null][] = [
  [/process has died \[pid \d+, exit code -(\d{1,2})\b/, (m) => signalName(m[1]!)],
  [/^Process finished with exit code \d+ \(interrupted by signal (\d{1,2}): (SIG[A-Z]+)\)/, (m) => m[2]!],
  [/process didn't exit successfully: .*\(signal: \d{1,2}, (SIG[A-Z]+)(?::[^)]*)?\)\s*$/, (m) => m[1]!],
  [/\*\*\*Exception: (SegFault|Illegal|Numerical|Bus error)\b/, (m) => CTEST_WORDS[m[1]!]!],
  [/Child aborted\*\*\*Exception:/, () => 'SIGABRT'],
  [/died with <Signals\.(SIG[A-Z]+): \d{1,2}>/, (m) => m[1]!],
  [/returned non-zero exit status -(\d{1,2})\.?\s*$/, (m) => signalName(m[1]!)],
  [/^\S+ exited with code (13[2-6]|139)\s*$/, (m) => signalName(String(Number(m[1]) - 128))],
  [/^(?:##\[error\])?(?:Error: )?Process completed with exit code (13[2-6]|139)\.?\s*$/, (m) => signalName(String(Number(m[1]) - 128))],
  [/^make(?:\[\d+\])?: \*\*\* \[[^\]]*\] Error (13[2-6]|139)\s*$/, (m) => signalName(String(Number(m[1]) - 128))],
  [new RegExp(`^\\[ros2run\\]: (${'Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception'})\\b`), (m) => signalFromWords(m[1]!)],
  [new RegExp(`^make(?:\\[\\d+\\])?: \\*\\*\\* \\[[^\\]]*\\] (${'Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception'})\\b`), (m) => signalFromWords(m[1]!)],
  [/^Fatal Python error: (Segmentation fault|Aborted|Bus error|Floating point exception|Illegal instruction)\s*$/, (m) => signalFromWords(m[1]!)],
  [/^Got a (SIG[A-Z]+) while executing native code\b/, (m) => m[1]!],
  // QEMU's user-mode emulation (a foreign-architecture docker build or test under binfmt_misc):
  // "qemu: uncaught target signal 11 (Segmentation fault) - core dumped".
  [/^qemu(?:-[\w-]+)?: uncaught target signal (\d{1,2}) \(/, (m) => signalName(m[1]!)],
  [/\b(?:child|process) \d+ exited on signal (\d{1,2})\b/, (m) => signalName(m[1]!)],
  [/\bchild pid \d+ exit signal [A-Z][\w ()/-]*?\((\d{1,2})\)/, (m) => signalName(m[1]!)],
  [/(?:^\s*|test case CRASHED: )(SIG[A-Z]+) - [A-Z][\w ()]* signal\s*$/, (m) => m[1]!],
  [/fatal error: in "[^"]*": (?:memory access violation at address: (0x[0-9a-fA-F]+)|signal: (SIG[A-Z]+)|integer divide by zero)/,
    (m) => (m[1] ? { signal: 'SIGSEGV', faultAddress: `0x${BigInt(m[1]).toString(16)}` } : (m[2] ?? 'SIGFPE'))],
];
const CTEST_WORDS: Record<string, string> = { SegFault: 'SIGSEGV', Illegal: 'SIGILL', Numerical: 'SIGFPE', 'Bus error': 'SIGBUS' };
const SUPERVISOR_HINT = /while executing native code|process has died|interrupted by signal|didn't exit successfully|\*\*\*Exception|died with <Signals|non-zero exit status -|exited with code 13|exit code 13|^\[ros2run\]|^make|^Fatal Python error|uncaught target signal|exited on signal|exit signal |SIG[A-Z]+ - |fatal error: in "/;

/** The signals a crash dies of: an interrupt, a kill or a stop (Ctrl-C, an IDE's stop button) is no crash. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGTRAP', 'SIGSYS']);

/** A supervisor's line about a child killed by a crash signal, or null. */
function supervisorNotice(line: string): FatalNotice | null {
  for (const [re, signal] of SUPERVISOR) {
    const m = re.exec(line);
    const said = m ? signal(m) : null;
    const { signal: s, faultAddress } = typeof said === 'string' ? { signal: said, faultAddress: undefined } : (said ?? { signal: null, faultAddress: undefined });
    if (s && CRASH_SIGNALS.has(s)) return { signal: s, crashKind: null, program: null, source: 'supervisor', ...(faultAddress ? { faultAddress } : {}) };
  }
  return null;
}

// glog/Abseil FATAL lines: "F0812 08:45:04.059198   910 file.h:38] Check failed: ...".
const GLOG_FATAL = /^F\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\] \S/;

// The kernel's lines about a user process (dmesg, journalctl -k, /var/log/kern.log), and systemd's
// about a service. Each is the whole line, from its start: an optional dmesg time ("[ 4521.118327] ",
// dmesg -T's "[Sun Mar  8 02:14:51 2026] "), an optional journal/syslog prefix ("Mar  8 09:12:40
// edge01 kernel: ", "edge01 systemd[1]: ", journalctl -o short-iso's "2026-03-08T09:12:40+0000
// edge01 kernel: "), then the message. A changelog or an FAQ quoting one is no crash.
//   gatewayd[30112]: segfault at 18 ip 000055d0c1e2a3f4 sp 00007ffc9c3e1a20 error 4 in gatewayd[55d0c1e00000+5a000]
//   traps: worker[77][12]: general protection fault ip:7f... sp:7ff... error:0 in libx.so[7f...+2000]
//   traps: calc[4410] trap divide error ip:55d0... sp:7ffd... error:0 in calc[55d0...+1000]
//   Out of memory: Killed process 31240 (indexer) total-vm:..., also "Memory cgroup out of memory: Killed process ..."
//   gatewayd.service: Main process exited, code=dumped, status=11/SEGV
const DMESG_TIME = String.raw`(?:\[[^\]]*\d\]\s*)?`;
const SYSLOG_TIME = String.raw`(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) `;
const SYSLOG = String.raw`(?:(?:${SYSLOG_TIME})?\S+ (?:kernel|systemd(?:\[\d+\])?): )?`;
/** Everything a kernel or systemd line may have before its message. */
const LINE_START = `^${DMESG_TIME}${SYSLOG}${DMESG_TIME}`;
const KERNEL_SEGV = new RegExp(`${LINE_START}(?:traps: )?(\\S+?)\\[\\d+\\](?:\\[\\d+\\])?:? segfault at ([0-9a-fA-F]+) ip [0-9a-fA-F]+ sp [0-9a-fA-F]+ error \\d+`);
const KERNEL_TRAP = new RegExp(`${LINE_START}(?:traps: )?(\\S+?)\\[\\d+\\](?:\\[\\d+\\])?:? (general protection fault|trap divide error|trap invalid opcode|trap int3) `);
const TRAP_SIGNALS: Record<string, string> = { 'general protection fault': 'SIGSEGV', 'trap divide error': 'SIGFPE', 'trap invalid opcode': 'SIGILL', 'trap int3': 'SIGTRAP' };
const KERNEL_OOM = new RegExp(`${LINE_START}(?:Memory cgroup )?[Oo]ut of memory(?: \\(oom_kill_allocating_task\\))?: Kill(?:ed)? process \\d+ \\(([^)]+)\\)`);
// systemd about a service whose main process died of a signal (killed by a crash signal; a TERM or
// KILL from outside is a stop, not a crash).
const SYSTEMD_EXIT = new RegExp(`${LINE_START}\\S+\\.service: Main process exited, code=(?:dumped, status=\\d+\\/([A-Z]+)|killed, status=\\d+\\/(SEGV|ABRT|BUS|FPE|ILL|TRAP|SYS))\\b`);

/** A kernel or systemd line about a process killed by a signal, or null (only lines holding one of their words get here). */
function kernelNotice(line: string): FatalNotice | null {
  let m: RegExpExecArray | null;
  if ((m = KERNEL_SEGV.exec(line))) return { signal: 'SIGSEGV', crashKind: null, program: m[1]!, source: 'kernel', faultAddress: `0x${m[2]!.toLowerCase()}` };
  if ((m = KERNEL_TRAP.exec(line))) return { signal: TRAP_SIGNALS[m[2]!]!, crashKind: null, program: m[1]!, source: 'kernel' };
  if ((m = KERNEL_OOM.exec(line))) return { signal: 'SIGKILL', crashKind: null, program: m[1]!, source: 'kernel' };
  if ((m = SYSTEMD_EXIT.exec(line))) return { signal: signalName(`SIG${m[1] ?? m[2]!}`), crashKind: null, program: null, source: 'logger' };
  return null;
}
const KERNEL_HINT = /segfault at |general protection fault|trap (?:divide error|invalid opcode|int3)|ut of memory: Kill|Main process exited, code=/;

function programOf(command: string | undefined): string | null {
  const word = command?.trim().split(/\s+/)[0];
  return word ? word.replace(/^['"]|['"]$/g, '') : null;
}

// A Windows process's exit code when a crash ended it (no signals there: the exception's NTSTATUS is
// the exit code), as CI runners, IDEs and tools print it:
//   Error: Process completed with exit code -1073741819.                     (GitHub Actions)
//   The program '[9876] viewer.exe' has exited with code 3221225477 (0xc0000005) 'Access violation'.
//   error: test failed ... (exit code: 0xc00000fd, STATUS_STACK_OVERFLOW)   (cargo)
//   error MSB3073: The command "..." exited with code -1073740791.         (MSBuild)
//   Command '...' returned non-zero exit status 3221225477.                 (Python's subprocess)
const WINDOWS_EXIT = new RegExp(
  String.raw`\b(?:exit(?:ed)?|returned)\b.{0,60}?\b(?:code|status)\b:?\s*(` +
    [...WINDOWS_EXIT_CODE_FORMS].sort((a, b) => b.length - a.length).join('|') + String.raw`)(?![0-9a-zA-Z])`,
);
const VS_PROGRAM = /^The program '\[\d+\] (.+?)' has exited/;

/** The crash a Windows exit code says, or null for a code that is no crash (only lines holding a code's digits get here). */
function windowsExitNotice(line: string): FatalNotice | null {
  const m = WINDOWS_EXIT.exec(line);
  if (!m) return null;
  const code = m[1]!.startsWith('0x') ? m[1]! : (Number(m[1]) >>> 0).toString(16);
  const exception = windowsException(code);
  if (!exception) return null;
  return { signal: exception.signal, crashKind: exception.crashKind, program: VS_PROGRAM.exec(line)?.[1] ?? null, source: 'shell' };
}
const mayHoldWindowsExitCode = (line: string) =>
  (line.includes('code') || line.includes('status')) && WINDOWS_EXIT_CODE_MARKERS.some((m) => line.includes(m));

/** The notice a line is, or null. Cheap for ordinary lines: one character test rules most out. */
export function fatalNotice(line: string): FatalNotice | null {
  const c = line.charCodeAt(0);
  let m: RegExpExecArray | null;
  if (c === 70 /* F */) {
    if ((m = SHELL_ALONE.exec(line))) return shell(m[1]!, null);
    if (GLOG_FATAL.test(line)) return { signal: 'SIGABRT', crashKind: null, program: null, source: 'logger' };
  }
  if (c === 116 /* t */ && RUST_OVERFLOW.test(line)) return { signal: 'SIGABRT', crashKind: 'stack-overflow', program: null, source: 'runtime' };
  if (c === 102 /* f */) {
    if ((m = RUST_FATAL.exec(line))) return { signal: 'SIGABRT', crashKind: /stack overflow/.test(m[1]!) ? 'stack-overflow' : null, program: null, source: 'runtime' };
    if ((m = FISH.exec(line))) return { signal: signalName(m[2]!), crashKind: null, program: programOf(m[1]), source: 'shell' };
  }
  if (c === 109 /* m */ && RUST_ALLOC.test(line)) return { signal: 'SIGABRT', crashKind: null, program: null, source: 'runtime' };
  if ((c === 68 || c === 82 || c === 65 || c === 45 || c === 112 || c === 108 || c === 80) && RUNTIME_ABORT.test(line)) return { signal: 'SIGABRT', crashKind: null, program: null, source: 'runtime' };
  if (c === 117 /* u */ && (m = UBSAN_MINIMAL.exec(line))) return { signal: null, crashKind: `ubsan: ${UBSAN_MINIMAL_KINDS[m[1]!] ?? 'undefined-behavior'}`, program: null, source: 'runtime' };
  if ((c === 32 || c === 42) && line.includes('*** caught ') && (m = R_CAUGHT.exec(line))) return { signal: R_SIGNALS[m[1]!]!, crashKind: null, program: 'R', source: 'runtime' };
  if (SUPERVISOR_HINT.test(line)) {
    const supervisor = supervisorNotice(line);
    if (supervisor) return supervisor;
  }
  // Every line of an input without a trace comes here: one literal test before the shell forms.
  if (SHELL_HINT.test(line)) {
    if ((m = SHELL_ALONE.exec(line))) return shell(m[1]!, null);
    if ((m = ZSH.exec(line))) return shell(m[1]!, m[2]);
    if ((m = SHELL_JOB.exec(line))) return shell(m[1]!, m[2]);
  }
  // A shell word that made no shell notice does not hide the other readings (class: cargo's "process
  // didn't exit successfully: `...\abort_on_drop-1a2b.exe` (exit code: 0xc0000005, ...)", whose path
  // holds "abort").
  if (KERNEL_HINT.test(line)) {
    const kernel = kernelNotice(line);
    if (kernel) return kernel;
  }
  return mayHoldWindowsExitCode(line) ? windowsExitNotice(line) : null;
}

function shell(words: string, command: string | undefined | null): FatalNotice {
  return { signal: signalFromWords(words, true) ?? MORE_SHELL_WORDS[words.toLowerCase()] ?? null, crashKind: null, program: programOf(command ?? undefined), source: 'shell' };
}
