// One pass over raw bytes for all the markers at once (the scanner's "could a trace start
// here?" question), whatever their number: every parser's markers and the fatal notices' words are
// one search, instead of one Buffer.indexOf pass per marker or one comparison per marker per block.
//
// Each marker is searched by its rarest three bytes (its fingerprint, chosen with a byte-frequency
// table as ripgrep does: "abort " by "bor", not by "ab"), and all fingerprints at once by a small
// WebAssembly SIMD kernel in the manner of Teddy (Hyperscan, ripgrep): nibble lookup tables with
// one bit per bucket of fingerprints, ~14 instructions per 16-byte block whatever the number of
// markers, generated here from its opcodes (no toolchain). Candidates are then checked against
// whole markers in JS.
//
// The kernel reads bytes in its own memory. The reader's chunks are the reader's (lines.ts owns
// its buffers): what is searched is copied into a scratch buffer of that memory in windows that
// grow from 4 KB to 1 MB (a marker close by costs a small copy, a clean stretch few copies; a copy
// costs far less than a search), and searched there. A buffer that already lives in that memory
// (`takeSearchBuffer`) is searched in place; without WebAssembly SIMD, one Buffer.indexOf per
// marker.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// --- the kernel, in WebAssembly binary form ---------------------------------------------------

const SIMD = 0xfd;
const op = {
  v128load: (offset: number) => [SIMD, 0x00, 0x00, ...leb(offset)],
  swizzle: [SIMD, 0x0e],
  splat8: [SIMD, 0x0f],
  eq8: [SIMD, 0x23],
  or: [SIMD, 0x50],
  and: [SIMD, 0x4e],
  anyTrue: [SIMD, 0x53],
  bitmask8: [SIMD, 0x64],
  shrU8: [SIMD, 0x6d],
  v128zero: [SIMD, 0x0c, ...new Array(16).fill(0)],
  v128const: (bytes: readonly number[]) => [SIMD, 0x0c, ...bytes.map((b) => b & 0xff)],
  ne8: [SIMD, 0x24],
  localGet: (i: number) => [0x20, i],
  localSet: (i: number) => [0x21, i],
  localTee: (i: number) => [0x22, i],
  i32: (v: number) => [0x41, ...sleb(v)],
};

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...Buffer.from(s)];

/**
 * The kernel for one set of fingerprints (1 to 3 bytes each): find(p, end) -> i32, the first
 * position q >= p where some fingerprint may start, scanning 16-byte blocks while the block and the
 * bytes after it fit before end; when there is none, -1 - p, with p where the blocks stopped (the
 * caller checks that tail). A Teddy-style search (Hyperscan's, as ripgrep uses it): each
 * fingerprint is put in one of 8 buckets; for each of its byte positions j, two 16-byte tables
 * map a byte's low and high nibble to the buckets that allow it there (one swizzle each), and a
 * position is a candidate when some bucket allows all its bytes. The work per block is the same
 * whatever the number of fingerprints: ~3 instructions per byte position, a few per block.
 * Locals: 0 p, 1 end, 2 candidates, 3 bytes, 4 the 0x0f mask, 5... the tables (low, high per j).
 */
