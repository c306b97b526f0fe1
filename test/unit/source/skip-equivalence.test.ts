// The reader skips stretches of a large log that hold none of the parsers' markers without
// decoding them. Every sample, put in the middle of a large log full of near-miss lines (BuildKit
// steps, Markdown headings, '#include', issue references, timestamps), must give the same reports
// read from a file (skipping) as the same text in memory (every line read).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, analyzeFile } from '../../../src/pipeline.js';
import { PARSERS } from '../../../src/parse/registry.js';
import { tempDir } from '../../support/tmp.js';

const SAMPLES = join(__dirname, '..', '..', '..', 'samples');
const near = (i: number) =>
  [
    `#${i % 40} [build ${i % 7}/7] RUN make -j4 target-${i % 13}`,
    `2025-01-02T03:04:05.${String(i).padStart(7, '0')}Z #${i % 40} ${(i % 900) / 10}s DONE`,
    `## Step ${i % 12}: configure the build`,
    `#include <vector_${i % 30}.h>`,
    `fixes #${1000 + i}: handle the retry in worker ${i % 16}`,
    `2025-01-02T03:04:05Z [INFO] worker-${i % 16} handled request id=${i} in ${i % 97}ms status=200`,
  ][i % 6];
const filler = Array.from({ length: 6000 }, (_, i) => `${near(i)}\n`).join('');

describe('skipping by markers finds every sample in a log of near-miss lines', () => {
  const dir = tempDir('skip-eq');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.txt'));
  it('has every parser a marker that is not a bare "#"', () => {
    for (const p of PARSERS) expect(p.markers?.includes('#') ?? false).toBe(false);
  });
  it.each(samples)('%s', async (sample) => {
    const text = filler + readFileSync(join(SAMPLES, sample), 'utf8') + '\n' + filler;
    const path = join(dir, sample);
    writeFileSync(path, text);
    const expected = analyze(text, { rules: null }).reports;
    const got = (await analyzeFile(path, { rules: null })).reports;
    const key = (r: (typeof got)[number]) => ({ format: r.format, signature: r.signature, line: r.source.line, endLine: r.source.endLine });
    expect(got.map(key)).toEqual(expected.map(key));
  });
});
