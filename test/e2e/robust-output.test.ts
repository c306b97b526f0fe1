// Issue 16, write errors: a full disk, a missing or unwritable directory, a closed pipe. Each is one
// line naming the file (or stdout) and the reason, exit 2, and never a truncated report where a
// complete one is expected (files are written beside the target and renamed when complete).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportWriteError, writeReportFile } from '../../src/cli/write-report.js';
import { writeJsonStreaming } from '../../src/cli/analyze.js';
import { analyze } from '../../src/pipeline.js';
import { renderJson } from '../../src/render/json.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const TRACE = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse_header (p=0x0) at src/parse.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n';

/** Runs coredx through sh (for redirections and limits); --no-builtin keeps other packs' state out. */
function sh(script: string, cwd: string) {
  const r = spawnSync('sh', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '', NODE: process.execPath, BIN }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('report files are written whole or not at all', () => {
  it('a disk that fills up (file size limit) leaves the previous report and no temporary file; one line, exit 2', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'many.log'), TRACE.repeat(300));
    writeFileSync(join(dir, 'out.json'), 'previous report\n');
    // RLIMIT_FSIZE with SIGXFSZ ignored: writes past 4 KB fail with EFBIG, as on a full disk.
    const r = sh(`trap '' XFSZ; ulimit -f 4; exec "$NODE" "$BIN" scan --no-builtin -q many.log -f json=out.json`, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^coredx: out\.json: cannot write the report: file too large\n$/);
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('previous report\n');
    expect(readdirSync(dir).sort()).toEqual(['many.log', 'out.json']);
  });
  it('/dev/full as a report file or as stdout: one line naming it, exit 2', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'a.log'), TRACE);
    const file = sh('exec "$NODE" "$BIN" scan --no-builtin -q a.log -f json=/dev/full', dir);
    expect([file.code, file.stderr]).toEqual([2, 'coredx: /dev/full: cannot write the report: no space left on device\n']);
    const scanOut = sh('exec "$NODE" "$BIN" scan --no-builtin -q a.log -f json > /dev/full', dir);
    expect([scanOut.code, scanOut.stderr]).toEqual([2, 'coredx: stdout: cannot write the report: no space left on device\n']);
    const analyzeOut = sh('exec "$NODE" "$BIN" analyze --no-builtin a.log > /dev/full', dir);
    expect([analyzeOut.code, analyzeOut.stderr]).toEqual([2, 'coredx: stdout: cannot write the report: no space left on device\n']);
  });
  it('a missing directory or a directory as the target: one line, exit 2', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'a.log'), TRACE);
    mkdirSync(join(dir, 'adir'));
    expect(sh('exec "$NODE" "$BIN" scan --no-builtin -q a.log -f sarif=no/such/dir/x.sarif', dir).stderr).toBe('coredx: no/such/dir/x.sarif: cannot write the report: no such directory\n');
    expect(sh('exec "$NODE" "$BIN" scan --no-builtin -q a.log -f sarif=adir', dir).stderr).toBe('coredx: adir: cannot write the report: is a directory\n');
    expect(() => writeReportFile(join(dir, 'adir'), 'x')).toThrow(ReportWriteError);
    // A folder that is there but takes no new files is not a missing one.
    expect(sh('exec "$NODE" "$BIN" scan --no-builtin -q a.log -f sarif=/proc/x.sarif', dir).stderr).toBe('coredx: /proc/x.sarif: cannot write the report: this folder does not take new files (a special file system such as /proc)\n');
  });
  it('a read-only directory: one line naming the file, exit 2, the previous report kept', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'a.log'), TRACE);
    mkdirSync(join(dir, 'ro'));
    writeFileSync(join(dir, 'ro', 'out.json'), 'previous report\n');
    chmodSync(join(dir, 'ro'), 0o555);
    // Root writes into a mode-555 folder: coredx is run without root's right to (setpriv drops
    // CAP_DAC_OVERRIDE), where that can be done.
    const root = process.getuid?.() === 0;
    const prefix = 'setpriv --bounding-set -dac_override,-dac_read_search ';
    const run = root && sh(`${prefix}true`, dir).code === 0 ? prefix : root ? null : '';
    try {
      if (run === null) return;
      const r = sh(`${run}"$NODE" "$BIN" scan --no-builtin -q a.log -f json -o ro/out.json`, dir);
      expect([r.code, r.stderr]).toEqual([2, 'coredx: ro/out.json: cannot write the report: permission denied\n']);
      expect(readFileSync(join(dir, 'ro', 'out.json'), 'utf8')).toBe('previous report\n');
      expect(readdirSync(join(dir, 'ro'))).toEqual(['out.json']);
    } finally {
      chmodSync(join(dir, 'ro'), 0o755);
    }
  });
  it('a reader that goes away (EPIPE) is exit 2 with a line, not a silent exit 0', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'many.log'), TRACE.repeat(2000));
    const status = sh('{ "$NODE" "$BIN" analyze --no-builtin -f json many.log; echo "exit=$?" >&2; } | head -c 1 > /dev/null', dir);
    expect(status.stderr).toBe('coredx: stdout: cannot write the report: broken pipe (the reader closed it before the report was written)\nexit=2\n');
  });
  it('replaces an existing report atomically', () => {
    const dir = tempDir('robust-out');
    const target = join(dir, 'r.txt');
    writeFileSync(target, 'old');
    writeReportFile(target, 'new report');
    expect(readFileSync(target, 'utf8')).toBe('new report');
    expect(readdirSync(dir)).toEqual(['r.txt']);
    expect(existsSync(`${target}.tmp`)).toBe(false);
  });
});

