// Issue 16, "nothing lost": inputs that hold a crash but do not look like a plain UTF-8 log
// (NUL-padded by copytruncate, GBK/Shift-JIS, UTF-16 with a BOM, CR-only line ends, a UTF-8 BOM),
// binary data holding a crash marker, over-long frame lines, truncated gzip and trailing garbage.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeFile, analyzeStream } from '../../src/pipeline.js';
import { forEachLine as forEachLineStream, gunzip, MAX_LINE_LENGTH } from '../../src/source/lines.js';
import { sniff } from '../../src/source/sniff.js';
import { sniffStream } from '../../src/source/stream.js';
import { scan } from '../../src/scan/scan.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const run = (args: string[], input?: Buffer) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '' }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const TRACE = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse_header (p=0x0) at src/parse.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n';
const SIG = 'SIGSEGV | parse_header | main';
const signatures = (r: { reports: { signatureText?: string }[] }) => r.reports.map((x) => x.signatureText);

/** Every way of writing the same crash that must still be read as that crash. */
function encodings(): [string, Buffer][] {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`日志开始\n${TRACE}`, 'utf16le')]);
  const utf16be = Buffer.from(utf16);
  utf16be.swap16();
  // "你好世界" in GBK, line after line, then the English backtrace.
  const gbk = Buffer.concat([Buffer.from('c4e3bac3cac0bde70a'.repeat(3000), 'hex'), Buffer.from(TRACE)]);
  // Shift-JIS "こんにちは" lines.
  const sjis = Buffer.concat([Buffer.from('82b182f182c982bf82cd0d0a'.repeat(3000), 'hex'), Buffer.from(TRACE)]);
  return [
    ['copytruncate NUL prefix (200 KB)', Buffer.concat([Buffer.alloc(200 * 1024), Buffer.from(TRACE)])],
    ['copytruncate NUL prefix (3 MB) then a log', Buffer.concat([Buffer.alloc(3 << 20), Buffer.from(`start\n${'x'.repeat(100)}\n`.repeat(20) + TRACE)])],
    ['GBK text before the trace', gbk],
    ['Shift-JIS text before the trace', sjis],
    ['UTF-16LE with BOM', utf16],
    ['UTF-16BE with BOM', utf16be],
    ['CR-only line ends', Buffer.from(TRACE.replace(/\n/g, '\r'))],
    ['UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TRACE)])],
  ];
}

describe('text in any encoding is read, not skipped as binary data', () => {
  for (const [name, bytes] of encodings()) {
    it(`${name}: analyze, scan and stdin find the crash`, async () => {
      const dir = tempDir('robust-enc');
      const path = join(dir, 'app.log');
      writeFileSync(path, bytes);
      expect(signatures(await analyzeFile(path, { rules: null }))).toEqual([SIG]);
      const scanned = await scan([dir], { analyze: { rules: null } });
      expect(scanned.files.skipped).toEqual([]);
      expect(scanned.groups.map((g) => g.signatureText)).toEqual([SIG]);
      const stream = await sniffStream(Readable.from([bytes.subarray(0, 5000), bytes.subarray(5000)]));
      expect(stream.kind).toBe('text');
      expect(signatures(await analyzeStream(stream.chunks, { rules: null }))).toEqual([SIG]);
    });
  }
  it('keeps non-UTF-8 bytes of a frame as Latin-1 characters (one per byte)', async () => {
    const line = Buffer.concat([Buffer.from('Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in f'), Buffer.from([0xc4, 0xe3]), Buffer.from(' (p=0x0) at a.c:5\n')]);
    const r = await analyzeStream(Readable.from([line]), { rules: null });
    expect(r.reports[0]!.threads[0]!.frames[0]!.function).toBe('f\u00c4\u00e3');
  });
  it('reads an in-memory text like the stream (BOM, CR-only lines, NUL bytes)', () => {
    expect(signatures(analyze(`\ufeff${TRACE.replace(/\n/g, '\r')}`, { rules: null }))).toEqual([SIG]);
    expect(signatures(analyze(`\0\0\0${TRACE}`, { rules: null }))).toEqual([SIG]);
  });
  it('still takes random data and NUL-only data for binary data', async () => {
    expect(sniff(randomBytes(64 * 1024))).toBe('binary');
    const dir = tempDir('robust-bin');
    writeFileSync(join(dir, 'zeros.bin'), Buffer.alloc(100000));
    writeFileSync(join(dir, 'noise.bin'), randomBytes(300000));
    const r = await scan([dir]);
    expect(r.files.skipped.map((s) => [s.path.slice(dir.length + 1), s.reason, s.error])).toEqual([
      ['noise.bin', 'binary data', false],
      ['zeros.bin', 'binary data', false],
    ]);
  });
});

