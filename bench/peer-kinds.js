// ClusterFuzz's crash types next to coredx's crash kinds: which of ClusterFuzz's verdicts coredx
// can be said to agree with, and how. Used by bench/conformance.js (the ClusterFuzz agreement
// section: found / kind / top frame).
//
// ClusterFuzz's `crash_type` is a few lines ("Heap-use-after-free\nREAD 8"); the first line is the
// kind and is what is compared. coredx's side is the report's `crashKind` (a signal name, or the
// tool's own verdict: `heap-use-after-free`, `ubsan: signed-integer-overflow`, `out-of-memory`),
// with the fault address and the abort message where ClusterFuzz's type says more than the kind:
//
// | ClusterFuzz crash type                        | coredx                                                          |
// |-----------------------------------------------|-----------------------------------------------------------------|
// | Heap-use-after-free, Heap-buffer-overflow, Stack-buffer-overflow, Container-overflow, Tag-mismatch, Use-of-uninitialized-value, ... (the tool's own word) | the same word, lower case |
// | Heap-double-free / Invalid-free                | `double-free` / `bad-free`                                       |
// | Null-dereference [READ/WRITE]                  | SIGSEGV (or SIGBUS, ASan's `unknown-crash`) with a fault address below 0x1000 (ClusterFuzz's NULL_DEREFERENCE_BOUNDARY); from UBSan `ubsan: null-pointer-use` |
// | UNKNOWN [READ/WRITE]                           | the same signals with a fault address at or above 0x1000 (or none); UBSan's `ubsan: undefined-behavior` |
// | Segv on unknown address, Invalid memory address (Go) | SIGSEGV                                                   |
// | Abrt, Ill, Bus, Floating-point-exception, SIGTRAP, Breakpoint | SIGABRT, SIGILL, SIGBUS, SIGFPE, SIGTRAP, SIGTRAP (coredx names Windows ASan's exceptions by their signals: access-violation SIGSEGV, illegal-instruction SIGILL, breakpoint SIGTRAP, int-divide-by-zero SIGFPE) |
// | Divide-by-zero                                 | `ubsan: division-by-zero`, SIGFPE                               |
// | Stack-overflow, Stack overflow (Go)            | `stack-overflow`; an abort whose message is Centipede's "Stack limit exceeded" |
// | Direct-leak / Indirect-leak                    | `memory-leak` / `indirect-memory-leak`                          |
// | Data race                                      | `data race`                                                     |
// | Integer-overflow / Unsigned-integer-overflow   | `ubsan: signed-integer-overflow` / `ubsan: unsigned-integer-overflow` |
// | Pointer-overflow, Index-out-of-bounds, Misaligned-address, Implicit-conversion, Object-size, Float-cast-overflow | `ubsan: ` + the same word |
// | Invalid-bool-value, Invalid-enum-value         | `ubsan: invalid-value`                                          |
// | Non-positive-vla-bound-value                   | `ubsan: vla-bound`                                              |
// | Assumption-violation                           | `ubsan: assumption-violation`                                   |
// | Incorrect-function-pointer-type                | `ubsan: function-type-mismatch`                                 |
// | Bad-cast                                       | `ubsan: bad-cast`, `ubsan: cfi-bad-cast`                        |
// | Upcast-of-null-pointer                         | `ubsan: null-pointer-use` (UBSan's null check prints it)        |
// | Out-of-memory                                  | `out-of-memory`, `allocation-size-too-big`, `rss-limit-exhausted`, or a fatal signal whose abort message says the allocation failed (or Centipede's RSS limit) |
// | Timeout, Unexpected-exit, Overwrites-const-input | `timeout`, `fuzz-target-exited`, `overwrites-const-input` (libFuzzer's); an abort whose message is Centipede's timeout |
// | Fatal-signal                                   | libFuzzer's `deadly-signal` or any signal                       |
// | Index out of range (Go)                        | `go-panic` whose message is a runtime index error                |
// | CHECK failure, DCHECK failure, Security (D)CHECK failure | a fatal signal (SIGABRT, SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE) with an abort message of a failed check ("Check failed", "DCHECK failed", NOTREACHED) |
// | ASSERT                                         | a fatal signal with an assertion's abort message ("assert", "not reached", "panic"); a Go or Rust panic (`go-panic`, `rust-panic`) |
// | Fatal error, Log fatal                         | a fatal signal with an abort message (what the program logged as it died) |
// | Unreachable code                               | a fatal signal with an unreachable-code abort message, `ubsan: unreachable` |
//
// Not comparable (coredx has no such verdict; they are ClusterFuzz's own bug classes or formats
// coredx does not read): Command injection, Arbitrary file open, Arbitrary DNS resolution,
// V8 sandbox violation, V8 API error, Missing-library, Uncaught exception, Security exception,
// Kernel failure, PySecSan, and cdb's bare READ/WRITE.

