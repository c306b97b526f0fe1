// The one vocabulary of the crash model: every crash kind, input format, thread role, crashed-thread
// reason and rule category the stages produce or accept. Parsers and normalize/ keep producing these
// exact strings (signatures hash the crash kind, so renaming one regroups crashes: bump
// SIGNATURE_VERSION); the rule schema and `coredx rules lint` check a rule's values against them, so a
// typo ("SIGSEV", "gbd", "heap-use-after-fre") is an error with a "did you mean", never a rule that
// silently never fires.
//
// Adding a crash kind, format or role to a parser means adding it here too: test/unit/model/vocabulary.test.ts
// runs every sample and fails on a value this file does not know.

/** Linux signals, with their numbers and gdb's description of each. */
export const SIGNALS = [
  { name: 'SIGHUP', number: 1, description: 'Hangup' },
  { name: 'SIGINT', number: 2, description: 'Interrupt' },
  { name: 'SIGQUIT', number: 3, description: 'Quit' },
  { name: 'SIGILL', number: 4, description: 'Illegal instruction' },
  { name: 'SIGTRAP', number: 5, description: 'Trace/breakpoint trap' },
  { name: 'SIGABRT', number: 6, description: 'Aborted' },
  { name: 'SIGBUS', number: 7, description: 'Bus error' },
  { name: 'SIGFPE', number: 8, description: 'Arithmetic exception' },
  { name: 'SIGKILL', number: 9, description: 'Killed' },
  { name: 'SIGUSR1', number: 10, description: 'User defined signal 1' },
  { name: 'SIGSEGV', number: 11, description: 'Segmentation fault' },
  { name: 'SIGUSR2', number: 12, description: 'User defined signal 2' },
  { name: 'SIGPIPE', number: 13, description: 'Broken pipe' },
  { name: 'SIGALRM', number: 14, description: 'Alarm clock' },
  { name: 'SIGTERM', number: 15, description: 'Terminated' },
  { name: 'SIGSTKFLT', number: 16, description: 'Stack fault' },
  { name: 'SIGCHLD', number: 17, description: 'Child status changed' },
  { name: 'SIGCONT', number: 18, description: 'Continued' },
  { name: 'SIGSTOP', number: 19, description: 'Stopped (signal)' },
  { name: 'SIGTSTP', number: 20, description: 'Stopped (user)' },
  { name: 'SIGTTIN', number: 21, description: 'Stopped (tty input)' },
  { name: 'SIGTTOU', number: 22, description: 'Stopped (tty output)' },
  { name: 'SIGURG', number: 23, description: 'Urgent I/O condition' },
  { name: 'SIGXCPU', number: 24, description: 'CPU time limit exceeded' },
  { name: 'SIGXFSZ', number: 25, description: 'File size limit exceeded' },
  { name: 'SIGVTALRM', number: 26, description: 'Virtual timer expired' },
  { name: 'SIGPROF', number: 27, description: 'Profiling timer expired' },
  { name: 'SIGWINCH', number: 28, description: 'Window size changed' },
  { name: 'SIGIO', number: 29, description: 'I/O possible' },
  { name: 'SIGPWR', number: 30, description: 'Power fail/restart' },
  { name: 'SIGSYS', number: 31, description: 'Bad system call' },
  // Names gdb, lldb and Go print besides the numbered ones (real-time signals, aliases, macOS).
  { name: 'SIGRTMIN', number: 34, description: 'Real-time event 34' },
  { name: 'SIGRTMAX', number: 64, description: 'Real-time event 64' },
  { name: 'SIGIOT', number: 6, description: 'IOT trap (SIGABRT)' },
  { name: 'SIGPOLL', number: 29, description: 'Pollable event (SIGIO)' },
  { name: 'SIGCLD', number: 17, description: 'Child status changed (SIGCHLD)' },
  { name: 'SIGEMT', number: 7, description: 'Emulation trap (not on Linux)' },
  { name: 'SIGINFO', number: 29, description: 'Information request (not on Linux)' },
  { name: 'SIGLOST', number: 29, description: 'Resource lost (not on Linux)' },
] as const;
export type SignalName = (typeof SIGNALS)[number]['name'];
export const SIGNAL_NAMES: readonly string[] = SIGNALS.map((s) => s.name);