export function kernel(probes: readonly (readonly number[])[], unroll = 2, pairTable: number | null = null, triples = false): Uint8Array<ArrayBuffer> {
  const P = 0, END = 1, M = 2, V = 3, NIB = 4;
  const width = Math.max(1, ...probes.map((p) => p.length));
  const tables = tablesFor(probes, width);
  const LO = (j: number) => 5 + 2 * j, HI = (j: number) => 6 + 2 * j;
  // i32 locals after the v128 ones: the block's candidate bits, a candidate, its first two bytes.
  const BITS = 5 + 2 * width, Q = 6 + 2 * width, K = 7 + 2 * width;
  /** Candidates of the block at p + offset, left on the stack. */
  const block = (offset: number) =>
    Array.from({ length: width }, (_, j) => [
      ...op.localGet(P), ...op.v128load(offset + j), ...op.localSet(V),
      ...op.localGet(LO(j)), ...op.localGet(V), ...op.localGet(NIB), ...op.and, ...op.swizzle,
      ...op.localGet(HI(j)), ...op.localGet(V), ...op.i32(4), ...op.shrU8, ...op.swizzle,
      ...op.and,
      ...(j > 0 ? op.and : []),
    ]).flat();
  // br_if 1 when p + bytes + width - 1 > end (a block's loads reach that far).
  const exitUnless = (bytes: number) => [...op.localGet(P), ...op.i32(bytes + width - 1), 0x6a, ...op.localGet(END), 0x4b, 0x0d, 0x01];
  /**
   * A block's candidates (m on the stack's local M): the first whose two bytes begin some
   * fingerprint is returned; the others are passed over here, not handed to JS one call each (with
   * many fingerprints, a bucket's nibble combinations let common words through: "wor", "req").
   * Without a pair table: the first candidate. With `triples` (every fingerprint three bytes long)
   * the table is indexed by a hash of the candidate's three bytes instead (tripleHash), which
   * lets far fewer common words through than their first two bytes ("d r" of "handled request"
   * for a fingerprint "d p").
   */
  const hit = pairTable === null
    ? [...op.localGet(P), ...op.localGet(M), ...op.v128zero, ...op.ne8, ...op.bitmask8, 0x68, 0x6a, 0x0f] // return p + ctz(bitmask(m != 0))
    : [
        ...op.localGet(M), ...op.v128zero, ...op.ne8, ...op.bitmask8, ...op.localSet(BITS),
        0x03, 0x40, // loop over the bits
        ...op.localGet(P), ...op.localGet(BITS), 0x68, 0x6a, ...op.localTee(Q), // q = p + ctz(bits)
        ...(triples
          ? [0x28, 0x00, 0x00, ...op.i32(0xffffff), 0x71, ...op.i32(TRIPLE_MULTIPLIER | 0), 0x6c, ...op.i32(16), 0x76, ...op.localTee(K)] // k = tripleHash(load(q) & 0xffffff)
          : [0x2f, 0x00, 0x00, ...op.localTee(K)]), // k = load16_u(q): its two bytes, little-endian
        ...op.i32(3), 0x76, 0x2d, 0x00, ...leb(pairTable), // table byte k >> 3
        ...op.localGet(K), ...op.i32(7), 0x71, 0x76, ...op.i32(1), 0x71, // >> (k & 7) & 1
        0x04, 0x40, ...op.localGet(Q), 0x0f, 0x0b, // a pair some fingerprint begins with: return q
        ...op.localGet(BITS), ...op.localGet(BITS), ...op.i32(1), 0x6b, 0x71, ...op.localTee(BITS), // bits &= bits - 1
        0x0d, 0x00, // next bit
        0x0b,
      ];
  const body = [
    0x02, ...leb(3 + 2 * width), 0x7b, 0x03, 0x7f,
    ...op.v128const(new Array(16).fill(0x0f)), ...op.localSet(NIB),
    ...tables.flatMap((t, k) => [...op.v128const(t), ...op.localSet(5 + k)]),
    0x03, 0x40, // outer loop: back to the wide loop after a block whose candidates all failed
    // Wide loop: `unroll` blocks at a time, one test for all of them; on a hit, the narrow loop finds it.
    0x02, 0x40, 0x03, 0x40,
    ...exitUnless(16 * unroll),
    ...Array.from({ length: unroll }, (_, k) => [...block(16 * k), ...(k > 0 ? op.or : [])]).flat(),
    ...op.anyTrue, 0x0d, 0x01, // br_if out of the wide loop on a hit
    ...op.localGet(P), ...op.i32(16 * unroll), 0x6a, ...op.localSet(P),
    0x0c, 0x00,
    0x0b, 0x0b,
    // Narrow loop: one block at a time.
    0x02, 0x40, 0x03, 0x40,
    ...exitUnless(16),
    ...block(0),
    ...op.localTee(M), ...op.anyTrue,
    0x04, 0x40, // if
    ...hit,
    0x0b,
    ...op.localGet(P), ...op.i32(16), 0x6a, ...op.localSet(P),
    // After a block with candidates, the wide loop again (it falls back here near the end).
    ...op.localGet(M), ...op.anyTrue, 0x0d, 0x02,
    0x0c, 0x00,
    0x0b, 0x0b,
    ...op.i32(-1), ...op.localGet(P), 0x6b, // -1 - p
    0x0f,
    0x0b, // end of the outer loop (not reached: the code above returns)
    0x00, // unreachable
    0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f]),
    ...section(2, [0x01, ...name('e'), ...name('m'), 0x02, 0x00, ...leb(1)]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name('find'), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

/**
 * Teddy tables the build worked out for the registered formats' markers (bench/build-validators.js),
 * keyed by the probes they are for: placing ~130 fingerprints in buckets is ~4,000 cost estimates,
 * a tenth of a one-paste start-up while the code is not yet compiled. A set not in the file (other
 * parsers, a changed marker) is placed here as before: the file is a shortcut, never an answer of its own.
 */
const TEDDY_FILE = fileURLToPath(new URL('./teddy-tables.json', import.meta.url));
let prebuiltTables: Record<string, number[][]> | null | undefined;
const tablesKey = (probes: readonly (readonly number[])[], width: number) => `${width}|${probes.map((p) => p.join(',')).join(' ')}`;

function tablesFor(probes: readonly (readonly number[])[], width: number): number[][] {
  if (prebuiltTables === undefined) {
    try {
      prebuiltTables = JSON.parse(readFileSync(TEDDY_FILE, 'utf8')) as Record<string, number[][]>;
    } catch {
      prebuiltTables = null; // not built (running from the sources)
    }
  }
  return prebuiltTables?.[tablesKey(probes, width)] ?? teddyTables(probes, width);
}

/** What the build writes to TEDDY_FILE: the tables of these marker sets' kernels. */
export function builtTeddyTables(sets: readonly (readonly Buffer[])[]): { file: string; text: string } {
  const out: Record<string, number[][]> = {};
  for (const markers of sets) {
    const probes = new MarkerSet(markers).prints;
    const width = Math.max(1, ...probes.map((p) => p.length));
    out[tablesKey(probes, width)] = teddyTables(probes, width);
  }
  return { file: TEDDY_FILE, text: JSON.stringify(out) };
}

/**
 * Teddy's nibble tables for these fingerprints: [low0, high0, low1, high1, ...], 16 bytes each,
 * bit b set where bucket b allows that nibble at that position. A bucket allows every combination
 * of the nibbles its fingerprints have at a position ("mem" and "us " in one bucket let "ms " and
 * "ue " through): each fingerprint goes to the bucket where it adds the fewest such false matches,
 * weighed by how common the bytes are in logs (greedy, rarest fingerprints placed last). A
 * fingerprint shorter than the others leaves its bucket's later positions open to any byte, so
 * each length has buckets of its own.
 */
function teddyTables(probes: readonly (readonly number[])[], width: number): number[][] {
  const lengths = [...new Set(probes.map((p) => p.length))].sort((a, b) => a - b);
  // Buckets per length: one for each shorter length, the rest for the longest.
  const buckets: TeddyBucket[] = [];
  for (const len of lengths) {
    const n = len === lengths[lengths.length - 1] ? 8 - buckets.length : 1;
    for (let k = 0; k < n; k++) buckets.push(new TeddyBucket(len));
  }
  const order = [...probes].sort((a, b) => new TeddyBucket(b.length).cost(b) - new TeddyBucket(a.length).cost(a));
  for (const fp of order) {
    let best: TeddyBucket | null = null;
    let bestAdded = Infinity;
    for (const b of buckets) {
      if (b.length !== fp.length) continue;
      const added = b.cost(fp) - b.current;
      if (added < bestAdded) (bestAdded = added), (best = b);
    }
    best!.add(fp);
  }
  // Then single moves while one lowers the total (greedy placement alone can trap a common
  // fingerprint's nibbles with another's).
  for (let round = 0, moved = true; moved && round < 3; round++) {
    moved = false;
    for (const from of buckets)
      for (const fp of [...from.fps]) {
        const saved = from.current - from.cost(null, fp);
        let target: TeddyBucket | null = null;
        let gain = 1e-12;
        for (const to of buckets) {
          if (to === from || to.length !== from.length) continue;
          const g = saved - (to.cost(fp) - to.current);
          if (g > gain) (gain = g), (target = to);
        }
        if (target) {
          from.remove(fp);
          target.add(fp);
          moved = true;
        }
      }
  }
  const tables = Array.from({ length: 2 * width }, () => new Array<number>(16).fill(0));
  buckets.forEach(({ fps }, b) => {
    for (const fp of fps)
      for (let j = 0; j < width; j++) {
        if (j < fp.length) {
          tables[2 * j]![fp[j]! & 15]! |= 1 << b;
          tables[2 * j + 1]![fp[j]! >> 4]! |= 1 << b;
        } else for (let n = 0; n < 16; n++) (tables[2 * j]![n]! |= 1 << b), (tables[2 * j + 1]![n]! |= 1 << b);
      }
  });
  return tables;
}

/**
 * Fingerprints of one length in one Teddy bucket, with how many have each nibble at each position:
 * what the bucket would let through with one fingerprint more or less is worked out from those
 * counts, not from the list again (the placement asks that ~10,000 times for 130 fingerprints).
 */
class TeddyBucket {
  fps: (readonly number[])[] = [];
  /** Fingerprints with low (high) nibble n at position j: index j * 16 + n. */
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  /** Per position, the low (high) nibbles some fingerprint has there, one bit each. */
  private readonly loMask: Int32Array;
  private readonly hiMask: Int32Array;
  /** cost() of the bucket as it is. */
  current = 0;

  constructor(readonly length: number) {
    this.lo = new Int32Array(length * 16);
    this.hi = new Int32Array(length * 16);
    this.loMask = new Int32Array(length);
    this.hiMask = new Int32Array(length);
  }

  add(fp: readonly number[]): void {
    this.fps.push(fp);
    this.count(fp, 1);
  }

  remove(fp: readonly number[]): void {
    this.fps = this.fps.filter((f) => f !== fp);
    this.count(fp, -1);
  }

  private count(fp: readonly number[], d: number): void {
    for (let j = 0; j < this.length; j++) {
      const l = j * 16 + (fp[j]! & 15);
      const h = j * 16 + (fp[j]! >> 4);
      this.lo[l]! += d;
      this.hi[h]! += d;
      // The position's nibble sets: a nibble stays while some fingerprint has it.
      this.loMask[j] = this.lo[l]! > 0 ? this.loMask[j]! | (1 << (fp[j]! & 15)) : this.loMask[j]! & ~(1 << (fp[j]! & 15));
      this.hiMask[j] = this.hi[h]! > 0 ? this.hiMask[j]! | (1 << (fp[j]! >> 4)) : this.hiMask[j]! & ~(1 << (fp[j]! >> 4));
    }
    this.current = this.cost();
  }

  /**
   * How much log text the bucket lets through with `plus` added or `minus` taken out (the product
   * over positions of the weights of every low/high nibble combination it allows there).
   */
  cost(plus: readonly number[] | null = null, minus: readonly number[] | null = null): number {
    if (this.fps.length + (plus ? 1 : 0) - (minus ? 1 : 0) === 0) return 0;
    let p = 1;
    for (let j = 0; j < this.length; j++) {
      let lo = this.loMask[j]!;
      let hi = this.hiMask[j]!;
      if (plus) (lo |= 1 << (plus[j]! & 15)), (hi |= 1 << (plus[j]! >> 4));
      if (minus) {
        // Gone with it: a nibble only `minus` had.
        if (this.lo[j * 16 + (minus[j]! & 15)] === 1) lo &= ~(1 << (minus[j]! & 15));
        if (this.hi[j * 16 + (minus[j]! >> 4)] === 1) hi &= ~(1 << (minus[j]! >> 4));
      }
      let sum = 0;
      for (let hs = hi; hs; hs &= hs - 1)
        for (let ls = lo, h = 31 - Math.clz32(hs & -hs); ls; ls &= ls - 1) sum += BYTE_WEIGHT[(h << 4) | (31 - Math.clz32(ls & -ls))]!;
      p *= sum;
    }
    return p;
  }
}

// --- the memory chunk buffers live in ----------------------------------------------------------

interface Arena {
  memory: WebAssembly.Memory;
  free: Buffer[];
  next: number;
  size: number;
  /** Pair tables placed so far, in the page after the chunk buffers (PAIR_TABLES of PAIR_TABLE_BYTES). */
  tables: number;
}

/** Multiplier of the hash of three bytes (Knuth's golden ratio constant): see tripleHash. */
const TRIPLE_MULTIPLIER = 0x9e3779b1;
/** A 16-bit hash of three bytes read as a little-endian value k = b0 | b1 << 8 | b2 << 16 (the kernel's, in JS). */
export const tripleHash = (k: number): number => Math.imul(k, TRIPLE_MULTIPLIER) >>> 16;

/** A marker set's pair table: one bit per two-byte value, or per hash of three (see kernel's `hit`). */
const PAIR_TABLE_BYTES = 65536 / 8;
/** Marker sets whose kernel gets a pair table (more get kernels without one: slower, still right). */
const PAIR_TABLES = 65536 / PAIR_TABLE_BYTES;

let arenaState: Arena | null | undefined;

/** Room for this many chunk buffers in the kernels' memory (more are plain buffers, searched the slow way). */
const SEARCH_BUFFERS = 16;

function arena(chunkSize: number): Arena | null {
  if (arenaState !== undefined) return arenaState;
  arenaState = null;
  try {
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(kernel([[0x23]]))) return null;
    const pages = Math.ceil((SEARCH_BUFFERS * chunkSize) / 65536);
    // One more page for the marker sets' pair tables.
    arenaState = { memory: new WebAssembly.Memory({ initial: pages + 1, maximum: pages + 1 }), free: [], next: 0, size: pages * 65536, tables: 0 };
  } catch {
    arenaState = null;
  }
  return arenaState;
}

