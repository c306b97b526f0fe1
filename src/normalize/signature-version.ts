// The signature version: which policy file (data/signature/v<N>.toml) signs reports, and the first
// part of every signature ("9:..."). CI systems store signatures (SARIF fingerprints, scan
// baselines), so any change that regroups crashes needs a new version and a new policy file.
//
// v3: skip list gained C++ standard-library headers, test and fuzzing harnesses, all of Go's runtime;
// a stack overflow signs by its recursion.
// v4: frames above <signal handler called> are skipped only when they show crash-handler machinery.
// v5: skip list gained Valgrind's replacement allocator and string routines (vg_replace_*.c, vgpreload_*.so).
// v9: every frame in glibc's own objects, libc++'s std::__1 internals, C++ exception machinery in
// libgcc_s, lock and wait machinery, old Rust std::sys backtrace frames and a program's own crash
// handler above a signal trampoline are skipped; the policy became data (data/signature/v9.toml).
export const SIGNATURE_VERSION = 9;
