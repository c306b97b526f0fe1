// coredx scan: what a group's diagnosis is when occurrences disagree, cores and gzip content,
// symlinks and loops (walker and globs), hidden files and folders, totals, config-relative globs,
// and the binary sniff. Every tree is built in a temp dir here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { looksBinary, sniff } from '../../src/source/sniff.js';
import { scan, type ScanResult } from '../../src/scan/scan.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const tmp = (name: string) => tempDir(`${name}`);
const cli = (cwd: string, args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'scan', ...args], { encoding: 'utf8', cwd, env: { ...process.env, GITHUB_ACTIONS: '' }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const rel = (root: string, r: ScanResult) => r.files.skipped.map((s) => [s.path.slice(root.length + 1), s.reason, s.error]);

const segv = (fn: string) => `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;
const smashStack = [
  'Program terminated with signal SIGABRT, Aborted.',
  '#0  __pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=6, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44',
  '#1  0x00007ffff7aa8f4f in __pthread_kill_internal (signo=6, threadid=<optimized out>) at ./nptl/pthread_kill.c:78',
  '#2  0x00007ffff7a59fb2 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26',
  '#3  0x00007ffff7a44472 in __GI_abort () at ./stdlib/abort.c:79',
  '#4  0x00007ffff7a9d430 in __libc_message (fmt=<optimized out>) at ../sysdeps/posix/libc_fatal.c:156',
  '#5  0x00007ffff7b3a0ab in __GI___fortify_fail (msg=<optimized out>) at ./debug/fortify_fail.c:26',
  '#6  0x00007ffff7b3a086 in __stack_chk_fail () at ./debug/stack_chk_fail.c:24',
  '#7  0x0000555555555180 in parse_header (s=0x7fffffffe8a0 "AAAA") at smash.c:9',
  '#8  0x00005555555551c0 in main () at smash.c:14',
  '',
].join('\n');
const coreHeader = () => {
  const core = Buffer.alloc(64);
  core.write('\x7fELF', 0, 'latin1');
  core[4] = 2; core[5] = 1; core.writeUInt16LE(4, 16);
  return core;
};
/** Deterministic bytes that look random (xorshift), with no NUL byte. */
const noise = (n: number, seed = 12345) => {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = ((x >>> 0) % 255) + 1;
  }
  return out;
};

describe('group diagnosis', () => {
  // The same SIGABRT stack: with the glibc message before it, a critical stack smash; without, a
  // generic abort (medium). The group is critical whichever file comes first.
  for (const smashedFirst of [true, false]) {
    it(`takes the highest-ranked diagnosis of all occurrences (${smashedFirst ? 'smashed file first' : 'smashed file last'})`, async () => {
      const dir = tmp('sev');
      writeFileSync(join(dir, 'a.log'), (smashedFirst ? '*** stack smashing detected ***: terminated\n' : '') + smashStack);
      writeFileSync(join(dir, 'b.log'), (smashedFirst ? '' : '*** stack smashing detected ***: terminated\n') + smashStack);
      const one = await scan([dir], { jobs: 1 });
      const many = await scan([dir], { jobs: 8 });
      expect(JSON.stringify(one)).toBe(JSON.stringify(many));
      expect(one.groups).toHaveLength(1);
      const g = one.groups[0]!;
      expect(g.count).toBe(2);
      expect(g.severity).toBe('critical');
      expect(g.diagnosis?.ruleId).toBe('glibc/stack-smashing');
      expect(g.diagnosisAt?.path).toBe(join(dir, smashedFirst ? 'a.log' : 'b.log'));
      // The first occurrence is still the one shown in full.
      expect(g.report.source.path).toBe(join(dir, 'a.log'));
      expect(cli(dir, ['.', '--quiet', '--fail-on', 'critical']).code).toBe(1);
    });
  }
  it('ranks an undiagnosed occurrence as high, above a medium diagnosis', async () => {
    const { GroupCollector } = await import('../../src/scan/group.js');
    const base = (await scan([(() => { const d = tmp('und'); writeFileSync(join(d, 'a.log'), smashStack); return d; })()])).groups[0]!.report;
    for (const order of [[0, 1], [1, 0]]) {
      const c = new GroupCollector();
      const reports = [{ ...base, source: { ...base.source, path: 'x.log' } }, { ...base, source: { ...base.source, path: 'y.log' }, diagnoses: [] }];
      for (const k of order) c.add(reports[k]!);
      const [g] = c.groups();
      expect(g!.severity).toBe('high');
      expect(g!.diagnosis).toBeNull();
      expect(g!.report.source.path).toBe('x.log');
    }
  });
});

describe('cores and gzip content', () => {
  it('reports a core file that cannot be read as an error (exit 2)', async () => {
    const dir = tmp('core');
    writeFileSync(join(dir, 'core.4242'), coreHeader());
    const r = await scan([dir]);
    expect(rel(dir, r)).toEqual([['core.4242', 'core file not analyzed: core of an unsupported architecture (e_machine 0); coredx reads x86-64 and AArch64 cores', true]]);
    expect(r.totals.errors).toBe(1);
    expect(cli(dir, ['.', '--quiet']).code).toBe(2);
  });
  it('sniffs what a gzip file holds', async () => {
    const dir = tmp('gz');
    writeFileSync(join(dir, 'blob.gz'), gzipSync(Buffer.concat([Buffer.from([0, 1, 2, 3, 0, 0]), noise(20000)])));
    writeFileSync(join(dir, 'core.1234.gz'), gzipSync(Buffer.concat([coreHeader(), Buffer.alloc(100000)])));
    writeFileSync(join(dir, 'crash.log.gz'), gzipSync(segv('gz_fn')));
    const r = await scan([dir]);
    expect(r.totals).toMatchObject({ scanned: 1, crashes: 1 });
    expect(rel(dir, r)).toEqual([
      ['blob.gz', 'binary data (gzip)', false],
      ['core.1234.gz', 'gzip-compressed core file, not analyzed: decompress it (gunzip) and scan the core', true],
    ]);
    expect(cli(dir, ['.', '--quiet']).code).toBe(2);
  });
});

describe('symlinks', () => {
  const tree = () => {
    const dir = tmp('links');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.log'), segv('linked_fn'));
    symlinkSync('a.log', join(dir, 'alias.log'));
    symlinkSync('..', join(dir, 'sub', 'loop'));
    writeFileSync(join(dir, 'sub', 'b.txt'), segv('other_fn'));
    return dir;
  };
  it('reads a file reached by several paths once, under its first path in sorted order (walk)', async () => {
    const dir = tree();
    const r = await scan([dir]);
    expect(r.totals).toMatchObject({ files: 2, scanned: 2, crashes: 2, groups: 2 });
    expect(r.groups.flatMap((g) => g.occurrences.map((o) => o.path.slice(dir.length + 1))).sort()).toEqual(['a.log', 'sub/b.txt']);
    // The same file given again, directly and through the link, is still read once.
    const again = await scan([join(dir, 'alias.log'), dir, join(dir, 'a.log')]);
    expect(again.totals).toMatchObject({ scanned: 2, crashes: 2 });
  });
  it('does not follow symlink loops in globs, and reads each real file once', async () => {
    const dir = tree();
    const r = await scan([`${dir}/**/*.log`]);
    expect(r.totals).toMatchObject({ files: 1, scanned: 1, crashes: 1 });
    expect(r.groups[0]!.occurrences.map((o) => o.path)).toEqual([join(dir, 'a.log')]);
    const all = await scan([`${dir}/**/*`]);
    expect(all.totals).toMatchObject({ scanned: 2, crashes: 2 });
    // A glob and a directory naming the same files.
    expect((await scan([`${dir}/*.log`, dir])).totals).toMatchObject({ scanned: 2, crashes: 2 });
  });
});

describe('hidden files and folders', () => {
  const tree = () => {
    const dir = tmp('hidden');
    mkdirSync(join(dir, '.cache', 'deep'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, '.crash.log'), segv('hidden_file_fn'));
    writeFileSync(join(dir, '.cache', 'h.log'), segv('hidden_dir_fn'));
    writeFileSync(join(dir, '.cache', 'deep', 'h2.log'), segv('hidden_dir_fn'));
    writeFileSync(join(dir, 'node_modules', 'x', 'n.log'), segv('dep_fn'));
    writeFileSync(join(dir, 'v.log'), segv('visible_fn'));
    return dir;
  };
  it('lists hidden files, hidden folders and node_modules as skipped, one entry per folder', async () => {
    const dir = tree();
    const r = await scan([dir]);
    expect(rel(dir, r)).toEqual([
      ['.cache', 'hidden file/folder, not read: --hidden to include', false],
      ['.crash.log', 'hidden file/folder, not read: --hidden to include', false],
      ['node_modules', 'node_modules folder, not read', false],
    ]);
    expect(r.totals).toMatchObject({ files: 4, scanned: 1, skipped: 3, errors: 0, crashes: 1 });
    const all = await scan([dir], { hidden: true });
    expect(all.totals).toMatchObject({ scanned: 4, crashes: 4 });
    expect(rel(dir, all)).toEqual([['node_modules', 'node_modules folder, not read', false]]);
  });
  it('lists them for globs too, and not what the filters leave out', async () => {
    const dir = tree();
    const r = await scan([`${dir}/**/*.log`]);
    expect(rel(dir, r).map((s) => s[0])).toEqual(['.cache', '.crash.log', 'node_modules']);
    const filtered = await scan([dir], { exclude: ['.cache/**', 'node_modules/**', '*.log'] });
    expect(rel(dir, filtered)).toEqual([]);
  });
});

describe('totals', () => {
  it('counts every path accounted for: files = scanned + skipped', async () => {
    const dir = tmp('totals');
    writeFileSync(join(dir, 'a.log'), segv('t_fn'));
    writeFileSync(join(dir, 'b.bin'), Buffer.from([0, 1, 2]));
    symlinkSync('nowhere', join(dir, 'broken.log'));
    expect(spawnSync('mkfifo', [join(dir, 'pipe.log')]).status).toBe(0);
    const r = await scan([dir]);
    expect(r.totals).toMatchObject({ files: 4, scanned: 1, skipped: 3, errors: 1 });
    expect(r.totals.files).toBe(r.totals.scanned + r.totals.skipped);
    expect(cli(dir, ['.']).stdout).toContain('4 files found, 1 scanned, 3 skipped (1 unreadable)');
  });
});

describe('.coredx.toml [scan] globs', () => {
  it('are matched relative to the directory holding the config file', () => {
    const dir = tmp('cfg');
    mkdirSync(join(dir, 'logs'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, '.coredx.toml'), '[scan]\nexclude = ["logs/**"]\n');
    writeFileSync(join(dir, 'logs', 'a.txt'), segv('cfg_fn'));
    writeFileSync(join(dir, 'sub', 'b.txt'), segv('kept_fn'));
    const crashes = (cwd: string, args: string[]) => /(\d+) crash/.exec(cli(cwd, [...args, '-f', 'text']).stdout)?.[1];
    expect(crashes(dir, ['.'])).toBe('1');
    expect(crashes(dir, ['logs'])).toBe('0');
    expect(crashes(join(dir, 'sub'), ['../logs'])).toBe('0');
    expect(crashes(join(dir, 'sub'), ['..'])).toBe('1');
    expect(crashes(dir, ['logs/*.txt'])).toBe('0');
    // CLI globs stay relative to the directory given.
    expect(crashes(dir, ['sub', '--exclude', 'b.txt'])).toBe('0');
  });
});

describe('binary sniff', () => {
  it('takes a short random file without NUL bytes for binary data', () => {
    for (let seed = 1; seed <= 50; seed++) expect(looksBinary(noise(100, seed)), `seed ${seed}`).toBe(true);
    expect(sniff(noise(4000))).toBe('binary');
  });
  it('keeps logs with Latin-1 bytes, UTF-8 text, ANSI colours and a cut last character as text', () => {
    const latin1 = Buffer.from('2025-01-02 [INFO] Größe geändert, café prêt, naïve résumé\n'.repeat(20), 'latin1');
    expect(looksBinary(latin1)).toBe(false);
    const ansi = Buffer.from('\x1b[32mPASS\x1b[0m test_ok\n\x1b[31mFAIL\x1b[0m test_bad \x1b[1;33m⚠ warning\x1b[0m\r\n'.repeat(40));
    expect(looksBinary(ansi)).toBe(false);
    const utf8 = Buffer.from('Ошибка сегментации: 段错误 — stack trace follows\n'.repeat(300));
    expect(looksBinary(utf8.subarray(0, 8191))).toBe(false);
    expect(looksBinary(Buffer.from(segv('x')))).toBe(false);
  });
  it('keeps a log with a stray NUL byte or two (a program wrote a buffer holding one) as text; NUL-filled data is binary', async () => {
    const log = Buffer.from(`step 1 ok\n${'\0'}\n${segv('after_nul')}${'2025-01-02 [INFO] more\n'.repeat(20)}`);
    expect(looksBinary(log)).toBe(false);
    const dir = tempDir('nul');
    writeFileSync(join(dir, 'nul.log'), log);
    const r = await scan([dir]);
    expect([r.totals.scanned, r.totals.crashes]).toEqual([1, 1]); // scanned, not skipped as binary
    expect(looksBinary(Buffer.alloc(300))).toBe(true);
    const elfLike = Buffer.alloc(4096, 0);
    elfLike.write('\x7fELF some header bytes', 0, 'latin1');
    expect(looksBinary(elfLike)).toBe(true);
  });
});