describe('endless NUL bytes', () => {
  it('on stdin (< /dev/zero) are binary data after at most 4 GiB skipped, not an endless read', () => {
    const r = spawnSync('sh', ['-c', 'exec "$NODE" "$BIN" analyze --no-builtin < /dev/zero'], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath, BIN }, timeout: 60000 });
    expect([r.status, r.stderr]).toEqual([2, 'coredx: stdin: binary data, not a text log or backtrace\n']);
  }, 90_000);
});

describe('binary data holding a crash fails the gate', () => {
  it('scan lists it as an error (exit 2), naming the marker', async () => {
    const dir = tempDir('robust-marker');
    writeFileSync(join(dir, 'dump.bin'), Buffer.concat([randomBytes(100000), Buffer.from(`\n${TRACE}`), randomBytes(1000)]));
    const r = await scan([dir]);
    expect(r.files.skipped).toEqual([{ path: join(dir, 'dump.bin'), reason: expect.stringMatching(/^binary data holding a crash marker \("Program terminated with signal"\), not read/), error: true }]);
    expect(run(['scan', dir, '-q']).code).toBe(2);
  });
  it('inside a gzip file too', async () => {
    const dir = tempDir('robust-marker');
    writeFileSync(join(dir, 'dump.bin.gz'), gzipSync(Buffer.concat([randomBytes(1000), Buffer.from(`\n${TRACE}`), randomBytes(1000)])));
    const r = await scan([dir]);
    expect(r.files.skipped).toEqual([{ path: join(dir, 'dump.bin.gz'), reason: expect.stringMatching(/^binary data \(gzip\) holding a crash marker/), error: true }]);
  });
});

