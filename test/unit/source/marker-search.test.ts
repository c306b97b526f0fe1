// The one-pass marker search with every registered format's markers (fingerprints taken anywhere
// in a marker, Teddy buckets) must find exactly what one Buffer.indexOf per marker finds: in the
// kernel's memory, in plain buffers (searched in a copy), with many more formats' markers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimalMarkers } from '../../../src/pipeline.js';
import { CHUNK_SIZE } from '../../../src/source/lines.js';
import { builtTeddyTables, fingerprint, kernel, MarkerSet, takeSearchBuffer } from '../../../src/source/marker-search.js';
import { NOTICE_MARKERS } from '../../../src/parse/notice.js';
import { PARSERS } from '../../../src/parse/registry.js';

const REGISTERED = minimalMarkers([...PARSERS.flatMap((p) => p.markers ?? []), ...NOTICE_MARKERS]).map((m) => Buffer.from(m));
const DUMMIES = Array.from({ length: 20 }, (_, k) => [`DUMMY-${k}-CRASH`, `@@dummy${k}:`, `zq${k}x`]).flat().map((m) => Buffer.from(m));

function reference(markers: readonly Buffer[], buf: Buffer, from: number, to: number): number {
  let best = -1;
  for (const m of markers) {
    const at = buf.indexOf(m, from);
    if (at >= 0 && at < to && (best < 0 || at < best)) best = at;
  }
  return best;
}

describe('marker search, all formats at once', () => {
  it('picks a fingerprint inside each marker, rare bytes first', () => {
    for (const m of [...REGISTERED, ...DUMMIES]) {
      const { offset, bytes } = fingerprint(m);
      expect(m.subarray(offset, offset + bytes.length).equals(Buffer.from(bytes))).toBe(true);
      expect(bytes.length).toBe(Math.min(3, m.length));
    }
    expect(Buffer.from(fingerprint(Buffer.from('abort ')).bytes).toString()).not.toBe('abo');
  });

  it('the kernel is valid WebAssembly for fingerprints of 1, 2 and 3 bytes', () => {
    expect(WebAssembly.validate(kernel([[0x23], [0x72, 0x75], [0x61, 0x62, 0x63]]))).toBe(true);
    expect(WebAssembly.validate(kernel([[0x23], [0x72, 0x75], [0x61, 0x62, 0x63]], 2, 0))).toBe(true);
    expect(WebAssembly.validate(kernel([[0x61, 0x62, 0x63], [0x64, 0x20, 0x70]], 2, 0, true))).toBe(true);
  });

  // Three-byte fingerprints only (the kernel's table hashes them) and with a two-byte one (its table
  // holds fingerprints' first two bytes).
  for (const [label, markers] of [['registered', REGISTERED], ['registered + dummy', [...REGISTERED, ...DUMMIES]], ['registered + a two-byte', [...REGISTERED, Buffer.from('Q!')]]] as const) {
    it(`finds the first marker exactly like indexOf (${label} markers)`, () => {
      const set = new MarkerSet(markers);
      const inKernel = takeSearchBuffer(CHUNK_SIZE);
      expect(inKernel).not.toBeNull();
      const alphabet = [...new Set(Buffer.from(markers.map((m) => m.toString('latin1')).join('') + ' \n0123'))];
      const bytes = fc.oneof(fc.constantFrom(...alphabet), fc.integer({ min: 0, max: 255 }));
      fc.assert(
        fc.property(fc.array(bytes, { maxLength: 400 }), fc.nat(), fc.nat(), fc.array(fc.tuple(fc.nat(markers.length - 1), fc.nat()), { maxLength: 3 }), fc.nat(6000), (arr, a, b, plants, pad) => {
          // Padding before the bytes makes some inputs long enough for the copied-buffer path.
          const data = Buffer.concat([Buffer.alloc(pad % 2 ? pad : 0, 0x2e), Buffer.from(arr)]);
          for (const [which, at] of plants) if (data.length) markers[which]!.copy(data, at % data.length);
          const from = data.length ? a % (data.length + 1) : 0;
          const to = from + (data.length ? b % (data.length - from + 1) : 0);
          const expected = reference(markers, data, from, to);
          data.copy(inKernel!, 0);
          expect(set.find(inKernel!.subarray(0, data.length), from, to)).toBe(expected);
          expect(set.find(data, from, to)).toBe(expected);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('finds a marker across the copy windows of a large plain buffer', () => {
    const set = new MarkerSet(REGISTERED);
    const data = Buffer.alloc(3 * CHUNK_SIZE + 123, 0x61);
    for (const at of [CHUNK_SIZE - 5, CHUNK_SIZE * 2 - 20, 3 * CHUNK_SIZE + 100]) {
      const d = Buffer.from(data);
      Buffer.from('Received signal 11').copy(d, at);
      expect(set.find(d, 0, d.length)).toBe(at);
      expect(set.find(d, at + 1, d.length)).toBe(-1);
    }
  });

  it('writes the registered markers\' Teddy tables for the build, keyed by their probes', () => {
    const { text } = builtTeddyTables([REGISTERED]);
    const entries = Object.entries(JSON.parse(text) as Record<string, number[][]>);
    expect(entries.length).toBe(1);
    const [key, tables] = entries[0]!;
    const probes = new MarkerSet(REGISTERED).prints;
    expect(key).toBe(`3|${probes.map((p) => p.join(',')).join(' ')}`);
    expect(tables.length).toBe(6);
    // Every fingerprint is allowed by some bucket at every position: none can be missed.
    for (const p of probes) {
      let buckets = 0xff;
      p.forEach((b, j) => (buckets &= tables[2 * j]![b & 15]! & tables[2 * j + 1]![b >> 4]!));
      expect(buckets).not.toBe(0);
    }
  });
});

