// A rule's sample is read only when it is a regular file of a trace's size: /dev/zero or a 1 GB log
// would otherwise be read without end or past V8's limit. `rules new --from` refuses a device too,
// and streams a larger log like analyze, cutting its first trace (and the lines around it) out of it.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_SAMPLE_BYTES, readSampleBytes, SampleFileError } from '../../../src/rules/sample-file.js';
import { tempDir } from '../../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'coredx.js');

describe('rule samples and rules new --from', () => {
  it('refuses a device and a file larger than a trace, reads a trace', () => {
    const dir = tempDir('sample-file');
    expect(() => readSampleBytes('/dev/zero')).toThrow(SampleFileError);
    const big = join(dir, 'big.log');
    writeFileSync(big, '');
    truncateSync(big, MAX_SAMPLE_BYTES + 1);
    expect(() => readSampleBytes(big)).toThrow(/too large for a rule sample/);
    const ok = join(dir, 'ok.txt');
    writeFileSync(ok, '#0  0x1 in f () at a.c:1\n');
    expect(readSampleBytes(ok).toString()).toContain('#0');
  });
  it('rules new --from /dev/zero exits 2 at once with one line', () => {
    const r = spawnSync(process.execPath, [BIN, 'rules', 'new', '--from', '/dev/zero', '--id', 'a/b'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['coredx: /dev/zero: not a regular file (a device, FIFO or directory); save the trace to a file first']);
  });
  it('rules new --from a log larger than a sample streams it: its first trace and the lines around it become the sample', () => {
    const dir = tempDir('sample-file');
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `2026-12-02 12:00:00 worker ${i}: request served in ${i % 97} ms`).join('\n') + '\n';
    const trace = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse_header (p=0x0) at src/parse.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n';
    const before = filler(200_000);
    const text = `${before}${trace}${filler(200_000)}`;
    expect(text.length).toBeGreaterThan(MAX_SAMPLE_BYTES);
    writeFileSync(join(dir, 'ci.log'), text);
    writeFileSync(join(dir, 'ci2.log.gz'), gzipSync(text));
    for (const [from, name] of [['ci.log', 'ci'], ['ci2.log.gz', 'ci2']]) {
      const r = spawnSync(process.execPath, [BIN, 'rules', 'new', '--from', from, '--id', `team/${name}`, '-o', `rules/team/${name}.toml`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect([r.status, r.stderr], from).toEqual([0, expect.stringContaining(`the trace to rules/team/samples/${name}.trace.txt`)]);
      const sample = readFileSync(join(dir, 'rules', 'team', 'samples', `${name}.trace.txt`), 'utf8').split('\n');
      expect(sample.slice(20, 23).join('\n')).toBe(trace.trimEnd());
      expect(sample.slice(0, 20).join('\n')).toBe(before.trimEnd().split('\n').slice(-20).join('\n'));
      expect(sample).toHaveLength(20 + 3 + 5 + 1);
      expect(readFileSync(join(dir, 'rules', 'team', `${name}.toml`), 'utf8')).toMatch(new RegExp(`^sample = "samples/${name}\\.trace\\.txt"$`, 'm'));
    }
    expect(readdirSync(join(dir, 'rules', 'team', 'samples')).sort()).toEqual(['ci.trace.txt', 'ci2.trace.txt']);
    const tested = spawnSync(process.execPath, [BIN, 'rules', 'test', 'rules'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect([tested.status, tested.stdout], tested.stderr).toEqual([0, expect.stringMatching(/2 test\(s\), all passed/)]);
  }, 90_000);
});
