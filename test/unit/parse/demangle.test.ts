// The demangling service (src/normalize/demangle.ts) the parsers hand mangled names to: one process
// per batch, cached, tolerant of a missing c++filt. A stand-in c++filt (a script that knows three
// names and logs each run) makes the test independent of binutils.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { demangleNames, demangleNamesSync, demangleTraces, demangleTracesSync, isMangled, setDemangler } from '../../../src/normalize/demangle.js';
import { backtraceSymbolsParser } from '../../../src/parse/backtrace-symbols.js';
import type { ParsedTrace } from '../../../src/parse/types.js';
import { analyze } from '../../../src/pipeline.js';
import { tempDir } from '../../support/tmp.js';
import { lines, parseOne } from './feed.js';

const dir = tempDir('demangle');
const log = join(dir, 'runs.log');
const fake = join(dir, 'c++filt');
writeFileSync(
  fake,
  `#!${process.execPath}
const fs = require('node:fs');
const names = { _Z3foov: 'foo()', _ZN6ingest3runEi: 'ingest::run(int)', _ZN2ns3barEPKc: 'ns::bar(char const*)' };
const input = fs.readFileSync(0, 'utf8').split('\\n');
fs.appendFileSync(${JSON.stringify(log)}, input.filter(Boolean).length + '\\n');
process.stdout.write(input.map((l) => names[l] ?? l).join('\\n'));
`,
);
chmodSync(fake, 0o755);
const runs = () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(Number);

beforeEach(() => {
  setDemangler(fake);
  writeFileSync(log, '');
});
afterAll(() => setDemangler('c++filt'));

function trace(...names: string[]): ParsedTrace {
  const frames = names.map((n, index) => ({ index, address: '0x1', rawFunction: n, module: null, file: null, line: null, column: null, inlined: false, raw: n, ...(isMangled(n) ? { mangled: true } : {}) }));
  return { format: 'backtrace_symbols', startLine: 1, endLine: 1, signal: null, signalDescription: null, faultAddress: null, program: null, threads: [{ id: '1', name: null, lwp: null, frames }], hints: [], inside: [] };
}

describe('demangling service', () => {
  it('demangles a batch with one process, names it cannot read unchanged, then answers from its cache', async () => {
    const out = await demangleNames(['_Z3foov', '_ZN6ingest3runEi', '_Z3foov', '_Zunknown']);
    expect([...out]).toEqual([['_Z3foov', 'foo()'], ['_ZN6ingest3runEi', 'ingest::run(int)'], ['_Zunknown', '_Zunknown']]);
    expect(runs()).toEqual([3]); // one run, each distinct name once
    expect(demangleNamesSync(['_Z3foov']).get('_Z3foov')).toBe('foo()');
    expect(runs()).toEqual([3]); // cached: no second run
    expect(demangleNamesSync(['_ZN2ns3barEPKc']).get('_ZN2ns3barEPKc')).toBe('ns::bar(char const*)');
    expect(runs()).toEqual([3, 1]);
  });

  it('demangles the frames parsers marked, in place, across traces with one process, and clears the marks', async () => {
    const a = trace('_Z3foov', 'main');
    const b = trace('_ZN6ingest3runEi');
    await demangleTraces([a, b]);
    expect([...a.threads[0]!.frames, ...b.threads[0]!.frames].map((f) => [f.rawFunction, f.mangled])).toEqual([['foo()', undefined], ['main', undefined], ['ingest::run(int)', undefined]]);
    expect(runs()).toEqual([2]);
    const c = trace('_ZN2ns3barEPKc');
    demangleTracesSync([c]);
    expect(c.threads[0]!.frames[0]!.rawFunction).toBe('ns::bar(char const*)');
  });

  it('leaves names as printed when the demangler is missing, async and sync alike', async () => {
    setDemangler(join(dir, 'no-such-c++filt'));
    expect((await demangleNames(['_Z3foov'])).get('_Z3foov')).toBe('_Z3foov');
    expect(demangleNamesSync(['_Z3foov']).get('_Z3foov')).toBe('_Z3foov');
    const t = trace('_Z3foov');
    demangleTracesSync([t]);
    expect([t.threads[0]!.frames[0]!.rawFunction, t.threads[0]!.frames[0]!.mangled]).toEqual(['_Z3foov', undefined]);
  });

  it('backtrace_symbols leaves demangling to the service; analyze() reports the demangled names', () => {
    const text = lines('./prog(_ZN6ingest3runEi+0x3d) [0x557bcc9081f6]', './prog(main+0x20) [0x557bcc908200]');
    // The parser marks the mangled frame (until the pipeline demangles, it asks the service itself).
    const t = parseOne(backtraceSymbolsParser, text);
    demangleTracesSync([t]);
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.module, f.mangled])).toEqual([['ingest::run(int)', './prog', undefined], ['main', './prog', undefined]]);
    expect(runs()).toEqual([1]);
    const r = analyze(text, { rules: null }).reports[0]!;
    expect(r.threads[0]!.frames.map((f) => [f.rawFunction, f.function])).toEqual([['ingest::run(int)', 'ingest::run'], ['main', 'main']]);
    expect(runs()).toEqual([1]); // cached
  });
});