/** A chunk buffer inside the kernels' memory, or null when there is no room (or no WebAssembly). */
export function takeSearchBuffer(chunkSize: number): Buffer | null {
  const a = arena(chunkSize);
  if (!a) return null;
  const i = a.free.findIndex((b) => b.length === chunkSize);
  if (i >= 0) return a.free.splice(i, 1)[0]!;
  if (a.next + chunkSize > a.size) return null;
  const buf = Buffer.from(a.memory.buffer, a.next, chunkSize);
  a.next += chunkSize;
  return buf;
}

/** Gives a buffer back for reuse; false for a plain buffer (left to the GC). */
export function releaseSearchBuffer(buf: Buffer): boolean {
  const a = arenaState;
  if (!a || buf.buffer !== a.memory.buffer) return false;
  if (!a.free.includes(buf)) a.free.push(buf);
  return true;
}

// --- marker sets -------------------------------------------------------------------------------

/**
 * How common each byte is in logs, most common first (ripgrep picks a literal's rarest bytes by
 * such a table). Bytes not listed (controls, non-ASCII) count as rare.
 */
const COMMON = ` 0e12t:a-5.o3i4n/s6r789=l_cdTu,Zhmp[]fgyb\nwvkSEIANRO()DCLPMF"'xBUHGWVK;>*Y<#jqz+JX&%@?!$Q|{}~\\^\``;
const RANK = new Uint8Array(256).fill(255);
for (let i = 0; i < COMMON.length; i++) RANK[COMMON.charCodeAt(i)] = i;
/** A byte's place in COMMON (0: the commonest; 255: not listed, rare). */
export const byteRank = (byte: number): number => RANK[byte & 0xff]!;
/** A byte's rough share of log text (Zipf-like by rank; unlisted bytes rare). */
const BYTE_WEIGHT = Float64Array.from(RANK, (r) => (r === 255 ? 0.0002 : 1 / (r + 4)));
/** Fingerprints are up to this many bytes of each marker (fewer false candidates than two). */
const FINGERPRINT = 3;

