// One decision for every way in (issue #10, "One pipeline"): the same bytes given as a file, on
// stdin (the library's stream entry and the real CLI) and to a scan are judged the same, and
// rejected with the same words, written once in src/source/open.ts.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyzeFile, analyzeSource } from '../../../src/pipeline.js';
import { openInput } from '../../../src/source/open.js';
import { scan } from '../../../src/scan/scan.js';
import { CoredxInputError, InputRejection } from '../../../src/errors.js';
import { tempDir } from '../../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'coredx.js');
const TRACE = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse_header (p=0x0) at src/parse.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n';

/** Deterministic bytes full of NUL and control bytes: binary data, never text. */
function noise(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

function coreHeader(): Buffer {
  const core = Buffer.alloc(64);
  core.write('\x7fELF', 0, 'latin1');
  core[4] = 2; // ELF64
  core[5] = 1; // little-endian
  core.writeUInt16LE(4, 16); // ET_CORE
  return core;
}

const JUNK = Buffer.from([0, 1, 2, 3, 255, 0, 9, 0, 0, 7]);
const MARKED = Buffer.concat([noise(20000), Buffer.from(`\n${TRACE}`), noise(2000, 9)]);
const MARKER = 'binary data holding a crash marker ("Program terminated with signal"), not read: convert it to text (e.g. iconv) first';

interface Row {
  name: string;
  bytes: Buffer;
  /** After "<path>: " for a file (`$path` stands for it). */
  file: string;
  /** After "stdin: ". */
  stdin: string;
  /** Scan's entry for the file, and whether it fails the scan. */
  skip: string;
  gate: boolean;
}

const ROWS: Row[] = [
  { name: 'junk.bin', bytes: JUNK, file: 'binary data, not a text log or backtrace', stdin: 'binary data, not a text log or backtrace', skip: 'binary data', gate: false },
  { name: 'junk.gz', bytes: gzipSync(JUNK), file: 'binary data (gzip), not a text log or backtrace', stdin: 'binary data (gzip), not a text log or backtrace', skip: 'binary data (gzip)', gate: false },
  { name: 'marked.bin', bytes: MARKED, file: MARKER, stdin: MARKER, skip: MARKER, gate: true },
  { name: 'marked.bin.gz', bytes: gzipSync(MARKED), file: MARKER.replace('binary data', 'binary data (gzip)'), stdin: MARKER.replace('binary data', 'binary data (gzip)'), skip: MARKER.replace('binary data', 'binary data (gzip)'), gate: true },
  {
    name: 'core.9.gz',
    bytes: gzipSync(coreHeader()),
    file: 'a gzip-compressed core file; decompress it (gunzip) and analyze the core, which is read in place',
    stdin: 'an ELF core file (gzip); pass it by its path (coredx analyze core.1234) so it can be read natively and by a debugger',
    skip: 'gzip-compressed core file, not analyzed: decompress it (gunzip) and scan the core',
    gate: true,
  },
  {
    name: 'prog',
    bytes: readFileSync(process.execPath).subarray(0, 4096),
    file: 'an ELF executable or library, not a core file or a log (analyze its core: coredx analyze core.N --exe $path)',
    stdin: 'an ELF executable or library, not a core file or a log',
    skip: 'ELF executable or library',
    gate: false,
  },
  { name: 'cut.log.gz', bytes: Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), file: 'corrupt gzip data: unexpected end of file', stdin: 'corrupt gzip data: unexpected end of file', skip: 'corrupt gzip data: unexpected end of file', gate: true },
  { name: 'gz.gz', bytes: gzipSync(gzipSync(Buffer.from(TRACE))), file: 'gzip data (gzip), not a text log or backtrace (decompress it first)', stdin: 'gzip data (gzip), not a text log or backtrace (decompress it first)', skip: 'gzip data (gzip)', gate: false },
];

const reject = async (p: Promise<unknown>): Promise<InputRejection> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputRejection);
  return err as InputRejection;
};