/** A family of values sharing a shape: literal text with `<word>` (one or more [A-Za-z0-9_.]),
 *  `<n>` (digits) and `<text>` (words, spaces and punctuation but no `-`: names, numbers, prose
 *  the tool printed, never a hyphenated verdict) holes. */
export interface VocabularyFamily {
  /** As written in docs and messages: "ubsan: <check>", "SIG<n>". */
  template: string;
  description: string;
}

/** Signals gdb and the signal parsers print by number when they have no name for it ("SIG40"). */
export const SIGNAL_FAMILIES: readonly VocabularyFamily[] = [
  { template: 'SIG<n>', description: 'a signal without a name, by its number (signals.ts signalName)' },
];

export interface CrashKindEntry {
  kind: string;
  /** Who produces it. */
  source: 'signal' | 'libfuzzer' | 'asan' | 'lsan' | 'msan' | 'tsan' | 'hwasan' | 'ubsan' | 'valgrind' | 'go' | 'rust' | 'windows' | 'normalize';
  description: string;
}

const k = (source: CrashKindEntry['source'], kind: string, description: string): CrashKindEntry => ({ kind, source, description });

/**
 * Every crash kind a parser or normalize/ produces (the report's `crashKind`, the signature's first
 * part). A deadly signal is its name (sanitizers map their "SEGV on unknown address" to SIGSEGV too);
 * otherwise the tool's verdict in its own words.
 */
