// Fatal notices: the one line a shell, a runtime or a logger prints when a process dies, with no
// stack after it ("Segmentation fault (core dumped)", "fatal runtime error: stack overflow",
// glog's "F0812 ... Check failed: ..."). A paste often holds nothing else. They never make a trace
// of their own while the input holds one; the extractor reports them only when it found none.

import { signalName } from './signals.js';

export interface FatalNotice {
  /** The signal the notice names or implies, or null when it implies none. */
  signal: string | null;
  /** A crash kind the notice states (a stack overflow), else null. */
  crashKind: string | null;
  /** The program the notice names (bash and zsh print the command), else null. */
  program: string | null;
  /** What kind of notice: how much it says. */
  source: 'shell' | 'runtime' | 'logger';
}

/** Byte strings every notice line contains one of, for the reader's skipping of unmarked stretches. */
export const NOTICE_MARKERS = ['egmentation fault', 'Abort', 'abort ', 'us error', 'llegal ', 'loating point exception', 'breakpoint trap',
  'terminated by signal', 'overflowed its stack', 'fatal runtime error', 'memory allocation of', 'Check failed'];

const SHELL_WORDS: Record<string, string> = {
  'segmentation fault': 'SIGSEGV', aborted: 'SIGABRT', abort: 'SIGABRT', 'abort trap': 'SIGABRT', 'bus error': 'SIGBUS',
  'illegal instruction': 'SIGILL', 'illegal hardware instruction': 'SIGILL', 'floating point exception': 'SIGFPE',
  'trace/breakpoint trap': 'SIGTRAP',
};
const WORDS = 'Segmentation fault|Aborted|Abort trap|Bus error|Illegal instruction|Floating point exception|Trace/breakpoint trap';
const LOWER_WORDS = 'segmentation fault|abort|bus error|illegal hardware instruction|floating point exception';
/** A word every shell notice holds (case as the shells print them). */
const SHELL_HINT = /egmentation fault|[Aa]bort|us error|llegal|loating point|breakpoint trap/;
// bash, dash, sh: the notice alone, or a script's job notice with its pid and command.
const SHELL_ALONE = new RegExp(`^(${WORDS})(?:: \\d+)?(?: \\(core dumped\\))?\\s*$`);
const SHELL_JOB = new RegExp(`^(?:\\S+: )?(?:line \\d+: )?\\d+ (${WORDS})(?:: \\d+)?\\s+(?:\\(core dumped\\)\\s*)?(\\S.*)?$`);
// zsh: "zsh: segmentation fault (core dumped)  ./prog", "[1]    4118790 abort (core dumped)  dust -w 0".
const ZSH = new RegExp(`^(?:zsh: |\\[\\d+\\]\\s+[+-]?\\s*\\d+ )(${LOWER_WORDS})(?: \\(core dumped\\))?\\s+(\\S.*)$`);
// fish: "fish: Job 1, './prog' terminated by signal SIGSEGV (Address boundary error)".
const FISH = /^fish: (?:Job \d+, )?'(.*?)' terminated by signal (SIG[A-Z]+)/;
const RUST_OVERFLOW = /^thread '.*' has overflowed its stack\s*$/;
const RUST_FATAL = /^fatal runtime error: (.+)$/;
const RUST_ALLOC = /^memory allocation of \d+ bytes failed\s*$/;
// glog/Abseil FATAL lines: "F0812 08:45:04.059198   910 file.h:38] Check failed: ...".
const GLOG_FATAL = /^F\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\] \S/;

function programOf(command: string | undefined): string | null {
  const word = command?.trim().split(/\s+/)[0];
  return word ? word.replace(/^['"]|['"]$/g, '') : null;
}

/** The notice a line is, or null. Cheap for ordinary lines: one character test rules most out. */
export function fatalNotice(line: string): FatalNotice | null {
  const c = line.charCodeAt(0);
  let m: RegExpExecArray | null;
  if (c === 70 /* F */) {
    if ((m = SHELL_ALONE.exec(line))) return shell(m[1]!, null);
    if (GLOG_FATAL.test(line)) return { signal: 'SIGABRT', crashKind: null, program: null, source: 'logger' };
    return null;
  }
  if (c === 116 /* t */ && RUST_OVERFLOW.test(line)) return { signal: 'SIGABRT', crashKind: 'stack-overflow', program: null, source: 'runtime' };
  if (c === 102 /* f */) {
    if ((m = RUST_FATAL.exec(line))) return { signal: 'SIGABRT', crashKind: /stack overflow/.test(m[1]!) ? 'stack-overflow' : null, program: null, source: 'runtime' };
    if ((m = FISH.exec(line))) return { signal: signalName(m[2]!), crashKind: null, program: programOf(m[1]), source: 'shell' };
    return null;
  }
  if (c === 109 /* m */) return RUST_ALLOC.test(line) ? { signal: 'SIGABRT', crashKind: null, program: null, source: 'runtime' } : null;
  // Every line of an input without a trace comes here: one literal test before the shell forms.
  if (!SHELL_HINT.test(line)) return null;
  if ((m = SHELL_ALONE.exec(line))) return shell(m[1]!, null);
  if ((m = ZSH.exec(line))) return shell(m[1]!, m[2]);
  if ((m = SHELL_JOB.exec(line))) return shell(m[1]!, m[2]);
  return null;
}

function shell(words: string, command: string | undefined | null): FatalNotice {
  return { signal: SHELL_WORDS[words.toLowerCase()] ?? null, crashKind: null, program: programOf(command ?? undefined), source: 'shell' };
}
