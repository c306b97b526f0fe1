// The re-enacted pastes of test/pastes/ (see its README): every case is found, blames the expected
// frame and gets the expected category, except the known misses listed here with why. A case that
// regresses fails the test; a known miss that starts passing must leave the list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.js';

const DIR = join(import.meta.dirname, '..', 'pastes');
const cases = readFileSync(join(DIR, 'expected.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => {
    const [file, frame, category] = l.split('\t');
    return { file: file!, frame: frame!, category: category! };
  });

/** Not read yet, each a class of its own. */
const KNOWN_MISSES: Record<string, string> = {
  'u26_d_windows_access_violation.txt': "DMD's Windows 'object.Error@(0): Access Violation' names no fault address: a null reference is likely but not shown (category other)",
  'v30_gdb_bt_no_signal_cxa_finalize_dlclose.txt': "a static std::map destroyed by __cxa_finalize with no program frame: coredx skips the standard library's inline members (_M_erase, ~map) for their caller, and that caller is crtstuff's __do_global_dtors_aux, which it keeps (in a stripped shared object gdb names the object's own code so; the realworld labels count it as the library's, case 007)",
  'x02_rendered_md.txt': "copied from rendered Markdown, which ate glibc's double underscores (__GI___libc_free became GI__libc_free)",
};

function judge(c: (typeof cases)[number]): string | null {
  const reports = analyze(readFileSync(join(DIR, 'cases', c.file), 'utf8')).reports;
  const r = reports[0];
  if (!r) return 'no report';
  if (c.frame !== '-' && !(r.signatureFrames[0] ?? '').includes(c.frame)) return `frame "${r.signatureFrames[0] ?? ''}", expected "${c.frame}"`;
  const got = r.diagnoses[0]?.category ?? 'none';
  if (c.category !== '-' && got !== c.category) return `category ${got}, expected ${c.category}`;
  return null;
}

describe('re-enacted pastes (test/pastes)', () => {
  it('has its cases', () => expect(cases.length).toBeGreaterThanOrEqual(120));
  it.each(cases.filter((c) => !(c.file in KNOWN_MISSES)).map((c) => [c.file, c] as const))('%s', (_file, c) => {
    expect(judge(c)).toBeNull();
  });
  it.each(Object.keys(KNOWN_MISSES))('%s is still a known miss (remove it from KNOWN_MISSES once read)', (file) => {
    const c = cases.find((x) => x.file === file)!;
    expect(judge(c)).not.toBeNull();
  });
});