export const CRASH_KINDS: readonly CrashKindEntry[] = [
  // normalize/build-report.ts: no signal and no verdict.
  k('normalize', 'UNKNOWN', 'the trace did not say how the program died (no signal shown)'),
  k('normalize', 'hang', 'no signal and no verdict, and every thread waits (normalize/build-report.ts detectHang)'),
  // Sanitizers (parse/sanitizer.ts kindOf): AddressSanitizer's bug kinds as its header names them.
  k('asan', 'heap-use-after-free', 'access to freed heap memory (ASan, TSan, HWASan; Valgrind: invalid access inside a free\'d block)'),
  k('asan', 'heap-buffer-overflow', 'access outside a heap block (Valgrind: next to an alloc\'d block)'),
  k('asan', 'stack-buffer-overflow', 'access past a stack variable (Windows: a /GS stack cookie check failed, fast fail subcode 2)'),
  k('asan', 'stack-buffer-underflow', 'access before a stack variable'),
  k('asan', 'dynamic-stack-buffer-overflow', 'access outside an alloca() block'),
  k('asan', 'global-buffer-overflow', 'access outside a global variable'),
  k('asan', 'stack-use-after-return', 'access to a returned function\'s stack frame (Valgrind: below the stack pointer)'),
  k('asan', 'stack-use-after-scope', 'access to a stack variable after its scope ended'),
  k('asan', 'use-after-poison', 'access to memory the program poisoned'),
  k('asan', 'container-overflow', 'access past a container\'s size (annotated std::vector/string)'),
  k('asan', 'intra-object-overflow', 'access to another field of the same object'),
  k('asan', 'initialization-order-fiasco', 'a global read before its initializer ran'),
  k('asan', 'unknown-crash', 'an access ASan could not classify'),
  k('asan', 'double-free', 'a block freed twice (ASan "attempting double-free"; Valgrind: invalid free of a free\'d block)'),
  k('asan', 'bad-free', 'free of memory that was not allocated (ASan, Valgrind)'),
  k('asan', 'new-delete-type-mismatch', 'delete with a size different from new\'s (ASan, Valgrind)'),
  k('asan', 'alloc-dealloc-mismatch', 'freed with a function that does not match the allocation (Valgrind; ASan adds the pair, see the families)'),
  k('asan', 'calloc-overflow', 'calloc() arguments overflow'),
  k('asan', 'reallocarray-overflow', 'reallocarray() arguments overflow'),
  k('asan', 'pvalloc-overflow', 'pvalloc() size overflow'),
  k('asan', 'invalid-allocation-alignment', 'invalid alignment requested'),
  k('asan', 'invalid-aligned-alloc-alignment', 'aligned_alloc() with an invalid alignment'),
  k('asan', 'invalid-posix-memalign-alignment', 'posix_memalign() with an invalid alignment'),
  k('asan', 'allocation-size-too-big', 'an allocation above the allocator\'s limit'),
  k('asan', 'allocator-returned-null', 'ASan: "allocator is terminating the process instead of returning 0"'),
  k('asan', 'rss-limit-exhausted', 'ASan\'s RSS limit (-rss_limit_mb) was exceeded'),
  k('asan', 'negative-size-param', 'a negative size passed to a memory function'),
  k('asan', 'memcpy-param-overlap', 'memcpy() with overlapping ranges (ASan; Valgrind: see the families)'),
  k('asan', 'malloc-usable-size-not-owned', 'malloc_usable_size() of memory not from malloc'),
  k('asan', 'stack-overflow', 'the stack ran out (ASan; Valgrind "can\'t grow stack"; Windows EXCEPTION_STACK_OVERFLOW)'),
  k('asan', 'unknown', 'a sanitizer header without a verdict'),
  // LeakSanitizer.
  k('lsan', 'memory-leak', 'leaked memory (LSan; Valgrind definitely or indirectly lost)'),
  k('lsan', 'indirect-memory-leak', 'LSan found indirect leaks only'),
  // MemorySanitizer (and Valgrind's uninitialised-value errors).
  k('msan', 'use-of-uninitialized-value', 'a branch or call on an uninitialized value (MSan, Valgrind)'),
  // ThreadSanitizer.
  k('tsan', 'data race', 'two threads access the same memory without ordering, one writes'),
  k('tsan', 'lock-order-inversion (potential deadlock)', 'mutexes taken in inconsistent orders'),
  k('tsan', 'thread leak', 'a thread never joined nor detached'),
  k('tsan', 'destroy of a locked mutex', 'a mutex destroyed while held'),
  k('tsan', 'double lock of a mutex', 'a non-recursive mutex locked twice'),
  k('tsan', 'unlock of an unlocked mutex (or by a wrong thread)', 'unlock without a matching lock'),
  k('tsan', 'read lock of a write locked mutex', 'reader lock while the writer lock is held'),
  k('tsan', 'read unlock of a write locked mutex', 'reader unlock of a writer-held lock'),
  k('tsan', 'use of an invalid mutex (e.g. uninitialized or destroyed)', 'a mutex used before init or after destroy'),
  k('tsan', 'signal-unsafe call inside of a signal', 'an async-signal-unsafe call in a signal handler'),
  k('tsan', 'signal handler spoils errno', 'a signal handler changed errno'),
  k('tsan', 'heap-use-after-free (virtual call vs free)', 'a virtual call on a freed object'),
  k('tsan', 'mutex held in the wrong context', 'a mutex held where it must not be'),
  // HWAddressSanitizer.
  k('hwasan', 'tag-mismatch', 'a pointer tag did not match the memory tag (use after free or overflow)'),
  k('hwasan', 'invalid-free', 'free of memory with a mismatching tag'),
  k('hwasan', 'allocation-tail-overwritten', 'a heap object\'s tail was written to'),
  // Valgrind's own verdicts where the sanitizers have no word (parse/valgrind.ts crashKind).
  k('valgrind', 'possible-memory-leak', 'possibly lost blocks'),
  k('valgrind', 'still-reachable', 'blocks still reachable at exit'),
  k('valgrind', 'valgrind: invalid-read', 'an invalid read Valgrind could not place in a block'),
  k('valgrind', 'valgrind: invalid-write', 'an invalid write Valgrind could not place in a block'),
  k('valgrind', 'valgrind: syscall-unaddressable', 'a syscall parameter points to unaddressable bytes'),
  k('valgrind', 'valgrind: unaddressable-client-check', 'a client check request found unaddressable bytes'),
  k('valgrind', 'valgrind: fishy-argument', 'a size argument that looks negative'),
  k('valgrind', 'valgrind: invalid-jump', 'a jump to an invalid address'),
  k('valgrind', 'valgrind: invalid-alignment', 'an invalid alignment value'),
  k('valgrind', 'valgrind: invalid-mempool', 'an illegal memory pool address'),
  k('valgrind', 'valgrind: realloc-size-zero', 'realloc() with size 0'),
  // libFuzzer's own reports (parse/libfuzzer.ts), when no sanitizer report came first.
  k('libfuzzer', 'deadly-signal', 'libFuzzer caught a deadly signal it does not name (SIGABRT when abort() is under its handler)'),
  k('libfuzzer', 'out-of-memory', 'out of memory: libFuzzer\'s -rss_limit_mb or -malloc_limit_mb; ASan\'s "out of memory: allocator is trying to allocate"'),
  k('libfuzzer', 'timeout', 'one input ran longer than -timeout'),
  k('libfuzzer', 'fuzz-target-exited', 'the fuzz target called exit()'),
  k('libfuzzer', 'overwrites-const-input', 'the fuzz target wrote to its const input'),
  k('libfuzzer', 'libfuzzer-error', 'another libFuzzer error'),
  // Go and Rust.
  k('go', 'go-panic', 'a Go panic without a signal'),
  k('go', 'go-fatal-error', 'a Go runtime fatal error without a signal'),
  k('go', 'deadlock', 'Go: "all goroutines are asleep - deadlock!"'),
  k('go', 'concurrent-map-access', 'Go: "concurrent map writes" / "concurrent map read and map write"'),
  k('rust', 'rust-panic', 'a Rust panic'),
  // Windows exception codes the signal alone would lose (parse/windows-exception.ts); a stack
  // overflow (0xC00000FD) is "stack-overflow" and a /GS cookie check "stack-buffer-overflow", as above.
  k('windows', 'heap-corruption', 'Windows: the heap manager found its structures damaged and ended the process (STATUS_HEAP_CORRUPTION, 0xC0000374)'),
];

