// `npm run bench` plants a backtrace of every registered format in its scan tree
// (bench/traces.js) and stops when one is missing: a parser added without its bench trace must
// fail here, in the tests, not first in the benchmark.
import { describe, expect, it } from 'vitest';
import { PARSERS } from '../../src/parse/registry.js';
// @ts-expect-error: a plain JavaScript module of the benchmarks
import { TRACE_MAKERS } from '../../bench/traces.js';
import { analyze } from '../../src/pipeline.js';

describe('the benchmark traces', () => {
  const makers = TRACE_MAKERS as [string, (n: number) => string][];
  it('each give one report of the format they are tagged with', () => {
    for (const [format, make] of makers) {
      const reports = analyze(make(1), { rules: null }).reports;
      expect(reports.map((r) => r.format), format).toEqual([format]);
    }
  });
  it('start a trace for every registered parser', () => {
    const claimed = new Set<unknown>();
    for (const [, make] of makers)
      for (const line of make(1).split('\n')) {
        const parser = PARSERS.find((p) => p.startsTrace(line));
        if (parser) {
          claimed.add(parser);
          break;
        }
      }
    expect(PARSERS.filter((p) => !claimed.has(p)).map((p) => p.format)).toEqual([]);
  });
});