/** A marker's rarest stretch of up to FINGERPRINT bytes: where it starts in the marker, and its bytes. */
export function fingerprint(marker: Buffer): { offset: number; bytes: number[] } {
  const width = Math.min(FINGERPRINT, marker.length);
  let best = 0;
  let bestScore = -1;
  for (let k = 0; k + width <= marker.length; k++) {
    // The rarest byte counts most (ranks are far apart for rare bytes), then the others.
    let score = 0;
    for (let j = 0; j < width; j++) score += RANK[marker[k + j]!]! ** 2;
    if (score > bestScore) (bestScore = score), (best = k);
  }
  return { offset: best, bytes: [...marker.subarray(best, best + width)] };
}

interface Fingerprinted {
  marker: Buffer;
  offset: number;
}

export class MarkerSet {
  private compiled: ((p: number, end: number) => number) | null | undefined;
  /** Markers by their fingerprint's bytes (key: the bytes as one number, with the length). */
  private readonly byPrint = new Map<number, Fingerprinted[]>();
  private readonly lengths: number[];
  private readonly maxOffset: number;
  private readonly maxLength: number;
  /** The fingerprints, one per distinct one (the kernel's probes). */
  readonly prints: number[][];
  /** The markers by their first byte (null: none starts with it). */
  private readonly byFirstByte: (Buffer[] | null)[] = new Array<Buffer[] | null>(256).fill(null);
  /**
   * Nonzero for the first two bytes of some fingerprint (null when one is shorter): most of the
   * kernel's candidates are nibble combinations of a bucket's fingerprints ("pa" of "path" through
   * "Pyt" and "zer"), thrown out here before any map lookup.
   */
  private readonly pairs: Uint8Array | null;
  /** Every fingerprint is three bytes long: the kernel's table is indexed by their hash. */
  private readonly triples: boolean;

