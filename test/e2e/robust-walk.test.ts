// Issue 16, walking the tree: symlinks that lead out of the scanned tree (to /etc, to /proc) are
// listed as skipped, not followed, unless --follow; /proc, /sys and /dev are never entered, and
// --follow still walks a loop once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan, type ScanResult } from '../../src/scan/scan.js';
import { LEAVES_TREE_REASON } from '../../src/scan/walk.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const TRACE = (fn: string) => `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;
const rel = (root: string, r: ScanResult) => r.files.skipped.map((s) => [s.path.slice(root.length + 1), s.reason, s.error]);

function tree() {
  const top = tempDir('robust-walk');
  const root = join(top, 'artifacts');
  const outside = join(top, 'elsewhere');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'in.log'), TRACE('inside_fn'));
  writeFileSync(join(outside, 'out.log'), TRACE('outside_fn'));
  symlinkSync(outside, join(root, 'to-elsewhere'));
  symlinkSync(join(outside, 'out.log'), join(root, 'out-link.log'));
  symlinkSync('/proc', join(root, 'proc'));
  symlinkSync('/dev', join(root, 'dev'));
  symlinkSync('/sys', join(root, 'sys'));
  // A loop through the outside: elsewhere/back -> artifacts.
  symlinkSync(root, join(outside, 'back'));
  symlinkSync('../in.log', join(root, 'sub', 'inside-link.log'));
  return { root, outside };
}

describe('symlinks out of the scanned tree', () => {
  it('are listed as skipped, not followed, by default; links inside the tree still are', async () => {
    const { root } = tree();
    const r = await scan([root]);
    expect(rel(root, r)).toEqual([
      ['dev', 'system folder (/dev), not read', false],
      ['out-link.log', LEAVES_TREE_REASON, false],
      ['proc', 'system folder (/proc), not read', false],
      ['sys', 'system folder (/sys), not read', false],
      ['to-elsewhere', LEAVES_TREE_REASON, false],
    ]);
    expect(r.groups.map((g) => g.signatureText)).toEqual(['SIGSEGV | inside_fn | main']);
    expect(LEAVES_TREE_REASON).toBe('symlink leaves the scanned tree: --follow to read');
  });
  it('are followed with --follow, loops walked once, /proc, /sys and /dev still never entered', async () => {
    const { root } = tree();
    const r = await scan([root], { follow: true });
    expect(rel(root, r)).toEqual([
      ['dev', 'system folder (/dev), not read', false],
      ['proc', 'system folder (/proc), not read', false],
      ['sys', 'system folder (/sys), not read', false],
    ]);
    expect(r.groups.map((g) => [g.signatureText, g.count]).sort()).toEqual([['SIGSEGV | inside_fn | main', 1], ['SIGSEGV | outside_fn | main', 1]]);
    const cli = spawnSync(process.execPath, [BIN, 'scan', '--no-builtin', '--follow', '-f', 'json', root], { encoding: 'utf8', timeout: 60000, env: { ...process.env, GITHUB_ACTIONS: '' } });
    expect(JSON.parse(cli.stdout).totals).toMatchObject({ crashes: 2, errors: 0 });
  });
  it('never reads /proc given as an argument or through a glob', async () => {
    const r = await scan(['/proc', '/sys/*']);
    expect(r.files.skipped.map((s) => [s.path, s.reason])).toEqual([
      ['/proc', 'system folder (/proc), not read'],
      ['/sys', 'system folder (/sys), not read'],
    ]);
    expect(r.totals.scanned).toBe(0);
  });
});
