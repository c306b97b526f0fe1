// vitest globalSetup: the whole run gets one private temporary directory (TMPDIR, inherited by the
// test workers and every compiler, debugger and program they start), removed at the end, so a run
// leaves nothing in the system's temporary directory even when a test fails half-way. Folders a
// test file did not remove itself (test/support/tmp.ts tempDir does) are named in a warning first,
// and coredx-* folders that appeared in the system's temporary directory meanwhile (something that
// ignored TMPDIR) too. COREDX_STRICT_TMP=1 turns the warnings into a failed run.

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

const coredxDirs = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => n.startsWith('coredx-'));
  } catch {
    return [];
  }
};

/** A run's folder not touched for this long belongs to a run that was killed before its teardown. */
const STALE_MS = 24 * 3600 * 1000;

export default function setup(): () => void {
  // Each vitest project runs this setup in the same process: a second one must not nest its folder
  // in the first's (long paths cut a core's 80-byte command line), so siblings share the parent.
  let outer = tmpdir();
  if (basename(outer).startsWith('coredx-test-run-')) outer = dirname(outer);
  for (const name of coredxDirs(outer).filter((n) => n.startsWith('coredx-test-run-'))) {
    try {
      if (Date.now() - statSync(join(outer, name)).mtimeMs > STALE_MS) rmSync(join(outer, name), { recursive: true, force: true });
    } catch {
      // Removed meanwhile, or not ours to remove.
    }
  }
  const before = new Set(coredxDirs(outer));
  const run = mkdtempSync(join(outer, 'coredx-test-run-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = run;
  return () => {
    const left = readdirSync(run);
    rmSync(run, { recursive: true, force: true });
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    // Other runs on the machine may create coredx-* folders at the same time: only a hint.
    // Other runs' own folders (coredx-test-run-*) remove themselves.
    const appeared = coredxDirs(outer).filter((n) => !before.has(n) && !n.startsWith('coredx-test-run-'));
    const problems = [
      ...(left.length ? [`tests left ${left.length} temporary item(s) behind (removed now): ${left.slice(0, 20).join(', ')}${left.length > 20 ? ', ...' : ''}; use tempDir() from test/support/tmp.ts`] : []),
      ...(appeared.length ? [`new coredx-* folders in ${outer} (not under this run's TMPDIR, or from another run): ${appeared.slice(0, 20).join(', ')}`] : []),
    ];
    for (const p of problems) process.stderr.write(`\n[tmp check] ${p}\n`);
    if (problems.length && process.env.COREDX_STRICT_TMP === '1') throw new Error(`temporary files left behind: ${problems.join('; ')}`);
  };
}