  constructor(readonly markers: readonly Buffer[]) {
    const prints = new Map<number, number[]>();
    let maxOffset = 0;
    let maxLength = 0;
    for (const m of markers) {
      if (m.length === 0) continue;
      const { offset, bytes } = fingerprint(m);
      const key = printKey(bytes.length, (i) => bytes[i]!);
      prints.set(key, bytes);
      this.byPrint.set(key, [...(this.byPrint.get(key) ?? []), { marker: m, offset }]);
      maxOffset = Math.max(maxOffset, offset);
      maxLength = Math.max(maxLength, m.length);
    }
    this.prints = [...prints.values()];
    for (const m of markers) if (m.length > 0) (this.byFirstByte[m[0]!] ??= []).push(m);
    this.lengths = [...new Set(this.prints.map((p) => p.length))].sort((a, b) => a - b);
    this.pairs = this.lengths[0]! >= 2 ? new Uint8Array(65536) : null;
    this.triples = this.lengths[0] === 3;
    for (const p of this.prints) if (this.pairs) this.pairs[(p[0]! << 8) | p[1]!] = 1;
    this.maxOffset = maxOffset;
    this.maxLength = maxLength;
  }

  /** This set's pair table written into the kernels' memory: its offset, or null (none, or no room). */
  private placePairTable(a: Arena): number | null {
    if (!this.pairs || a.tables >= PAIR_TABLES) return null;
    const offset = a.size + a.tables++ * PAIR_TABLE_BYTES;
    const bits = new Uint8Array(a.memory.buffer, offset, PAIR_TABLE_BYTES);
    // Bit k for the two bytes b0 b1 read as a little-endian 16-bit value k = b0 | b1 << 8, or for
    // the hash of three.
    for (const p of this.prints) {
      const k = this.triples ? tripleHash(p[0]! | (p[1]! << 8) | (p[2]! << 16)) : p[0]! | (p[1]! << 8);
      bits[k >> 3]! |= 1 << (k & 7);
    }
    return offset;
  }