describe('over-long lines', () => {
  it('keeps a frame whose line is longer than 64 KB, its name cut and marked, its location kept', async () => {
    const name = `ns::Big<${'T'.repeat(3 * MAX_LINE_LENGTH)}>::run`;
    const text = `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in ${name} (this=0x0) at big.cpp:42\n#1  0x0000000000401150 in main () at main.cpp:9\n`;
    const cut: [number, number][] = [];
    for (const size of [1000, 1 << 20]) {
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(Buffer.from(text.slice(i, i + size)));
      const r = await analyzeStream(Readable.from(chunks), { rules: null });
      const frame = r.reports[0]!.threads[0]!.frames[0]!;
      expect(frame.function).toBe('ns::Big<>::run');
      expect(frame.fullFunction).toMatch(/^ns::Big<T+\u2026\{\d+ bytes cut\}\u2026T+>::run$/);
      expect(frame.file).toBe('big.cpp');
      expect(frame.line).toBe(42);
      expect(r.reports[0]!.threads[0]!.frames).toHaveLength(2);
    }
    // Cut inside multi-byte characters: head and tail stay UTF-8, nothing becomes Latin-1.
    for (const name of ['f', 'fx']) {
      const wide = `#0  0x1 in ${name}${'\u00e9'.repeat(MAX_LINE_LENGTH)}\u20ac () at w.c:1\n`;
      const lines: string[] = [];
      await forEachLineStream(Readable.from([Buffer.from(wide)]), { push: (l) => lines.push(l) });
      expect(lines[0]).toMatch(/^#0  0x1 in fx?\u00e9+\u2026\{\d+ bytes cut\}\u2026\u00e9+\u20ac \(\) at w\.c:1$/);
    }
    const { forEachLine } = await import('../../src/source/lines.js');
    await forEachLine(Readable.from([Buffer.from(text)]), { push: () => {}, longLine: (n, bytes) => cut.push([n, bytes]) });
    expect(cut).toEqual([[2, Buffer.byteLength(text.split('\n')[1]!)]]);
  });
});

describe('gzip', () => {
  const big = Buffer.from(`${'noise line\n'.repeat(200000)}${TRACE}${'after\n'.repeat(5)}`);
  it('reads the readable part of a truncated gzip file and reports the truncation (exit 2)', async () => {
    const dir = tempDir('robust-gz');
    const gz = gzipSync(Buffer.from(TRACE + randomBytes(1 << 20).toString('hex').replace(/.{100}/g, '$&\n')));
    const path = join(dir, 'cut.log.gz');
    writeFileSync(path, gz.subarray(0, gz.length >> 1));
    const problems: string[] = [];
    const { onReadProblem } = await import('../../src/source/lines.js');
    const stop = onReadProblem((_p, problem) => problems.push(problem.message));
    expect(signatures(await analyzeFile(path, { rules: null }))).toEqual([SIG]);
    stop();
    expect(problems).toEqual([expect.stringMatching(/^corrupt gzip data: truncated \(unexpected end of file after \d+ decompressed bytes\)/)]);
    const r = await scan([dir], { analyze: { rules: null } });
    expect(r.groups.map((g) => g.signatureText)).toEqual([SIG]);
    expect(r.files.skipped).toEqual([{ path, reason: expect.stringMatching(/^corrupt gzip data: truncated .*\(the crash before the cut reported\)$/), error: true }]);
    const cli = run(['analyze', path]);
    expect(cli.code).toBe(2);
    expect(cli.stdout).toContain('parse_header');
    expect(cli.stderr).toMatch(/cut\.log\.gz: corrupt gzip data: truncated/);
  });
  it('accepts trailing garbage after the gzip data with a warning, losing nothing before it', async () => {
    const dir = tempDir('robust-gz');
    const path = join(dir, 'garbage.log.gz');
    writeFileSync(path, Buffer.concat([gzipSync(big), Buffer.from('this is not gzip')]));
    expect(signatures(await analyzeFile(path, { rules: null }))).toEqual([SIG]);
    const cli = run(['analyze', path]);
    expect([cli.code, cli.stderr]).toEqual([0, `coredx: warning: ${path}: trailing garbage after the gzip data ignored (as gzip -d does)\n`]);
    const warnings: string[] = [];
    const r = await scan([dir], { onWarning: (p, m) => warnings.push(`${p}: ${m}`), analyze: { rules: null } });
    expect([r.totals.scanned, r.totals.errors, r.totals.crashes]).toEqual([1, 0, 1]);
    expect(warnings).toHaveLength(1);
  });
  it('reports damaged data inside a member (CRC-32 or inflate error) without hanging, keeping what came before', async () => {
    const text = Buffer.from(Array.from({ length: 50000 }, (_, i) => `line ${i} ${i * 7919}\n`).join(''));
    const gz = gzipSync(text);
    for (let k = 1; k < 20; k++) {
      const bad = Buffer.from(gz);
      bad.fill(0xff, Math.floor((gz.length * k) / 20), Math.floor((gz.length * k) / 20) + 8);
      const problems: string[] = [];
      let n = 0;
      for await (const b of gunzip(Readable.from([bad.subarray(0, 30000), bad.subarray(30000)]), (p) => problems.push(p.message))) n += b.length;
      expect(problems, `damage at ${k}/20`).toEqual([expect.stringMatching(/^corrupt gzip data/)]);
      expect(n).toBeGreaterThan(0);
    }
  });
  it('decompresses concatenated members and zero padding whole, at any chunking', async () => {
    const two = Buffer.concat([gzipSync(Buffer.from('first\n')), gzipSync(big), Buffer.alloc(512)]);
    for (const size of [1, 100, 65536]) {
      const chunks = [];
      for (let i = 0; i < two.length; i += size) chunks.push(two.subarray(i, i + size));
      const problems: string[] = [];
      const out: Buffer[] = [];
      for await (const b of gunzip(Readable.from(chunks), (p) => problems.push(p.message))) out.push(b);
      expect(Buffer.concat(out).equals(Buffer.concat([Buffer.from('first\n'), big]))).toBe(true);
      expect(problems).toEqual([]);
      if (size === 1) break; // one byte at a time is slow; once is enough
    }
  });
});
