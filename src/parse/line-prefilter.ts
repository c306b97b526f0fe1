// One test per line for every format at once: which parsers' markers a line holds. The extractor
// asks only those parsers whether the line starts a trace (ripgrep's shape: literals from all
// patterns found in one pass, the patterns run only on candidates), so the cost of an ordinary log
// line no longer grows with the number of registered formats (ClusterFuzz's shape, avoided: every
// line tried against every pattern).
//
// Each marker (a parser's lineMarkers, else its markers) is looked for by its rarest two characters (the byte-frequency ranks of the reader's
// marker search): one table lookup per character of the line, and a marker compared only where its
// two characters stand. A parser without markers (a library user's own) is asked about every line.

import { byteRank } from '../source/marker-search.js';
import type { TraceParser } from './types.js';

interface Entry {
  marker: string;
  /** Where the two looked-for characters stand in the marker. */
  offset: number;
  /** Indexes (into the parser list) of the parsers that declared the marker. */
  owners: number[];
}

/** The 16 bits a pair of characters is looked up by (only the low bytes: collisions are compared away). */
const pairKey = (a: number, b: number) => ((a & 0xff) << 8) | (b & 0xff);

/** What a prefilter selects: a parser, or anything else that names the markers its lines hold. */
export interface Marked {
  readonly markers?: readonly string[];
  readonly lineMarkers?: readonly string[];
}

const NONE: readonly never[] = [];

export class LinePrefilter<T extends Marked = TraceParser> {
  /** Nonzero for the pair keys some marker is looked for by. */
  private readonly table = new Uint8Array(65536);
  private readonly byPair = new Map<number, Entry[]>();
  /** Parsers asked about every line (no markers), by index. */
  private readonly always: number[] = [];
  /** One-character markers (no pair to look them up by), each searched for in the line. */
  private readonly singles: { char: string; owners: number[] }[] = [];
  /** The line each parser was last found a candidate for (per-parser stamps: no clearing per line). */
  private readonly stamp: Uint32Array;
  private line = 0;

  constructor(readonly parsers: readonly T[]) {
    this.stamp = new Uint32Array(parsers.length);
    const byMarker = new Map<string, number[]>();
    parsers.forEach((p, i) => {
      // An empty marker is in every line: the parser is asked about every line, as without markers.
      const markers = p.lineMarkers ?? p.markers;
      if (!markers || markers.length === 0 || markers.some((m) => m.length === 0)) return void this.always.push(i);
      for (const m of markers) byMarker.set(m, [...(byMarker.get(m) ?? []), i]);
    });
    for (const [marker, owners] of byMarker) {
      const offset = rarestPair(marker);
      const key = offset < 0 ? -1 : pairKey(marker.charCodeAt(offset), marker.charCodeAt(offset + 1));
      if (key < 0) {
        // A one-character marker ('!' of a Visual Studio frame): looked for on its own.
        this.singles.push({ char: marker, owners });
        continue;
      }
      this.table[key] = 1;
      const list = this.byPair.get(key) ?? [];
      list.push({ marker, offset, owners });
      this.byPair.set(key, list);
    }
  }

  /**
   * The parsers whose markers `text` holds, in list order (a shared empty list when none: most
   * lines). A fresh list otherwise, so a caller may start a trace (and its report callbacks run)
   * before it is done with it.
   */
  candidates(text: string): readonly T[] {
    const stamp = ++this.line === 0xffffffff ? this.restart() : this.line;
    let count = 0;
    for (const i of this.always) if (this.stamp[i] !== stamp) (this.stamp[i] = stamp), count++;
    for (const { char, owners } of this.singles) if (text.includes(char)) for (const o of owners) if (this.stamp[o] !== stamp) (this.stamp[o] = stamp), count++;
    const n = text.length;
    const table = this.table;
    let prev = n > 0 ? text.charCodeAt(0) : 0;
    for (let i = 1; i < n; i++) {
      const c = text.charCodeAt(i);
      const key = ((prev & 0xff) << 8) | (c & 0xff);
      prev = c;
      if (table[key] === 0) continue;
      for (const e of this.byPair.get(key)!) {
        const start = i - 1 - e.offset;
        if (start < 0 || !text.startsWith(e.marker, start)) continue;
        for (const o of e.owners) if (this.stamp[o] !== stamp) (this.stamp[o] = stamp), count++;
      }
    }
    if (count === 0) return NONE;
    const out: T[] = [];
    for (let i = 0; i < this.parsers.length && out.length < count; i++) if (this.stamp[i] === stamp) out.push(this.parsers[i]!);
    return out;
  }

  private restart(): number {
    this.stamp.fill(0);
    this.line = 1;
    return 1;
  }
}

/** Where a marker's rarest pair of adjacent characters starts, or -1 for a one-character marker. */
function rarestPair(marker: string): number {
  let best = -1;
  let bestScore = -1;
  for (let k = 0; k + 1 < marker.length; k++) {
    // The rarer character counts most (ranks are far apart for rare ones), as in the reader's search.
    const score = rankOf(marker.charCodeAt(k)) ** 2 + rankOf(marker.charCodeAt(k + 1)) ** 2;
    if (score > bestScore) (bestScore = score), (best = k);
  }
  return best;
}

const rankOf = (c: number) => (c < 256 ? byteRank(c) : 255);

const cache = new WeakMap<readonly TraceParser[], LinePrefilter>();

/** The prefilter of a parser list, built once per list. */
export function linePrefilter(parsers: readonly TraceParser[]): LinePrefilter {
  let p = cache.get(parsers);
  if (!p) cache.set(parsers, (p = new LinePrefilter(parsers)));
  return p;
}
