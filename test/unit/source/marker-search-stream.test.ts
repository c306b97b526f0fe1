// The one-pass marker search (a WebAssembly SIMD kernel over the reader's own buffers) must find
// exactly what one Buffer.indexOf per marker finds; files read in chunks that end at line ends must
// analyze exactly like the same text in memory.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, analyzeFile } from '../../../src/pipeline.js';
import { CHUNK_SIZE } from '../../../src/source/lines.js';
import { kernel, MarkerSet, takeSearchBuffer } from '../../../src/source/marker-search.js';
import { tempDir } from '../../support/tmp.js';

const MARKERS = ['#', 'runtime', '*** ', '+0x', "' panic", "' (", 'Received signal '].map((m) => Buffer.from(m));

function reference(buf: Buffer, from: number, to: number): number {
  let best = -1;
  for (const m of MARKERS) {
    const at = buf.indexOf(m, from);
    if (at >= 0 && at < to && (best < 0 || at < best)) best = at;
  }
  return best;
}

describe('marker search', () => {
  it('the kernel is valid WebAssembly on this Node', () => {
    expect(WebAssembly.validate(kernel([[0x23], [0x72, 0x75]]))).toBe(true);
  });

  it('finds the first marker exactly like indexOf, in the kernel memory and in plain buffers', () => {
    const set = new MarkerSet(MARKERS);
    const inKernel = takeSearchBuffer(CHUNK_SIZE);
    expect(inKernel).not.toBeNull();
    const bytes = fc.oneof(fc.constantFrom(...Buffer.from("#'*+0xr( Rpanic\nruntime")), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 300 }), fc.nat(), fc.nat(), fc.nat(MARKERS.length - 1), fc.nat(), (arr, a, b, which, at) => {
        const data = Buffer.from(arr);
        if (data.length && at % 2) MARKERS[which]!.copy(data, at % data.length);
        const from = data.length ? a % (data.length + 1) : 0;
        const to = from + (data.length ? b % (data.length - from + 1) : 0);
        const expected = reference(data, from, to);
        data.copy(inKernel!, 0);
        expect(set.find(inKernel!.subarray(0, data.length), from, to)).toBe(expected);
        expect(set.find(data, from, to)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('files read in line-aligned chunks', () => {
  const dir = tempDir('chunks');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('gives the same reports, lines and context as the text in memory, across chunk edges', async () => {
    const trace = (n: number) => `Program received signal SIGSEGV, Segmentation fault.\n#0  0x1 in handler_${n} (x=0) at h.c:${n}\n#1  0x2 in main () at m.c:3\n`;
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 3.5 * CHUNK_SIZE; i++) {
      // Lines of varied length, some very long, so chunk edges fall everywhere.
      const line = i % 997 === 0 ? `${'x'.repeat(70_000)}\n` : `2025-01-02T03:04:05Z [INFO] request ${i} ${'ok '.repeat(i % 13)}\n`;
      parts.push(line);
      size += line.length;
      if (i % 5000 === 4999) parts.push(trace(i));
    }
    const text = parts.join('');
    const path = join(dir, 'log.txt');
    writeFileSync(path, text);
    const fromFile = await analyzeFile(path, { path: 'x' });
    const inMemory = analyze(text, { path: 'x' });
    expect(fromFile.reports.length).toBeGreaterThan(3);
    expect(fromFile.reports.map((r) => [r.source, r.signature, r.context])).toEqual(inMemory.reports.map((r) => [r.source, r.signature, r.context]));
  });
});
