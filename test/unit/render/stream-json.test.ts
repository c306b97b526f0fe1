// jsonChunks: JSON.stringify(value, null, 2) byte for byte, an element at a time for the arrays
// given as JsonArrayStream; the scan renderers' chunks join to their strings.
import { describe, expect, it } from 'vitest';
import { batchChunks, joinChunks, jsonChunks, JsonArrayStream } from '../../../src/render/stream.js';

/** The value with every array (at any depth) given as a JsonArrayStream of a generator. */
function streamed(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(streamed);
    return new JsonArrayStream((function* () {
      yield* items;
    })());
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, streamed(v)]));
  }
  return value;
}

const CASES: [string, unknown][] = [
  ['empty object', {}],
  ['empty array', []],
  ['scalars', { a: 1, b: 'x\ny"\\', c: null, d: true, e: -0, f: 1e21, g: NaN, h: Infinity }],
  ['left out and null', { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, Symbol('t'), 2] }],
  ['nested', { groups: [{ occurrences: [{ path: 'a', line: 1 }], report: { threads: [[], [{}], { x: [] }] } }, { y: [[1, [2, [3]]]] }], files: { skipped: [] } }],
  ['toJSON', { when: new Date(0), list: [new Date(1)] }],
  ['unicode', { s: 'lone \uD800 surrogate, \u2028 and \u0000' }],
  ['only arrays', [[[]], [[1]], []]],
];

describe('jsonChunks', () => {
  for (const [name, value] of CASES) {
    it(`gives JSON.stringify(v, null, 2) for ${name}`, () => {
      const want = JSON.stringify(value, null, 2);
      expect(joinChunks(jsonChunks(value))).toBe(want);
      expect(joinChunks(jsonChunks(streamed(value)))).toBe(want);
    });
  }

  it('serializes a streamed array an element at a time (never the whole array at once)', () => {
    let made = 0;
    const items = (function* () {
      for (let i = 0; i < 5; i++) {
        made++;
        yield { i, text: 'x'.repeat(10) };
      }
    })();
    const seen: number[] = [];
    for (const _ of jsonChunks({ head: 1, list: new JsonArrayStream(items), tail: [2] })) seen.push(made);
    // Elements are made as the chunks are taken: the first chunks come before the last element exists.
    expect(seen[0]).toBe(0);
    expect(seen.filter((m) => m < 5).length).toBeGreaterThan(3);
  });

  it('batches chunks to about the size asked, keeping every character in order', () => {
    const chunks = Array.from({ length: 100 }, (_, i) => `${i},`.repeat(i));
    const batched = [...batchChunks(chunks, 500)];
    expect(batched.join('')).toBe(chunks.join(''));
    expect(batched.slice(0, -1).every((b) => b.length >= 500)).toBe(true);
  });
});
