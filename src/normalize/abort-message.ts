// The message a program printed as it died (glibc, libstdc++, assert, glog): the single most
// telling line around a trace, and the one rules and the text output show first.

export const ABORT_MESSAGES: readonly RegExp[] = [
  /^(?:free|malloc|realloc|calloc|munmap_chunk|malloc_consolidate|_int_malloc|_int_free)\(\): .+/,
  // glibc before 2.26 wrapped its malloc messages: "*** Error in `./prog': free(): invalid next size
  // (fast): 0x01e2c010 ***", and before 2.18 "*** glibc detected *** ./prog: double free or corruption
  // (fasttop): 0x... ***" (the message proper is read out of it, see OLD_GLIBC).
  /^\*\*\* (?:Error in `[^`]*'|glibc detected \*\*\* \S+): .+/,
  /double free or corruption/,
  /corrupted (?:size vs\. prev_size|double-linked list|top size)/,
  /^terminate called (?:after throwing an instance of '.*'|without an active exception|recursively)/,
  /^pure virtual method called/,
  /\*\*\* (?:stack smashing|buffer overflow) detected \*\*\*/,
  /: Assertion `.*' failed\.?$/,
  // BSD and macOS assert(): "Assertion failed: (x > 0), function f, file a.c, line 3."
  /^Assertion failed: .*, function .*, file /,
  // The MSVC runtime's assert() in a console program ("Assertion failed: n > 0, file C:\src\a.cpp,
  // line 12") and its abort() message (the "Debug Error!" dialog's, R6010 of older runtimes).
  /^Assertion failed: .+, file .+, line \d+/,
  /^(?:R6010\s*-?\s*)?abort\(\) has been called\.?$/,
  // The Debug CRT's "Debug Assertion Failed!" dialog names the check in its "Expression:" line: the
  // debug STL's ("vector subscript out of range", "cannot dereference value-initialized map/set
  // iterator") and the debug heap's (_CrtIsValidHeapPointer(block): a pointer freed twice or not
  // from this heap). Only these: "Expression:" alone is too common a word to be a death message.
  /^Expression: (?:.*(?:out of range|dereferenc|incrementable|decrementable|incompatible|cannot seek|iterator)|_CrtIsValidHeapPointer|__acrt_first_block_is_valid_heap_pointer|__acrt_first_block == header|is_block_type_valid|_BLOCK_TYPE_IS_VALID)/,
  // Its "Debug Error!" dialog when a freed block's guard bytes were overwritten.
  /^HEAP CORRUPTION DETECTED: /,
  /Check failed: /,
  /^Fatal glibc error: /,
  // V8's fatal errors as Node.js prints them (node::OnFatalError / OOMErrorHandler: "FATAL ERROR:
  // <location> <message>"): an API check ("FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal",
  // "HandleScope::HandleScope Entering the V8 API without proper locking in place"), N-API's fatal
  // errors ("napi_...", "Error::ThrowAsJavaScriptException napi_throw"), and the heap running out
  // ("Reached heap limit", "CALL_AND_RETRY_LAST", "Ineffective mark-compacts near heap limit",
  // "invalid array length", "MarkCompactCollector: young object promotion failed", "Scavenger:
  // semi-space copy", ... each with "Allocation failed - JavaScript heap out of memory"). Not any
  // "FATAL ERROR:" an application logs: that one near an unrelated trace is not its message.
  /^FATAL ERROR: (?:(?:v8|node|Napi|HandleScope|Error)::|napi_|Reached heap limit|CALL_AND_RETRY_LAST|Ineffective mark-compacts|invalid (?:array length|table size|string length)|MarkCompactCollector|Scavenger|NewSpace|Committing semi space|.*Allocation failed - )/,
  // Gecko's deliberate crashes and assertions: "Hit MOZ_CRASH(reason) at file:line", "Assertion failure: x, at file:line".
  /^Hit MOZ_CRASH\(/,
  /^Assertion failure: .*, at \S+:\d+/,
  // libc++abi (macOS, clang's libc++) and tcmalloc/jemalloc reports.
  /^libc\+\+abi(?:\.dylib)?: terminating/,
  /^src\/tcmalloc\.cc:\d+\] Attempt to free invalid pointer/,
  /has been already deallocated|Attempt to free invalid pointer/,
  /^<jemalloc>: /,
  // Rust: an allocation failure, a stack overflow, a runtime abort, a panic's message.
  /^memory allocation of \d+ bytes failed/,
  /^thread '.*' has overflowed its stack/,
  /^fatal runtime error: /,
  /^thread '.*' panicked at /,
  // MongoDB's failed invariant() and fassert() (parse/mongodb.ts writes its JSON log's in these words).
  /^Invariant failure .+ \S+ \d+$/,
  /^Fatal Assertion \S+ at \S+ \d+$/,
  // Go's fatal errors and panics, which say what went wrong in the runtime's own words.
  /^fatal error: /,
  /^panic: /,
  // Objective-C/Swift and Qt fatal messages.
  /^ASSERT(?: failure)? in .*: ".*"/,
  // Qt's Q_ASSERT (qt_assert): 'ASSERT: "index >= 0" in file model.cpp, line 142'.
  /^ASSERT: ".*" in file /,
  // Swift's runtime trap; Xcode shows it as the stopped thread's banner ("Thread 1: Fatal error: ...").
  /^(?:Thread \d+: )?Fatal error: /,
  // Fatal log lines before a sanitizer's report of the abort: Chromium's "[...:FATAL:file.cc(12)] ..."
  // (DCHECK failed, NOTREACHED hit, Assert failed), glog's "F0812 21:22:15.159294 61315 file.cc:89] ...",
  // Envoy's "[critical][assert] ...] assert failure: ...", WebKit's, GLib's and V8's assertions,
  // V8's out-of-memory, and a glibc assertion cut short by the log.
  /^\[[^\]]*:FATAL:[^\]]*\] \S/,
  /^F\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^\]]+\] \S/,
  /\] (?:assert failure: |panic: )/,
  /^ASSERTION FAILED: /,
  /: assertion failed: /,
  // gRPC's GPR_ASSERT before 1.65 (gpr_log): "E0412 09:14:03.120045000 1231454 sync.cc:92]   assertion failed: x == 0".
  /^[EF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\]\s+assertion failed: /,
  // libc++'s hardened assertions: "include/c++/v1/optional:2343: assertion this->has_value() failed: <why>";
  // libc++ 18+ says "libc++ Hardening assertion ... failed: <why>".
  /:\d+: ?(?:libc\+\+ Hardening )?assertion .+ failed: /,
  /^abort: (?:CSA_ASSERT|CSA_DCHECK|Torque assert)/,
  /^# Fatal (?:process )?out of memory/,
  /: Assertion `.* failed\.$/,
  // Centipede's watchdog, before it aborts the run ("========= Per-input timeout exceeded: 26 > 25 (sec); exiting").
  /^=+ (?:Stack limit|Per-input timeout|Per-batch timeout|RSS limit) exceeded: /,
  // Other languages' runtimes' words for the error that ended the process: Kotlin/Native's uncaught
  // exception, .NET's unhandled exception (also a Native AOT build's), druntime's uncaught Error
  // ("core.exception.AssertError@src/a.d(12): Assertion failure"), Nim's fatal signal ("SIGSEGV:
  // Illegal storage access. (Attempt to read from nil?)").
  /^Uncaught Kotlin exception: \S/,
  /^Unhandled [Ee]xception[.:] (?:[A-Za-z_]\w*\.)+\w*(?:Exception|Error)\b/,
  /^(?:[a-z_]\w*\.)+\w*(?:Error|Exception)@\S*\(\d+\)/,
  /^Error: unhandled exception: .* \[\w+(?:Defect|Error)\]$/,
  /^SIG(?:SEGV|BUS|FPE|ILL|ABRT): (?:Illegal storage access|Arithmetic error|Illegal operation|Abnormal termination)/,
];

