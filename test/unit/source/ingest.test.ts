// The streaming reader must give exactly what the in-memory reader gives: same lines, same line
// numbers, same context, whether chunks are skipped undecoded or not.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeStream } from '../../../src/pipeline.js';
import { forEachLine, MAX_LINE_LENGTH } from '../../../src/source/lines.js';

const TRACE = (n: number) => `payment failed for order ${n}\nProgram received signal SIGSEGV, Segmentation fault.\n#0  0x1 in handler_${n % 3} (x=0) at h.c:${n}\n#1  0x2 in main () at m.c:3\n`;

function bigLog(): string {
  const parts: string[] = [];
  for (let i = 0; i < 30000; i++) {
    parts.push(`2025-01-02T03:04:05.1234567Z [INFO] request ${i} ok ünïcödé\r\n`);
    if (i % 7000 === 6999) parts.push(TRACE(i));
  }
  return parts.join('');
}

/** Streams the text in chunks of odd sizes, so lines and UTF-8 sequences straddle chunk edges. */
function chunked(text: string, size: number): Readable {
  const buf = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}

describe('streaming reader', () => {
  const text = bigLog();
  const expected = analyze(text, { path: 'x' });
  for (const size of [7, 4093, 65536, 1 << 20]) {
    it(`matches the in-memory reader with ${size}-byte chunks`, async () => {
      const got = await analyzeStream(chunked(text, size), { path: 'x' });
      expect(got.reports).toHaveLength(4);
      expect(got).toEqual(expected);
    });
  }
  it('numbers lines exactly and cuts over-long lines', async () => {
    const seen: [string, number][] = [];
    const long = 'y'.repeat(MAX_LINE_LENGTH * 3);
    await forEachLine(chunked(`a\n${long}\nb\r\nc`, 1000), { push: (l, n) => seen.push([l.slice(0, 3), n]) });
    expect(seen).toEqual([['a', 1], ['yyy', 2], ['b', 3], ['c', 4]]);
  });
  it('keeps the context lines before a trace that follows a skipped region', async () => {
    const got = await analyzeStream(chunked(text, 1 << 20), { path: 'x' });
    expect(got.reports[0]!.context.find((c) => c.text.startsWith('payment failed'))?.position).toBe('before');
  });
});