/** UBSan checks, as parse/sanitizer.ts ubsanKind names them; the crash kind is "ubsan: <check>". */
export const UBSAN_CHECKS = [
  'division-by-zero', 'null-pointer-use', 'signed-integer-overflow', 'unsigned-integer-overflow', 'index-out-of-bounds',
  'misaligned-address', 'invalid-value', 'invalid-shift', 'cfi-bad-cast', 'implicit-conversion', 'pointer-overflow',
  'unreachable', 'bad-cast', 'function-type-mismatch', 'assumption-violation', 'vla-bound', 'object-size', 'float-cast-overflow',
  'undefined-behavior',
] as const;

/** Crash kinds with a variable part. */
export const CRASH_KIND_FAMILIES: readonly VocabularyFamily[] = [
  ...SIGNAL_FAMILIES,
  { template: 'alloc-dealloc-mismatch (<text> vs <text>)', description: 'ASan: the allocation and deallocation functions ("malloc vs operator delete")' },
  { template: '<word>-param-overlap', description: 'Valgrind: "Source and destination overlap in strcpy(...)" (memcpy, strcpy, strncat...)' },
  { template: 'odr-violation (<text>)', description: 'ASan: a global defined in several modules' },
];

/** Every crash kind as a literal: the signals, the verdicts, and "ubsan: <check>" for each check. */
export const CRASH_KIND_NAMES: readonly string[] = [
  ...SIGNAL_NAMES,
  ...CRASH_KINDS.map((c) => c.kind),
  ...UBSAN_CHECKS.map((c) => `ubsan: ${c}`),
];

