// Signal names from the numbers older gdbs print ("Program terminated with signal 11"), Linux numbering.

const LINUX_SIGNALS: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS',
};

/** "SIGSEGV" stays as is; "11" becomes "SIGSEGV"; unknown numbers become "SIG<n>". */
export function signalName(text: string): string {
  if (!/^\d+$/.test(text)) return text;
  return LINUX_SIGNALS[Number(text)] ?? `SIG${text}`;
}

/** What gdb calls each signal ("Segmentation fault"), for reports made without a debugger. */
const DESCRIPTIONS: Record<string, string> = {
  SIGSEGV: 'Segmentation fault', SIGABRT: 'Aborted', SIGBUS: 'Bus error', SIGFPE: 'Arithmetic exception',
  SIGILL: 'Illegal instruction', SIGTRAP: 'Trace/breakpoint trap', SIGKILL: 'Killed', SIGTERM: 'Terminated',
  SIGQUIT: 'Quit', SIGINT: 'Interrupt', SIGSYS: 'Bad system call', SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded', SIGPIPE: 'Broken pipe',
};

export function signalNameOf(signo: number): { name: string; description: string | null } {
  const name = signalName(String(signo));
  return { name, description: DESCRIPTIONS[name] ?? null };
}

/**
 * strsignal()/psignal()'s words for the crash signals, as shells, crash handlers and runtimes print
 * them ("Segmentation fault" -> SIGSEGV). Callers with words of their own ("Abort trap", "Trace/
 * breakpoint trap") look those up after this.
 */
const SIGNAL_WORDS = new Map<string, string>([
  ['Segmentation fault', 'SIGSEGV'], ['Aborted', 'SIGABRT'], ['Bus error', 'SIGBUS'], ['Illegal instruction', 'SIGILL'], ['Floating point exception', 'SIGFPE'],
]);
const SIGNAL_WORDS_ANY_CASE = new Map([...SIGNAL_WORDS].map(([w, s]) => [w.toLowerCase(), s]));

/** The signal strsignal()'s words name ("Segmentation fault" -> "SIGSEGV"), else null; `anyCase` for "Bus Error" (Ruby), "segmentation fault" (zsh). */
export function signalFromWords(words: string, anyCase = false): string | null {
  return (anyCase ? SIGNAL_WORDS_ANY_CASE.get(words.toLowerCase()) : SIGNAL_WORDS.get(words)) ?? null;
}

/** Mach exceptions (macOS, iOS: lldb's stop reasons, crash reports, Xcode) and the signal each one becomes. */
export const MACH_EXCEPTION_SIGNALS: Readonly<Record<string, string>> = {
  EXC_BAD_ACCESS: 'SIGSEGV',
  EXC_BAD_INSTRUCTION: 'SIGILL',
  EXC_ARITHMETIC: 'SIGFPE',
  EXC_CRASH: 'SIGABRT',
  EXC_BREAKPOINT: 'SIGTRAP',
  EXC_GUARD: 'SIGKILL',
  EXC_RESOURCE: 'SIGKILL',
};
