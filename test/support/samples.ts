// The committed real outputs: samples/ holds most of them; the ones a bundled rule tests against
// live with the rules (rules/<pack>/samples/), so the installed package carries them. Tests look a
// sample up by name wherever it is.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const SAMPLES_DIR = join(ROOT, 'samples');

function sampleDirs(): string[] {
  const rules = join(ROOT, 'rules');
  const packs = readdirSync(rules, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(rules, d.name, 'samples'));
  return [SAMPLES_DIR, ...packs.filter((d) => existsSync(d)).sort()];
}

/** The path of a committed sample by file name (a new one goes to samples/). */
export function samplePath(name: string): string {
  for (const dir of sampleDirs()) if (existsSync(join(dir, name))) return join(dir, name);
  return join(SAMPLES_DIR, name);
}

/**
 * The real outputs of test/programs that moved from samples/ to the rule packs whose tests use them
 * (other files in rules/<pack>/samples/ are rule-specific pastes, not part of the project's sample set).
 */
const MOVED_TO_RULES = new Set([
  'asan-brpc_reenact.txt',
  'asan-heap-buffer-overflow.txt',
  'asan-heap-use-after-free.txt',
  'gdb-core-assert_fail.txt',
  'gdb-core-double_free.txt',
  'gdb-core-inlined.txt',
  'gdb-core-null_deref.txt',
  'gdb-core-pure_virtual.txt',
  'gdb-core-recursion.txt',
  'gdb-core-stripped.txt',
  'gdb-core-threads.txt',
  'gdb-core-uncaught.txt',
  'gdb-live-assert_fail.txt',
  'gdb-live-bad_alloc.txt',
  'gdb-live-brpc_reenact.txt',
  'gdb-live-divide_by_zero.txt',
  'gdb-live-double_free.txt',
  'gdb-live-exit_order.txt',
  'gdb-live-null_deref.txt',
  'gdb-live-pure_virtual.txt',
  'gdb-live-uncaught.txt',
  'glog-check-failed.txt',
  'go-panic-nil-pointer.txt',
  'lldb-core-bad_alloc.txt',
  'lldb-core-brpc_reenact.txt',
  'lldb-core-divide_by_zero.txt',
  'lldb-core-double_free.txt',
  'lldb-core-exit_order.txt',
  'lldb-core-pure_virtual.txt',
  'lldb-core-uncaught.txt',
  'lldb-live-assert_fail.txt',
  'lldb-live-double_free.txt',
  'lldb-live-null_deref.txt',
  'lldb-live-recursion.txt',
  'lldb-live-stripped.txt',
  'lsan-direct-leak.txt',
  'rust-panic.txt',
  'tsan-data-race.txt',
  'ubsan-errors.txt',
  'valgrind-double-free.txt',
  'valgrind-heap-overflow.txt',
  'valgrind-leak.txt',
  'valgrind-mismatched-delete.txt',
  'valgrind-null-deref.txt',
  'valgrind-uninitialised-condition.txt',
  'valgrind-use-after-free.txt',
]);

/** The file names of the project's samples (the outputs of test/programs, *.txt), wherever they are, sorted. */
export function sampleNames(): string[] {
  const here = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.txt'));
  const moved = sampleDirs().slice(1).flatMap((d) => readdirSync(d).filter((f) => MOVED_TO_RULES.has(f)));
  return [...new Set([...here, ...moved])].sort();
}