/** Input formats: every TraceParser's format, the formats a parser switches to, and core files. */
export const FORMATS = [
  'gdb', 'lldb',
  // parse/sanitizer.ts: the tool that wrote the report; `sanitizer-stack` for a stack pasted
  // without its report (which tool, and what it found, unknown).
  'asan', 'lsan', 'msan', 'tsan', 'hwasan', 'ubsan', 'sanitizer-stack',
  'valgrind',
  // parse/glog.ts: glog's handler, or Abseil's and folly's that print the same shape.
  'glog', 'abseil', 'folly',
  'backtrace_symbols',
  // parse/elfutils.ts: eu-stack, or systemd's coredumpctl info.
  'eu-stack', 'coredumpctl',
  // parse/apple-crash.ts: macOS/iOS crash reports (Console, DiagnosticReports).
  'apple-crash',
  // parse/minidump.ts: minidump_stackwalk's text (Breakpad, Crashpad, rust-minidump).
  'minidump',
  // parse/faulthandler.ts: Python's faulthandler dump of a native extension's crash.
  'python-faulthandler',
  // parse/android-tombstone.ts: Android's debuggerd tombstones and their logcat lines.
  'android-tombstone',
  // parse/backward-cpp.ts: backward-cpp's printer and signal handler.
  'backward-cpp',
  // parse/boost-stacktrace.ts: boost::stacktrace's text.
  'boost-stacktrace',
  // parse/go-race.ts: Go's race detector ("WARNING: DATA RACE").
  'go-race',
  // parse/node-native.ts: Node.js's FATAL ERROR and assertion dumps with their native stack.
  'node',
  // parse/libbacktrace.ts: libbacktrace's two-line frames (GCC's internal compiler errors, gdb's own crashes).
  'libbacktrace',
  // parse/jvm-hs-err.ts: the JVM's fatal error report (a crash in JNI or JVM code).
  'jvm',
  // parse/xcode.ts: Xcode's Debug navigator copied as text.
  'xcode',
  // parse/gdb-mi.ts: GDB/MI records in IDE debug logs (cpptools, CLion, Eclipse CDT).
  'gdb-mi',
  // parse/mozilla.ts: Gecko's MozStackWalk dumps after MOZ_CRASH or a failed MOZ_ASSERT.
  'mozilla',
  // parse/visual-studio.ts, parse/windbg.ts, parse/windows-event.ts: Windows crashes (Visual Studio's
  // Call Stack window, WinDbg/cdb stacks and !analyze -v, Windows Error Reporting's Application Error event).
  'visual-studio', 'windbg', 'windows-event',
  // parse/envoy.ts, parse/clickhouse.ts, parse/godot.ts, parse/unreal.ts: applications' own crash
  // handlers' dumps (parse/handler-dump.ts reads them).
  'envoy', 'clickhouse', 'godot', 'unreal',
  // parse/pytorch.ts: the backtrace of PyTorch's c10::Error (a failed TORCH_CHECK or CUDA check).
  'pytorch',
  // parse/esp-idf.ts: ESP-IDF's panic handler on an ESP32's serial console.
  'esp-idf',
  // parse/linux-oops.ts: a Linux kernel oops or KASAN report (a driver's crash).
  'linux-kernel',
  // parse/mono.ts: Mono's native crash report (Unity, Xamarin, .NET on Mono).
  'mono',
  // parse/julia.ts: Julia's report of a fatal signal (a ccall'd library's crash).
  'julia',
  // parse/openmpi.ts, parse/ucx.ts, parse/gfortran.ts, parse/forrtl.ts: HPC runtimes' own signal
  // reports (Open MPI's, UCX's, the gfortran and Intel Fortran runtimes').
  'openmpi', 'ucx', 'gfortran', 'forrtl',
  // parse/wine.ts: Wine's debugger on an unhandled exception; parse/matlab.ts: MATLAB's crash report
  // (a MEX file's crash); parse/wasm.ts: a WebAssembly trap as the JavaScript engine reports it;
  // parse/compute-sanitizer.ts: NVIDIA compute-sanitizer's errors in a CUDA kernel.
  'wine', 'matlab', 'wasm', 'compute-sanitizer',
  // parse/mongodb.ts: MongoDB's structured-log BACKTRACE (the stack as a JSON array in one line).
  'mongodb',
  // parse/freebsd-kernel.ts: a FreeBSD kernel panic's KDB backtrace.
  'freebsd-kernel',
  // parse/blender.ts, parse/obs.ts: applications' own crash files on Windows (Blender's crash.txt,
  // OBS Studio's crash log); parse/dotnet.ts: .NET's fatal error with its managed stack.
  'blender', 'obs', 'dotnet',
  // parse/swift-backtrace.ts, parse/zig.ts: the Swift runtime's backtracer (5.9+) and Zig's panic and
  // signal handlers.
  'swift-backtrace', 'zig',
  // parse/dart-vm.ts, parse/crystal.ts, parse/nim.ts, parse/d-runtime.ts, parse/kotlin-native.ts,
  // parse/hashlink.ts: other languages' runtimes' own crash output (the Dart VM's "===== CRASH =====",
  // Crystal's segfault handler, Nim's traceback, druntime's uncaught Error, Kotlin/Native's uncaught
  // exception, HashLink's "SIGNAL 11").
  'dart-vm', 'crystal', 'nim', 'd-runtime', 'kotlin-native', 'hashlink',
  // parse/xorg.ts: the X server's backtrace in its log; parse/abrt.ts, parse/apport.ts: Fedora's and
  // Ubuntu's crash reporters' reports (ABRT's truncated backtrace, apport's StacktraceTop);
  // parse/macos-sample.ts: macOS' sample call graph of a hung process.
  'xorg', 'abrt', 'apport', 'macos-sample',
  // parse/ide-frames.ts: an IDE's call-stack pane copied as text (CLion's Frames list).
  'ide-frames',
  'rust', 'go', 'butil',
  // parse/butil.ts: Chromium's base::debug stack dumps, read by the butil reader.
  'chromium',
  // parse/libfuzzer.ts, parse/llvm.ts (LLVM's crash handler: clang, lld, opt...), parse/ceph.ts,
  // parse/redis.ts (the servers' own crash reports).
  'libfuzzer', 'llvm', 'ceph', 'redis',
  // parse/extract.ts: no trace, only a fatal notice ("Segmentation fault (core dumped)").
  'notice',
  // core/: native reading only, or merged with the debugger's stacks.
  'core', 'core+gdb', 'core+lldb',
] as const;
export type Format = (typeof FORMATS)[number];