/** ABORT_MESSAGES as one alternation: one regex run per line instead of one per message kind (a
 *  trace's every line is asked). The same answer as trying each: none has flags or backreferences. */
export const ANY_ABORT_MESSAGE = new RegExp(ABORT_MESSAGES.map((re) => `(?:${re.source})`).join('|'));

/** Old glibc's wrapper around a malloc message: the message is what rules and readers know. */
const OLD_GLIBC = /^\*\*\* (?:Error in `[^`]*'|glibc detected \*\*\* \S+): (.+?)(?: \*\*\*)?$/;

/** Android's debuggerd quotes the message abort() was given (parse/android-tombstone.ts keeps the line). */
const ANDROID_ABORT = /^Abort message: '(.+)'$/;

/** V8's fatal errors: "# Fatal error in src/x.cc, line 12", then the message as its own "# ..." line. */
const V8_FATAL = /^#\s*Fatal error in /;

export function findAbortMessage(lines: { text: string }[]): string | null {
  // Android states the message outright: whatever it says is the message.
  for (const { text } of lines) {
    const android = text.length <= 2000 && text.startsWith('Abort message: ') ? ANDROID_ABORT.exec(text.trim()) : null;
    if (android) return android[1]!;
  }
  // Lines before a trace come nearest first: the message is the "# ..." line next to the header
  // on either side (the other neighbour is V8's empty "#" line).
  const v8 = lines.findIndex(({ text }) => V8_FATAL.test(text.trim()));
  if (v8 >= 0) {
    const message = [lines[v8 + 1], lines[v8 - 1]].map((l) => l?.text.trim() ?? '').find((t) => /^#\s*\S/.test(t) && !V8_FATAL.test(t) && !/^#\s*\d+\s/.test(t));
    if (message) return message.replace(/^#\s*/, '');
  }
  // A sanitizer's "AddressSanitizer:DEADLYSIGNAL" may be glued to the message the program printed
  // without a newline ("memory allocation of 4096 bytes failedAddressSanitizer:DEADLYSIGNAL").
  const found = lines
    .filter(({ text }) => text.length <= 2000 && ANY_ABORT_MESSAGE.test(text.trim()))
    .map((l) => l.text.trim().replace(/(?<=\S)(?:ASAN|HWAddressSanitizer|AddressSanitizer|UndefinedBehaviorSanitizer|MemorySanitizer|ThreadSanitizer|LeakSanitizer):DEADLYSIGNAL$/, ''))
    .map((t) => OLD_GLIBC.exec(t)?.[1] ?? t);
  // libstdc++ prints "pure virtual method called" and then, as a consequence, "terminate called
  // without an active exception": the first one says what happened.
  if (found[0]?.startsWith('terminate called without an active exception')) {
    const cause = found.find((t) => t.startsWith('pure virtual method called'));
    if (cause) return cause;
  }
  return found[0] ?? null;
}
