// A rule's sample and the trace of `rules new --from` are read only when they are regular files of
// a trace's size: /dev/zero or a 1 GB log would otherwise be read without end or past V8's limit.
import { spawnSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
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
});