/** What a stack is when a report holds several (sanitizers, Valgrind, Go). */
export const THREAD_ROLES = [
  { role: 'access', description: 'the faulting access (the first stack)' },
  { role: 'freed-by', description: 'where the block was freed' },
  { role: 'allocated-by', description: 'where the block was allocated' },
  { role: 'previous-access', description: 'TSan: the other, earlier access of the race' },
  { role: 'location', description: 'TSan: where the raced-on heap block was allocated' },
  { role: 'mutex-created', description: 'TSan: where a mutex involved was created' },
  { role: 'thread-created', description: 'TSan: where a thread involved was created' },
  { role: 'origin', description: 'MSan/Valgrind: where the uninitialized value was created' },
  { role: 'direct-leak', description: 'LSan: a directly leaked block' },
  { role: 'indirect-leak', description: 'LSan: a block leaked through another' },
  { role: 'leak', description: 'Valgrind: a leak record\'s allocation stack' },
  { role: 'heap-profile', description: 'ASan rss-limit report: a live allocation' },
  { role: 'stack', description: 'a further stack the header did not label' },
  { role: 'runtime', description: 'Go: the runtime\'s own stack' },
] as const;
export type ThreadRole = (typeof THREAD_ROLES)[number]['role'];
export const THREAD_ROLE_NAMES: readonly string[] = THREAD_ROLES.map((r) => r.role);