  /** The kernel for these markers, compiled on first use; null when it cannot run here. */
  private kernel(): ((p: number, end: number) => number) | null {
    if (this.compiled !== undefined) return this.compiled;
    this.compiled = null;
    const a = arenaState;
    if (!a || this.markers.length === 0 || this.markers.some((m) => m.length === 0)) return null;
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(kernel(this.prints, 2, this.placePairTable(a), this.triples)), { e: { m: a.memory } });
      this.compiled = instance.exports.find as (p: number, end: number) => number;
    } catch {
      this.compiled = null;
    }
    return this.compiled;
  }

  /** The first position in [from, to) where a whole marker starts, or -1. */
  find(buf: Buffer, from: number, to: number): number {
    to = Math.min(to, buf.length);
    if (from >= to) return -1;
    const a = arenaState;
    if (a && buf.buffer === a.memory.buffer) {
      const find = this.kernel();
      if (find) return this.search(find, buf, from, to);
    }
    // A buffer from elsewhere (gunzip, a stream): searched in a copy inside the kernel's memory,
    // window by window, when it is worth it; else one indexOf per marker.
    if (to - from >= 256) {
      scratchBuffer ??= takeSearchBuffer(SCRATCH);
      if (scratchBuffer && this.kernel()) return this.searchCopied(scratchBuffer, buf, from, to);
    }
    return this.indexOf(buf, from, to);
  }

  private searchCopied(scratch: Buffer, buf: Buffer, from: number, to: number): number {
    const limit = Math.min(buf.length, to + this.maxLength);
    // Windows grow from 4 KB: a marker close by costs a small copy, a long clean stretch few copies.
    let window = Math.min(scratch.length, 4096);
    for (let w = from; w < to; window = Math.min(scratch.length, window * 2)) {
      const copied = buf.copy(scratch, 0, w, Math.min(limit, w + window));
      // Starts whose whole marker is in the copy; the last window holds everything to `to`.
      const last = w + copied >= limit;
      const stop = last ? to : Math.min(to, w + copied - this.maxLength);
      const at = this.search(this.compiled!, scratch.subarray(0, copied), 0, stop - w);
      if (at >= 0) return w + at;
      w = stop;
    }
    return -1;
  }

  /** The kernel's candidates, checked against whole markers; the first start wins. */
  private search(find: (p: number, end: number) => number, buf: Buffer, from: number, to: number): number {
    const base = buf.byteOffset;
    let best = -1;
    // Fingerprints sit up to maxOffset bytes into their marker: candidates are looked for that far
    // past `to`, and past a start found, for a marker starting before it.
    let p = base + from;
    let end = base + Math.min(buf.length, to + this.maxOffset + FINGERPRINT);
    for (;;) {
      const q = find(p, end);
      if (q < 0) {
        // Fingerprints from where the blocks stopped were not looked at: their markers, byte by byte.
        const at = this.scalar(buf, Math.max(from, -1 - q - base - this.maxOffset), best >= 0 ? best : to);
        return at >= 0 ? at : best;
      }
      const at = this.verify(buf, q - base, from, to);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        end = Math.min(end, base + best + this.maxOffset + FINGERPRINT);
      }
      p = q + 1;
    }
    return best;
  }

  /** The earliest start in [from, to) of a marker whose fingerprint is at `q`, or -1. */
  private verify(buf: Buffer, q: number, from: number, to: number): number {
    if (this.pairs && (q + 1 >= buf.length || !this.pairs[(buf[q]! << 8) | buf[q + 1]!])) return -1;
    let best = -1;
    for (const len of this.lengths) {
      if (q + len > buf.length) break;
      const list = this.byPrint.get(printKey(len, (i) => buf[q + i]!));
      if (!list) continue;
      for (const { marker, offset } of list) {
        const at = q - offset;
        if (at >= from && at < to && (best < 0 || at < best) && this.startsWith(buf, at, marker)) best = at;
      }
    }
    return best;
  }

  /** One Buffer.indexOf pass per marker. */
  private indexOf(buf: Buffer, from: number, to: number): number {
    let best = -1;
    for (const m of this.markers) {
      const at = buf.indexOf(m, from);
      if (at >= 0 && at < to && (best < 0 || at < best)) best = at;
    }
    return best;
  }

  /** Byte by byte, for the few bytes the kernel's blocks do not reach. */
  private scalar(buf: Buffer, from: number, to: number): number {
    const byFirst = this.byFirstByte;
    for (let i = from; i < to; i++) {
      const list = byFirst[buf[i]!];
      if (list) for (const m of list) if (this.startsWith(buf, i, m)) return i;
    }
    return -1;
  }

  private startsWith(buf: Buffer, at: number, m: Buffer): boolean {
    if (at + m.length > buf.length) return false;
    for (let j = 0; j < m.length; j++) if (buf[at + j] !== m[j]) return false;
    return true;
  }
}

/** Size of the copy a buffer from outside the kernel's memory is searched in. */
const SCRATCH = 1 << 20;
let scratchBuffer: Buffer | null | undefined;

/** A fingerprint's bytes as one map key (its length included). */
function printKey(len: number, byte: (i: number) => number): number {
  let k = len;
  for (let i = 0; i < len; i++) k = k * 256 + byte(i);
  return k;
}

const sets = new Map<string, MarkerSet>();
const byArray = new WeakMap<readonly Buffer[], MarkerSet>();

/** The (cached) marker set for these markers: its kernel is compiled once per process. */
export function markerSet(markers: readonly Buffer[]): MarkerSet {
  let set = byArray.get(markers);
  if (set) return set;
  const key = markers.map((m) => m.toString('latin1')).join('\0');
  set = sets.get(key);
  if (!set) {
    set = new MarkerSet(markers);
    if (sets.size < 64) sets.set(key, set);
  }
  byArray.set(markers, set);
  return set;
}
