// Issue 16, errors that name the input and the reason: a closed or directory stdin, a .coredx.toml
// that is a directory, a debugger time limit Node cannot wait, a rule folder with an unreadable
// subfolder, a core whose byte-order byte is damaged, byte-order marks in rule and config files.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { buildCore, EM_X86_64, prpsinfo, prstatus, siginfo } from '../support/elfcore.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const TRACE = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse_header (p=0x0) at src/parse.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n';
const RULE = readFileSync(join(import.meta.dirname, '..', '..', 'rules', 'generic', 'abort.toml'), 'utf8');
const ruleId = /^id\s*=\s*"([^"]+)"/m.exec(RULE)![1]!;

function sh(script: string, cwd: string) {
  const r = spawnSync('sh', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '', NODE: process.execPath, BIN }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('stdin', () => {
  it('closed (<&-) or empty: one line naming stdin, exit 2', () => {
    const dir = tempDir('robust-err');
    expect(sh('exec "$NODE" "$BIN" analyze --no-builtin <&-', dir)).toMatchObject({ code: 2, stderr: 'coredx: stdin: no input (empty or closed); pass a file, or pipe a backtrace in\n' });
    expect(sh('exec "$NODE" "$BIN" analyze --no-builtin < /dev/null', dir).code).toBe(2);
  });
  it('a directory: one line naming stdin, exit 2', () => {
    const dir = tempDir('robust-err');
    expect(sh('exec "$NODE" "$BIN" analyze --no-builtin < .', dir)).toMatchObject({ code: 2, stderr: 'coredx: stdin: is a directory; pass the files in it (or coredx scan DIR)\n' });
  });
});

describe('.coredx.toml', () => {
  it('that is a directory: one line naming it and the reason, exit 2', () => {
    const dir = tempDir('robust-err');
    mkdirSync(join(dir, '.coredx.toml'));
    writeFileSync(join(dir, 'a.log'), TRACE);
    const r = sh('exec "$NODE" "$BIN" analyze --no-builtin a.log', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`coredx: ${join(dir, '.coredx.toml')}: cannot read the config file: is a directory, not a file\n`);
  });
  it('with a UTF-8 byte-order mark is read', () => {
    const dir = tempDir('robust-err');
    writeFileSync(join(dir, '.coredx.toml'), '\ufeff[rules]\nbuiltin = false\n');
    writeFileSync(join(dir, 'a.log'), TRACE);
    expect(sh('exec "$NODE" "$BIN" analyze a.log', dir)).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('--debugger-timeout', () => {
  for (const value of ['3000000', 'Infinity']) {
    it(`${value} seconds is refused (Node would wait 1 ms), exit 2`, () => {
      const dir = tempDir('robust-err');
      writeFileSync(join(dir, 'a.log'), TRACE);
      const r = sh(`exec "$NODE" "$BIN" analyze --no-builtin --debugger-timeout ${value} a.log`, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`coredx: --debugger-timeout must be a number of seconds up to 2147483, got "${value}"\n`);
    });
  }
});

describe('rule folders', () => {
  it('with an unreadable subfolder keep their readable rules and name the unreadable one', () => {
    const dir = tempDir('robust-rules');
    mkdirSync(join(dir, 'good'));
    writeFileSync(join(dir, 'good', 'rule.toml'), RULE);
    // A symlink loop cannot be read by anyone (root included); a mode-000 folder by anyone but root.
    symlinkSync('loop', join(dir, 'loop'));
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'locked', 'hidden.toml'), RULE.replace(ruleId, `${ruleId}-locked`));
    chmodSync(join(dir, 'locked'), 0);
    try {
      const loaded = loadRules({ dirs: [dir], builtin: false });
      expect(loaded.ruleSet.rules.map((r) => r.id)).toContain(ruleId);
      expect(loaded.problems.map((p) => p.file)).toContain(join(dir, 'loop'));
      if (process.getuid?.() !== 0) expect(loaded.problems.map((p) => p.file)).toContain(join(dir, 'locked'));
      for (const p of loaded.problems) expect(p.message).toMatch(/cannot be read \(E[A-Z]+\)/);
      // Root reads a mode-000 folder: the CLI is run without root's right to (setpriv drops
      // CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), where that can be done.
      const root = process.getuid?.() === 0;
      const prefix = 'setpriv --bounding-set -dac_override,-dac_read_search ';
      const withoutOverride = root && sh(`${prefix}true`, dir).code === 0 ? prefix : root ? null : '';
      if (withoutOverride !== null) {
        writeFileSync(join(dir, 'a.log'), TRACE);
        const r = sh(`${withoutOverride}"$NODE" "$BIN" analyze --no-builtin --rules . a.log`, dir);
        expect(r.code).toBe(2);
        expect(r.stdout).toMatch(/SIGSEGV/);
        expect(r.stderr).toContain('coredx: ./locked: rule folder cannot be read (EACCES); its rules are left out\n');
      }
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
    }
  });
  it('read a rule file starting with a UTF-8 byte-order mark', () => {
    const dir = tempDir('robust-rules');
    writeFileSync(join(dir, 'bom.toml'), `\ufeff${RULE}`);
    const loaded = loadRules({ dirs: [dir], builtin: false });
    expect(loaded.problems).toEqual([]);
    expect(loaded.ruleSet.rules.map((r) => r.id)).toEqual([ruleId]);
  });
});

describe('read errors', () => {
  it('name the file and the reason (EIO reading /proc/self/mem), exit 2', () => {
    const dir = tempDir('robust-err');
    const r = sh('exec "$NODE" "$BIN" analyze --no-builtin /proc/self/mem', dir);
    expect([r.code, r.stderr]).toEqual([2, 'coredx: /proc/self/mem: cannot be read: I/O error (a damaged disk, or a special file that cannot be read like this)\n']);
  });
});

describe('paths that cannot be reached', () => {
  it('a symlink loop, a file used as a folder, a name too long: the reason in words, exit 2', () => {
    const dir = tempDir('robust-err');
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    writeFileSync(join(dir, 'a.log'), TRACE);
    const long = 'x'.repeat(300);
    const analyzed = sh(`exec "$NODE" "$BIN" analyze --no-builtin loop-a a.log/x ${long}`, dir);
    expect(analyzed.code).toBe(2);
    expect(analyzed.stderr).toBe(`coredx: loop-a: too many levels of symbolic links (a symlink loop)\ncoredx: a.log/x: a part of the path is not a directory\ncoredx: ${long}: file name too long\n`);
    const scanned = sh('exec "$NODE" "$BIN" scan --no-builtin -q loop-a a.log/x', dir);
    expect(scanned.code).toBe(2);
    expect(scanned.stderr).toBe('coredx: a.log/x: a part of the path is not a directory\ncoredx: loop-a: symlink loop\n');
  });
});

describe('cores', () => {
  it('a little-endian core with its byte-order byte flipped is a core that cannot be read (exit 2), not "an ELF executable"', () => {
    const dir = tempDir('robust-core');
    const core = buildCore({ machine: EM_X86_64, notes: [prpsinfo(7, 'prog', './prog'), prstatus(EM_X86_64, 7, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n)] });
    core[5] = 2; // EI_DATA: big-endian
    writeFileSync(join(dir, 'core.7'), core);
    const r = sh('exec "$NODE" "$BIN" analyze --no-builtin --debugger none core.7', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('coredx: core.7: corrupt ELF header: its byte-order byte says big-endian, but the header reads as a little-endian x86-64 core (a damaged core)\n');
    expect(r.stderr).not.toMatch(/executable/);
  });
  it('a big-endian core (its type and machine in big-endian order) is still called one', () => {
    const dir = tempDir('robust-core');
    const core = buildCore({ machine: EM_X86_64, notes: [prpsinfo(7, 'prog', './prog'), prstatus(EM_X86_64, 7, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n)] });
    core[5] = 2;
    core.writeUInt16BE(4, 16); // ET_CORE
    core.writeUInt16BE(22, 18); // EM_S390
    writeFileSync(join(dir, 'core.7'), core);
    const r = sh('exec "$NODE" "$BIN" analyze --no-builtin --debugger none core.7', dir);
    expect([r.code, r.stderr]).toEqual([2, 'coredx: core.7: big-endian ELF core; coredx reads little-endian cores only\n']);
  });
  it('a core whose note segment (PT_NOTE) is zeroed is a corrupt core: one line, exit 2', () => {
    const dir = tempDir('robust-core');
    const core = buildCore({ machine: EM_X86_64, notes: [prpsinfo(7, 'prog', './prog'), prstatus(EM_X86_64, 7, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n)] });
    // The first program header is the PT_NOTE: its offset at +8, its size at +32.
    const phoff = Number(core.readBigUInt64LE(32));
    expect(core.readUInt32LE(phoff)).toBe(4);
    const offset = Number(core.readBigUInt64LE(phoff + 8));
    core.fill(0, offset, offset + Number(core.readBigUInt64LE(phoff + 32)));
    writeFileSync(join(dir, 'core.7'), core);
    for (const debuggerOption of ['none', 'auto']) {
      const r = sh(`exec "$NODE" "$BIN" analyze --no-builtin --debugger ${debuggerOption} core.7`, dir);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'coredx: core.7: corrupt core: its note segment holds no thread, signal, process or mapped-file note (zeroed or overwritten)\n']);
    }
  });
});