/** How the crashing thread was chosen (Report.crashedThreadReason), strongest first. */
export const CRASHED_THREAD_REASONS = [
  'core-signal', 'current-thread', 'received-signal', 'selected-thread', 'stop-reason', 'signal-frame', 'lock-wait',
  'only-thread', 'first-running-thread', 'first-thread', 'none',
] as const;

/** Rule categories: what kind of bug a diagnosis names. */
export const CATEGORIES = [
  'null-deref', 'use-after-free', 'double-free', 'heap-corruption', 'stack-overflow', 'uncaught-exception',
  'assertion', 'pure-virtual-call', 'arithmetic', 'bus-error', 'deadlock', 'static-destruction-order',
  'out-of-memory', 'abi-mismatch', 'data-race', 'uninitialized-memory', 'memory-leak', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

// ---------------------------------------------------------------------------------------------
// Membership, glob reachability and suggestions.

/** A pattern piece: a literal character, or a class of characters, optionally repeated. */
type Atom = { chars: 'any' | 'word' | 'digit' | 'text' | string; repeat: 'one' | 'many' | 'some' };

/** Rule globs (`*` any run, `?` one character), case-insensitive like the conditions. */
function globAtoms(glob: string): Atom[] {
  return [...glob.toLowerCase()].map((c): Atom => (c === '*' ? { chars: 'any', repeat: 'many' } : c === '?' ? { chars: 'any', repeat: 'one' } : { chars: c, repeat: 'one' }));
}

/** Family templates: `<word>`, `<n>`, `<text>` holes (each at least one character). */
function templateAtoms(template: string): Atom[] {
  const out: Atom[] = [];
  for (const part of template.toLowerCase().split(/(<word>|<n>|<text>)/)) {
    if (part === '<word>') out.push({ chars: 'word', repeat: 'some' });
    else if (part === '<n>') out.push({ chars: 'digit', repeat: 'some' });
    else if (part === '<text>') out.push({ chars: 'text', repeat: 'some' });
    else for (const c of part) out.push({ chars: c, repeat: 'one' });
  }
  return out;
}

const inClass = (c: string, cls: string): boolean =>
  cls === 'any' ? true : cls === 'word' ? /^[a-z0-9_.]$/.test(c) : cls === 'digit' ? /^[0-9]$/.test(c) : cls === 'text' ? c !== '-' : c === cls;

/** Some character belongs to both. */
function overlap(a: string, b: string): boolean {
  if (a.length === 1) return inClass(a, b);
  if (b.length === 1) return inClass(b, a);
  return true; // any, word, digit and text all hold the digits
}

/**
 * Whether some string matches both patterns: a product walk of their two automata. `some` atoms
 * (one or more) are split into a mandatory step and a `many` tail.
 */
function intersects(a: Atom[], b: Atom[]): boolean {
  const expand = (atoms: Atom[]) => atoms.flatMap((x): Atom[] => (x.repeat === 'some' ? [{ chars: x.chars, repeat: 'one' }, { chars: x.chars, repeat: 'many' }] : [x]));
  const A = expand(a);
  const B = expand(b);
  const seen = new Set<string>();
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const key = `${i},${j}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === A.length && j === B.length) return true;
    const x = A[i];
    const y = B[j];
    // A `many` atom may match nothing.
    if (x?.repeat === 'many') stack.push([i + 1, j]);
    if (y?.repeat === 'many') stack.push([i, j + 1]);
    if (x && y && overlap(x.chars, y.chars)) {
      // Consume one character on both sides; a `many` atom may stay.
      stack.push([x.repeat === 'many' ? i : i + 1, y.repeat === 'many' ? j : j + 1]);
    }
  }
  return false;
}

export interface Vocabulary {
  /** What the values are called in messages ("signal", "crash kind"). */
  noun: string;
  values: readonly string[];
  families: readonly VocabularyFamily[];
}

export const SIGNAL_VOCABULARY: Vocabulary = { noun: 'signal', values: SIGNAL_NAMES, families: SIGNAL_FAMILIES };
export const CRASH_KIND_VOCABULARY: Vocabulary = { noun: 'crash kind', values: CRASH_KIND_NAMES, families: CRASH_KIND_FAMILIES };
export const FORMAT_VOCABULARY: Vocabulary = { noun: 'format', values: FORMATS, families: [] };
export const ROLE_VOCABULARY: Vocabulary = { noun: 'role', values: THREAD_ROLE_NAMES, families: [] };

const lowerValues = new WeakMap<Vocabulary, Set<string>>();

/** Whether a rule's glob (or plain value) can match some value of the vocabulary (case-insensitive). */
export function globCanMatch(glob: string, vocabulary: Vocabulary): boolean {
  let lower = lowerValues.get(vocabulary);
  if (!lower) lowerValues.set(vocabulary, (lower = new Set(vocabulary.values.map((v) => v.toLowerCase()))));
  if (lower.has(glob.toLowerCase())) return true;
  const g = globAtoms(glob);
  if (!/[*?]/.test(glob)) return vocabulary.families.some((f) => intersects(g, templateAtoms(f.template)));
  // Against literal values a glob simply matches; only families need the automata product.
  const re = new RegExp(`^${[...glob.toLowerCase()].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`, 's');
  for (const v of lower) if (re.test(v)) return true;
  return vocabulary.families.some((f) => intersects(g, templateAtoms(f.template)));
}

export function isKnownCrashKind(kind: string): boolean {
  return !/[*?]/.test(kind) && globCanMatch(kind, CRASH_KIND_VOCABULARY);
}
export const isKnownSignal = (name: string): boolean => !/[*?]/.test(name) && globCanMatch(name, SIGNAL_VOCABULARY);
export const isKnownFormat = (name: string): boolean => (FORMATS as readonly string[]).includes(name);
export const isKnownRole = (name: string): boolean => THREAD_ROLE_NAMES.includes(name);

/**
 * The candidate closest to `word` (case-insensitive; a swap of two neighbours counts as one edit),
 * when it is close enough to be a typo: one edit for words up to 4 characters, two up to 8, else three.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | null = null;
  let bestD = limit + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Why a rule's value can match nothing in the vocabulary, or null when it can: `unknown signal
 * "SIGSEV" (did you mean "SIGSEGV"?)`. Globs are judged by whether they could match any entry.
 */
export function vocabularyProblem(value: string, vocabulary: Vocabulary): string | null {
  if (globCanMatch(value, vocabulary)) return null;
  const isGlob = /[*?]/.test(value);
  const guess = isGlob ? null : didYouMean(value, vocabulary.values);
  const families = vocabulary.families.length ? `, or ${vocabulary.families.map((f) => `"${f.template}"`).join(', ')}` : '';
  const known = vocabulary.values.length <= 30 ? `; known: ${vocabulary.values.join(', ')}${families}` : `; see docs/architecture.md for the ${vocabulary.noun}s coredx produces`;
  return isGlob
    ? `${vocabulary.noun} pattern "${value}" matches no ${vocabulary.noun} coredx produces${known}`
    : `unknown ${vocabulary.noun} "${value}"${guess ? ` (did you mean "${guess}"?)` : ''}${known}`;
}
