// One crash, two reports: a program's own crash handler prints its stack (Chromium's and V8's
// base::debug, glog's failure handler, backtrace_symbols) and dies, and the sanitizer catches that
// death (ABRT, ILL, TRAP, SEGV) and reports it again with its own verdict, fault address and
// symbolized stack. The sanitizer's report is the one to read first: it is moved before the
// handler's dump, and gets the message the program died with (a failed CHECK, an assertion, V8's
// fatal error), found around the dump, when it has none of its own.

import type { Report } from '../model.js';
import { computeSignature, signatureOptions } from './signature.js';

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

// One death, two reports the other way round: a runtime states its verdict in a line or two and
// prints no frames (Rust's "thread 'main' has overflowed its stack" or a panic without
// RUST_BACKTRACE), and the debugger run on the process or its core prints the stack of that same
// death right after. The debugger's report is the one to read: it goes first, with the runtime's
// verdict as its crash kind (its signature recomputed) and message.

/** Runtimes whose report of a death may be a verdict without frames. */
const FRAMELESS_VERDICTS = new Set(['rust']);
const DEBUGGERS = new Set(['gdb', 'lldb', 'core+gdb', 'core+lldb']);
/** The signals a debugger shows for the death a runtime reported (its abort, or the fault before it). */
const VERDICT_DEATHS = new Set(['SIGABRT', 'SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGTRAP', 'UNKNOWN']);
/** At most this many lines between the verdict's last line and the debugger's first. */
export const MAX_VERDICT_GAP = 40;

/**
 * Reorders `reports` in place: a debugger's report right after a runtime's frameless verdict on the
 * same death comes first, and takes the verdict as its crash kind (and message, when it has none).
 * `changed` is called for each debugger report so changed.
 */
export function preferDebuggerReports(reports: Report[], changed?: (report: Report) => void): void {
  for (let i = 0; i + 1 < reports.length; i++) {
    const verdict = reports[i]!;
    const debugger_ = reports[i + 1]!;
    if (!FRAMELESS_VERDICTS.has(verdict.format) || verdict.signatureFrames.length > 0 || verdict.crashKind === 'UNKNOWN') continue;
    if (!DEBUGGERS.has(debugger_.format) || debugger_.signatureFrames.length === 0 || !VERDICT_DEATHS.has(debugger_.crashKind)) continue;
    if (debugger_.source.path !== verdict.source.path || debugger_.source.line - verdict.source.endLine > MAX_VERDICT_GAP) continue;
    const frames = debugger_.crashedThread === null ? [] : debugger_.threads[debugger_.crashedThread]!.frames;
    Object.assign(debugger_, computeSignature(verdict.crashKind, frames, signatureOptions(debugger_.format, debugger_.program)));
    debugger_.crashKind = verdict.crashKind;
    if (debugger_.abortMessage === null) debugger_.abortMessage = verdict.abortMessage;
    reports[i] = debugger_;
    reports[i + 1] = verdict;
    changed?.(debugger_);
    i++;
  }
}
