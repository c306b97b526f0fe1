// One crash, two reports: a program's own crash handler prints its stack (Chromium's and V8's
// base::debug, glog's failure handler, backtrace_symbols) and dies, and the sanitizer catches that
// death (ABRT, ILL, TRAP, SEGV) and reports it again with its own verdict, fault address and
// symbolized stack. The sanitizer's report is the one to read first: it is moved before the
// handler's dump, and gets the message the program died with (a failed CHECK, an assertion, V8's
// fatal error), found around the dump, when it has none of its own.

import type { Report } from '../model.js';

const SANITIZERS = new Set(['asan', 'lsan', 'msan', 'tsan', 'ubsan', 'hwasan']);
const HANDLER_DUMPS = new Set(['chromium', 'backtrace_symbols', 'butil', 'glog']);
/** The signals a sanitizer reports for a program that killed itself after printing its stack. */
const DEATHS = new Set(['SIGABRT', 'SIGILL', 'SIGTRAP', 'SIGSEGV', 'SIGBUS', 'SIGFPE']);
/** At most this many lines between the dump's last line and the sanitizer's header. */
export const MAX_DUMP_GAP = 150;

/**
 * Reorders `reports` in place: a sanitizer report right after a handler's dump of the same death
 * (a death signal, or any verdict after a dump that names no death of its own) comes first. `changed` is called for each sanitizer report that received the dump's abort
 * message (its diagnoses may depend on it).
 */
export function preferSanitizerReports(reports: Report[], changed?: (report: Report) => void): void {
  for (let i = 0; i + 1 < reports.length; i++) {
    const dump = reports[i]!;
    const sanitizer = reports[i + 1]!;
    // A dump that did not say how the program died gives way to any verdict (Swift's runtime freed
    // what it never allocated while reporting its assertion: ASan's bad-free is that death).
    const verdict = DEATHS.has(sanitizer.crashKind) || dump.crashKind === 'UNKNOWN';
    if (!HANDLER_DUMPS.has(dump.format) || !SANITIZERS.has(sanitizer.format) || !verdict) continue;
    if (dump.source.path !== sanitizer.source.path || sanitizer.source.line - dump.source.endLine > MAX_DUMP_GAP) continue;
    reports[i] = sanitizer;
    reports[i + 1] = dump;
    if (sanitizer.abortMessage === null && dump.abortMessage !== null) {
      sanitizer.abortMessage = dump.abortMessage;
      changed?.(sanitizer);
    }
    i++;
  }
}
