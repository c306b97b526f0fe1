// `npm run bench` plants a backtrace of every registered format in its scan tree
// (bench/traces.js) and stops when one is missing: a parser added without its bench trace must
// fail here, in the tests, not first in the benchmark.
import { describe, expect, it } from 'vitest';
import { PARSERS } from '../../src/parse/registry.js';
// @ts-expect-error: a plain JavaScript module of the benchmarks
import { TRACE_MAKERS } from '../../bench/traces.js';
import { analyze } from '../../src/pipeline.js';
import { logPrefixSplits } from '../../src/parse/log-prefix.js';

describe('the benchmark traces', () => {
  const makers = TRACE_MAKERS as [string, (n: number) => string][];
  it('each give one report of the format they are tagged with', () => {
    for (const [format, make] of makers) {
      const reports = analyze(make(1), { rules: null }).reports;
      expect(reports.map((r) => r.format), format).toEqual([format]);
    }
  });
  // Pairs read as one report on purpose: none now. (Ceph reads a dump with the same frames, addresses
  // and all, as the copy its log's dump of recent events holds: its bench trace gives each crash other
  // addresses, as another process's crash has.) A pair that starts being read as one must be listed
  // here with why.
  const KNOWN_MERGED = new Set<string>([]);
  it('give both reports when two of them are printed back to back, whichever comes first', () => {
    const lost: string[] = [];
    const known: string[] = [];
    // Named by format and place in TRACE_MAKERS (some formats have several makers).
    const named = makers.map(([format, make], i) => [`${format}#${i}`, format, make] as const);
    for (const [firstName, first, makeFirst] of named)
      for (const [secondName, second, makeSecond] of named) {
        const got = analyze(makeFirst(2) + makeSecond(3), { rules: null }).reports.map((r) => r.format);
        const pair = `${firstName} then ${secondName}`;
        const both = JSON.stringify(got) === JSON.stringify([first, second]);
        if (KNOWN_MERGED.has(pair)) {
          known.push(pair);
          if (both) lost.push(`${pair}: now read as two, take it off KNOWN_MERGED`);
        } else if (!both) lost.push(`${pair}: ${got.join(', ')}`);
      }
    expect(lost).toEqual([]);
    expect(new Set(known)).toEqual(KNOWN_MERGED);
  });
  it('start a trace for every registered parser', () => {
    const claimed = new Set<unknown>();
    for (const [, make] of makers)
      for (const line of make(1).split('\n')) {
        // As the extractor asks: the line as it is, then without a logger's prefix ("[host:pid] ").
        const parser = PARSERS.find((p) => p.startsTrace(line)) ?? logPrefixSplits(line).map((split) => PARSERS.find((p) => p.startsTrace(split.rest))).find((p) => p);
        if (parser) {
          claimed.add(parser);
          break;
        }
      }
    expect(PARSERS.filter((p) => !claimed.has(p)).map((p) => p.format)).toEqual([]);
  });
});