describe('the same bytes as a file, on stdin and in a scan', () => {
  const dir = tempDir('open');
  for (const row of ROWS) writeFileSync(join(dir, row.name), row.bytes);

  for (const row of ROWS) {
    it(row.name, async () => {
      const path = join(dir, row.name);
      const asFile = await reject(analyzeFile(path, { rules: null }));
      expect(asFile.message).toBe(`${path}: ${row.file.replace('$path', path)}`);
      expect(asFile.input).toBe(path);
      const asStdin = await reject(analyzeSource(Readable.from([row.bytes]), { rules: null }, { name: 'stdin' }));
      expect(asStdin.message).toBe(`stdin: ${row.stdin}`);
      // Bytes in memory are a stream too.
      expect((await reject(openInput(row.bytes, { name: 'stdin' }))).message).toBe(asStdin.message);
      expect(asFile.gate).toBe(row.gate);
    });
  }

  it('scan lists each with its entry, failing the gate where a crash may be lost', async () => {
    const r = await scan([dir], { analyze: { rules: null } });
    const entries = r.files.skipped.map((s) => [s.path.slice(dir.length + 1), s.reason, s.error]);
    expect(entries).toEqual(ROWS.map((row) => [row.name, row.skip, row.gate]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    expect(r.totals.scanned).toBe(0);
  });

  it('the CLI prints the same line for stdin as the library says', () => {
    for (const row of ROWS) {
      const s = spawnSync(process.execPath, [BIN, 'analyze', '--no-builtin'], { input: row.bytes, encoding: 'utf8', timeout: 30000 });
      expect([s.status, s.stderr], row.name).toEqual([2, `coredx: stdin: ${row.stdin}\n`]);
      const f = spawnSync(process.execPath, [BIN, 'analyze', '--no-builtin', join(dir, row.name)], { encoding: 'utf8', timeout: 30000 });
      expect([f.status, f.stderr], row.name).toEqual([2, `coredx: ${join(dir, row.name)}: ${row.file.replace('$path', join(dir, row.name))}\n`]);
    }
  }, 120_000);
});

describe('openInput', () => {
  const dir = tempDir('open-kinds');
  it('says what a readable input is: text (plain or unpacked) or a core at its path', async () => {
    writeFileSync(join(dir, 'a.log'), TRACE);
    writeFileSync(join(dir, 'a.log.gz'), gzipSync(TRACE));
    writeFileSync(join(dir, 'core.1'), coreHeader());
    const text = await openInput(join(dir, 'a.log'));
    expect(text).toMatchObject({ kind: 'text', name: join(dir, 'a.log'), path: join(dir, 'a.log'), size: TRACE.length });
    const gz = await openInput(join(dir, 'a.log.gz'));
    expect(gz.kind).toBe('text');
    const chunks: Buffer[] = [];
    for await (const c of (gz as { chunks: AsyncIterable<Buffer> }).chunks) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString()).toBe(TRACE);
    expect(await openInput(join(dir, 'core.1'))).toEqual({ kind: 'core', name: join(dir, 'core.1'), path: join(dir, 'core.1'), size: 64 });
    expect(await openInput(Buffer.from(TRACE))).toMatchObject({ kind: 'text', name: 'stdin', path: null });
  });
  it('names what it cannot read: a directory, nothing at all, a core with no path', async () => {
    mkdirSync(join(dir, 'sub'));
    expect((await reject(openInput(join(dir, 'sub')))).message).toBe(`${join(dir, 'sub')}: is a directory (coredx scan walks directories)`);
    expect((await reject(openInput(Buffer.alloc(0)))).message).toBe('stdin: no input (empty or closed); pass a file, or pipe a backtrace in');
    const core = await reject(openInput(coreHeader(), { name: 'pipe' }));
    expect([core.kind, core.message]).toEqual(['core-file', 'pipe: an ELF core file; pass it by its path (coredx analyze core.1234) so it can be read natively and by a debugger']);
  });
  it('leaves system errors to the system (a missing file is not a rejection)', async () => {
    const err = await openInput(join(dir, 'nope')).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(CoredxInputError);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