/** ClusterFuzz's NULL_DEREFERENCE_BOUNDARY: a fault below this address is a null dereference. */
export const NULL_PAGE = 0x1000;

const FATAL_SIGNALS = new Set(['SIGABRT', 'SIGILL', 'SIGTRAP', 'SIGSEGV', 'SIGBUS', 'SIGFPE']);
const SEGV_LIKE = new Set(['SIGSEGV', 'SIGBUS', 'unknown-crash']);

const kindIs = (...kinds) => (r) => kinds.includes(r.crashKind);
const address = (r) => (r.faultAddress && /^0x[0-9a-f]+$/i.test(r.faultAddress) ? Number.parseInt(r.faultAddress, 16) : null);
const nullPage = (r) => SEGV_LIKE.has(r.crashKind) && address(r) !== null && address(r) < NULL_PAGE;
const elsewhere = (r) => SEGV_LIKE.has(r.crashKind) && (address(r) === null || address(r) >= NULL_PAGE);
const fatalWith = (re) => (r) => FATAL_SIGNALS.has(r.crashKind) && re.test(r.abortMessage ?? '');
const any = (...ps) => (r) => ps.some((p) => p(r));

const CHECK_MESSAGE = /check failed|CHECK\(|NOTREACHED|NOTIMPLEMENTED/i;
const ASSERT_MESSAGE = /assert|not reached|panic/i;
/** A fatal error is whatever the program logged as it died (V8's "# Fatal error in" names only the file). */
const FATAL_MESSAGE = /\S/;

/** [ClusterFuzz's type (first line, exact), what coredx says for it, the predicate]. */
const TABLE = [
  ['Heap-double-free', '`double-free`', kindIs('double-free')],
  ['Invalid-free', '`bad-free`', kindIs('bad-free')],
  ['Null-dereference', 'SIGSEGV in the null page / ubsan: null-pointer-use', any(nullPage, kindIs('ubsan: null-pointer-use'))],
  ['Null-dereference READ', 'SIGSEGV in the null page / ubsan: null-pointer-use', any(nullPage, kindIs('ubsan: null-pointer-use'))],
  ['Null-dereference WRITE', 'SIGSEGV in the null page / ubsan: null-pointer-use', any(nullPage, kindIs('ubsan: null-pointer-use'))],
  ['UNKNOWN', 'SIGSEGV elsewhere / ubsan: undefined-behavior', any(elsewhere, kindIs('ubsan: undefined-behavior'))],
  ['UNKNOWN READ', 'SIGSEGV elsewhere', elsewhere],
  ['UNKNOWN WRITE', 'SIGSEGV elsewhere', elsewhere],
  ['Segv on unknown address', 'SIGSEGV', kindIs('SIGSEGV')],
  ['Invalid memory address', 'SIGSEGV', kindIs('SIGSEGV')],
  ['Abrt', 'SIGABRT', kindIs('SIGABRT')],
  ['Ill', 'SIGILL', kindIs('SIGILL')],
  ['Bus', 'SIGBUS', kindIs('SIGBUS')],
  ['Floating-point-exception', 'SIGFPE', kindIs('SIGFPE')],
  ['Divide-by-zero', 'ubsan: division-by-zero / SIGFPE', kindIs('ubsan: division-by-zero', 'SIGFPE')],
  ['SIGTRAP', 'SIGTRAP', kindIs('SIGTRAP')],
  ['Breakpoint', 'SIGTRAP', kindIs('SIGTRAP')],
  ['Stack-overflow', 'stack-overflow / an abort after Centipede\'s stack limit', any(kindIs('stack-overflow'), fatalWith(/Stack limit exceeded/))],
  ['Stack overflow', 'stack-overflow', kindIs('stack-overflow')],
  ['Direct-leak', 'memory-leak', kindIs('memory-leak')],
  ['Indirect-leak', 'indirect-memory-leak', kindIs('indirect-memory-leak')],
  ['Data race', 'data race', kindIs('data race')],
  ['Integer-overflow', 'ubsan: signed-integer-overflow', kindIs('ubsan: signed-integer-overflow')],
  ['Unsigned-integer-overflow', 'ubsan: unsigned-integer-overflow', kindIs('ubsan: unsigned-integer-overflow')],
  ['Pointer-overflow', 'ubsan: pointer-overflow', kindIs('ubsan: pointer-overflow')],
  ['Index-out-of-bounds', 'ubsan: index-out-of-bounds', kindIs('ubsan: index-out-of-bounds')],
  ['Misaligned-address', 'ubsan: misaligned-address', kindIs('ubsan: misaligned-address')],
  ['Implicit-conversion', 'ubsan: implicit-conversion', kindIs('ubsan: implicit-conversion')],
  ['Object-size', 'ubsan: object-size', kindIs('ubsan: object-size')],
  ['Float-cast-overflow', 'ubsan: float-cast-overflow', kindIs('ubsan: float-cast-overflow')],
  ['Invalid-bool-value', 'ubsan: invalid-value', kindIs('ubsan: invalid-value')],
  ['Invalid-enum-value', 'ubsan: invalid-value', kindIs('ubsan: invalid-value')],
  ['Non-positive-vla-bound-value', 'ubsan: vla-bound', kindIs('ubsan: vla-bound')],
  ['Assumption-violation', 'ubsan: assumption-violation', kindIs('ubsan: assumption-violation')],
  ['Incorrect-function-pointer-type', 'ubsan: function-type-mismatch', kindIs('ubsan: function-type-mismatch')],
  ['Bad-cast', 'ubsan: bad-cast / ubsan: cfi-bad-cast', kindIs('ubsan: bad-cast', 'ubsan: cfi-bad-cast')],
  ['Upcast-of-null-pointer', 'ubsan: null-pointer-use', kindIs('ubsan: null-pointer-use')],
  ['Out-of-memory', 'out-of-memory / allocation-size-too-big / rss-limit-exhausted / an allocation failure abort',
    any(kindIs('out-of-memory', 'allocation-size-too-big', 'rss-limit-exhausted'), fatalWith(/out of memory|memory allocation of \d+ bytes failed|\bOOM\b|RSS limit exceeded/i))],
  ['Timeout', 'timeout / an abort after Centipede\'s timeout', any(kindIs('timeout'), fatalWith(/timeout exceeded/i))],
  ['Unexpected-exit', 'fuzz-target-exited', kindIs('fuzz-target-exited')],
  ['Overwrites-const-input', 'overwrites-const-input', kindIs('overwrites-const-input')],
  ['Fatal-signal', 'deadly-signal or a signal', (r) => r.crashKind === 'deadly-signal' || /^SIG[A-Z]+$/.test(r.crashKind)],
  ['Index out of range', 'go-panic with an index error', (r) => r.crashKind === 'go-panic' && /index out of range/.test(r.abortMessage ?? '')],
  ['CHECK failure', 'a fatal signal with a failed check as abort message', fatalWith(CHECK_MESSAGE)],
  ['DCHECK failure', 'a fatal signal with a failed check as abort message', fatalWith(CHECK_MESSAGE)],
  ['Security CHECK failure', 'a fatal signal with a failed check as abort message', fatalWith(CHECK_MESSAGE)],
  ['Security DCHECK failure', 'a fatal signal with a failed check as abort message', fatalWith(CHECK_MESSAGE)],
  ['ASSERT', 'a fatal signal with an assertion as abort message, or a Go/Rust panic', any(fatalWith(ASSERT_MESSAGE), kindIs('go-panic', 'rust-panic'))],
  ['Fatal error', 'a fatal signal with an abort message', fatalWith(FATAL_MESSAGE)],
  ['Log fatal', 'a fatal signal with an abort message', fatalWith(FATAL_MESSAGE)],
  ['Unreachable code', 'a fatal signal with an unreachable-code message, ubsan: unreachable', any(fatalWith(/unreachable/i), kindIs('ubsan: unreachable'))],
];

/** ClusterFuzz's types coredx has no verdict for. */
export const NOT_COMPARABLE = new Set([
  'Command injection', 'Arbitrary file open', 'Arbitrary DNS resolution', 'V8 sandbox violation', 'V8 API error',
  'Missing-library', 'Uncaught exception', 'Security exception', 'Kernel failure', 'PySecSan', 'READ', 'WRITE',
]);

const BY_TYPE = new Map(TABLE.map(([type, says, agrees]) => [type, { says, agrees }]));

/**
 * How to compare ClusterFuzz's crash type with a coredx report: null when not comparable (no type,
 * or one of NOT_COMPARABLE); else `{ type, says, agrees(report) }`. A type neither listed nor
 * excluded is compared as the tool's own word: lower case, the same as coredx's kind.
 */
export function clusterfuzzKind(crashType) {
  const type = (crashType ?? '').split('\n')[0].trim();
  if (!type || NOT_COMPARABLE.has(type)) return null;
  const known = BY_TYPE.get(type);
  if (known) return { type, ...known };
  const word = type.toLowerCase();
  return { type, says: `\`${word}\``, agrees: (r) => r.crashKind === word };
}
