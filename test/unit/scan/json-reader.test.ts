// The streaming JSON reader (src/scan/json-reader.ts): the same values as JSON.parse, the named
// arrays handed over an element at a time (across chunk boundaries, multi-byte characters split
// between reads), and every text JSON.parse rejects rejected in one line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonReadError, JsonSyntaxError, streamJsonFile, type JsonPath } from '../../../src/scan/json-reader.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('json-reader');
let n = 0;
const file = (text: string | Buffer) => {
  const path = join(dir, `f${n++}.json`);
  writeFileSync(path, text);
  return path;
};

/** Reads with `groups` (at the root) streamed: the value and the elements seen. */
function read(text: string | Buffer, chunkSize = 7) {
  const elements: { path: JsonPath; index: number; value: unknown }[] = [];
  const value = streamJsonFile(file(text), {
    stream: (p) => p.length === 1 && p[0] === 'groups',
    descend: (p) => p.length === 0,
    onElement: (path, index, v) => elements.push({ path, index, value: v }),
    chunkSize,
  });
  return { value, elements };
}

describe('streamJsonFile', () => {
  const doc = {
    tool: { name: 'coredx', version: '1.0' },
    schemaVersion: 1,
    groups: [{ signature: 'a', text: 'é€😀 "quoted" \\ back\\slash ] } [ {', n: -1.5e3 }, [1, [2, [3]]], 'str', 7, null, true, {}],
    files: { scanned: 3, skipped: [] },
  };
  // A key JSON.parse keeps as an own property (an object literal would take it for the prototype).
  const text = JSON.stringify(doc, null, 2).replace(/\n}$/, ',\n  "__proto__": { "polluted": true }\n}');

  for (const chunkSize of [1, 2, 3, 7, 64, 1 << 20]) {
    it(`gives JSON.parse's value and each element once, in order (reads of ${chunkSize} bytes)`, () => {
      const { value, elements } = read(text, chunkSize);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(elements.map((e) => e.value)).toEqual(parsed.groups);
      expect(elements.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(elements.every((e) => e.path.join('/') === 'groups')).toBe(true);
      expect(value).toEqual({ ...parsed, groups: [] });
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
      expect(Object.keys(value as object)).toEqual(Object.keys(parsed));
    });
  }

  it('streams nested arrays (SARIF results of the first run) and reads the rest whole', () => {
    const sarif = { runs: [{ tool: { driver: { name: 'coredx' } }, results: [{ a: 1 }, { b: [2] }] }, { results: [{ c: 3 }] }] };
    const seen: unknown[] = [];
    const value = streamJsonFile(file(JSON.stringify(sarif)), {
      stream: (p) => p.length === 3 && p[0] === 'runs' && p[1] === 0 && p[2] === 'results',
      descend: (p) => p.length === 0 || (p[0] === 'runs' && p.length <= 2),
      onElement: (_p, _i, v) => seen.push(v),
      chunkSize: 5,
    });
    expect(seen).toEqual([{ a: 1 }, { b: [2] }]);
    expect(value).toEqual({ runs: [{ tool: { driver: { name: 'coredx' } }, results: [] }, { results: [{ c: 3 }] }] });
  });

  it('reads empty containers, a bare value and white space around it', () => {
    expect(read(' { "groups" : [ ] , "x" : [ ] } \n').value).toEqual({ groups: [], x: [] });
    expect(read('{}').value).toEqual({});
    expect(read('\n 42 \n').value).toBe(42);
    expect(read('"s"').value).toBe('s');
    expect(read('[1,2]').value).toEqual([1, 2]);
  });

  it('rejects in one line what JSON.parse rejects', () => {
    const bad = [
      '',
      '   ',
      '{',
      '{"groups": [1, 2',
      '{"groups": [1 2]}',
      '{"groups": [1,]}',
      '{"a" 1}',
      '{"a": 1,}',
      '{a: 1}',
      '{"a": 1} x',
      '{"a": [1}',
      '{"groups": [{"x": }]}',
      '{"a": tru}',
      '{"a": "unterminated}',
      "{'a': 1}",
      '{"a": 01}',
      '{"groups": [NaN]}',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow();
      let error: unknown;
      try {
        read(text, 3);
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(JsonSyntaxError);
      expect((error as Error).message, text).not.toContain('\n');
    }
  });

  it('says why a file cannot be read', () => {
    mkdirSync(join(dir, 'sub'));
    expect(() => streamJsonFile(join(dir, 'missing.json'), { stream: () => false, descend: () => false, onElement: () => {} })).toThrow(JsonReadError);
    try {
      streamJsonFile(join(dir, 'sub'), { stream: () => false, descend: () => false, onElement: () => {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JsonReadError);
      expect((err as JsonReadError).code).toBe('EISDIR');
    }
  });

  it('reads many elements without keeping them', () => {
    const parts = ['{"groups":['];
    for (let i = 0; i < 20_000; i++) parts.push(`${i ? ',' : ''}{"i":${i},"s":"${'x'.repeat(i % 97)}"}`);
    parts.push('],"end":true}');
    let sum = 0;
    let count = 0;
    const value = streamJsonFile(file(parts.join('')), {
      stream: (p) => p[0] === 'groups',
      descend: (p) => p.length === 0,
      onElement: (_p, i, v) => {
        if ((v as { i: number }).i !== i) throw new Error(`element ${i} is ${JSON.stringify(v)}`);
        sum += (v as { i: number }).i;
        count++;
      },
      chunkSize: 4096,
    });
    expect(count).toBe(20_000);
    expect(sum).toBe((20_000 * 19_999) / 2);
    expect(value).toEqual({ groups: [], end: true });
  });
});