describe('every command\'s output, not only the reports', () => {
  it('a full stdout under rules list/show/new/lint, --help and --version: one line, exit 2, no stack trace', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'a.log'), TRACE);
    for (const args of ['rules list', 'rules show generic/abort', 'rules new --from a.log', 'rules lint', '--help', '--version']) {
      const r = sh(`exec "$NODE" "$BIN" ${args} > /dev/full`, dir);
      expect([args, r.code, r.stderr]).toEqual([args, 2, 'coredx: stdout: cannot write the output: no space left on device\n']);
    }
  });
  it('a closed stdout (>&-, /dev/null read-write in its place) is warned about once; > /dev/null is not', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'a.log'), TRACE);
    const warning = 'coredx: warning: stdout is closed (or /dev/null opened read-write): the report is written nowhere\n';
    const linux = existsSync('/proc/self/fdinfo');
    for (const args of ['analyze --no-builtin a.log', 'analyze --no-builtin --format json a.log', 'scan --no-builtin -q a.log']) {
      const closed = sh(`exec "$NODE" "$BIN" ${args} >&-`, dir);
      expect([args, closed.stderr]).toEqual([args, linux ? warning : '']);
      expect(sh(`exec "$NODE" "$BIN" ${args} > /dev/null`, dir).stderr).toBe('');
    }
    // A report written to a file is not stdout's.
    expect(sh('exec "$NODE" "$BIN" scan --no-builtin -q a.log -f json=out.json >&-', dir).stderr).toBe('');
  });
  it('rules new -o on a full disk names the file and leaves no partial sample or rule', () => {
    const dir = tempDir('robust-out');
    writeFileSync(join(dir, 'a.log'), `${'a log line before the crash\n'.repeat(400)}${TRACE}`);
    const r = sh(`trap '' XFSZ; ulimit -f 4; exec "$NODE" "$BIN" rules new --from a.log -o pack/rule.toml`, dir);
    expect([r.code, r.stderr]).toEqual([2, 'coredx: pack/samples/a.log: cannot write the sample: file too large\n']);
    expect(readdirSync(join(dir, 'pack', 'samples'))).toEqual([]);
    expect(existsSync(join(dir, 'pack', 'rule.toml'))).toBe(false);
  });
});

describe('JSON output of many reports', () => {
  it('is streamed a report at a time, byte for byte what renderJson gives', () => {
    for (const n of [0, 1, 3, 2000]) {
      const result = analyze(TRACE.replace('parse_header', 'f\u00e9"\\x').repeat(n), { rules: null });
      expect(result.reports).toHaveLength(n);
      const parts: string[] = [];
      writeJsonStreaming(result, (s) => parts.push(s));
      expect(parts.join('')).toBe(renderJson(result));
      if (n === 2000) expect(parts.length).toBeGreaterThan(2);
    }
  });
});
