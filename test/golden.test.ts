// Golden reports: each committed sample's `analyze --format json` result is checked in beside it
// (<name>.expected.json), so any change of what coredx reports on real output shows up as a diff
// to review. samples/SIGNATURES pins the signatures: they may only change with a new
// SIGNATURE_VERSION. Regenerate both with `npm run build && node bench/update-goldens.js`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../src/pipeline.js';
import { SIGNATURE_VERSION } from '../src/normalize/signature.js';
// @ts-ignore: a plain JS module (bench/ holds the scripts), typed by use here
import { goldenOf, goldenPath, pinEntries, PIN_FILE, readPins, ROOT, sampleFiles, signatureChanges } from '../bench/update-goldens.js';

interface PinEntry { key: string; signature: string; signatureText: string }

/** backtrace_symbols names are demangled by binutils' c++filt when installed, else stay mangled. */
const CXXFILT = spawnSync('c++filt', ['--version'], { stdio: 'ignore' }).status === 0;
const REGENERATE = 'run `npm run build && node bench/update-goldens.js` and review the diff';
const samples: string[] = sampleFiles();
const current = new Map<string, Promise<Awaited<ReturnType<typeof analyzeFile>>>>();
const resultOf = (sample: string) => {
  if (!current.has(sample)) current.set(sample, analyzeFile(join(ROOT, sample), { path: sample }));
  return current.get(sample)!;
};

describe('golden reports', () => {
  it('finds the samples, and no golden without its sample', () => {
    expect(samples.length).toBeGreaterThan(50);
    const dirs = [...new Set(samples.map((s) => s.slice(0, s.lastIndexOf('/'))))];
    for (const d of dirs) {
      for (const f of readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.expected.json'))) {
        expect(existsSync(join(ROOT, d, f.replace(/\.expected\.json$/, '.txt'))), `${d}/${f} has no sample: delete it`).toBe(true);
      }
    }
  });

  it.for(samples)('%s matches its golden report', async (sample, ctx) => {
    const file = join(ROOT, goldenPath(sample));
    expect(existsSync(file), `${goldenPath(sample)} is missing: ${REGENERATE}`).toBe(true);
    const text = readFileSync(file, 'utf8');
    if (!CXXFILT && text.includes('"format": "backtrace_symbols"')) return ctx.skip('c++filt (binutils) is not installed: backtrace_symbols names stay mangled');
    const golden = JSON.parse(text);
    const now = JSON.parse(goldenOf(await resultOf(sample)));
    expect(now, `${sample} no longer reports what ${goldenPath(sample)} says; if the change is intended, ${REGENERATE}`).toEqual(golden);
  });
});

describe('signature pin (samples/SIGNATURES)', () => {
  it('was made with the current signature version', () => {
    const pins = readPins();
    expect(pins, `${PIN_FILE} is missing: ${REGENERATE}`).not.toBeNull();
    expect(pins!.version, `SIGNATURE_VERSION is ${SIGNATURE_VERSION}, the pin was made with ${pins!.version}: ${REGENERATE}`).toBe(SIGNATURE_VERSION);
  });

  it('no signature changed without a new signature version, and every report is pinned', async () => {
    const pins = readPins();
    const entries: PinEntry[] = [];
    for (const sample of samples) entries.push(...pinEntries(sample, await resultOf(sample)));
    const changes: string[] = signatureChanges(pins, SIGNATURE_VERSION, entries);
    expect(changes, `${changes.join('\n')}\nbump SIGNATURE_VERSION in src/normalize/signature.ts, then ${REGENERATE}`).toEqual([]);
    const unpinned = entries.filter((e) => !pins!.signatures.has(e.key)).map((e) => e.key);
    expect(unpinned, `not in ${PIN_FILE}: ${REGENERATE}`).toEqual([]);
  });

  it('names each changed signature, and accepts every change under a new version', () => {
    const pins = { version: 9, signatures: new Map([['samples/a.txt', { signature: '9:aaaa', signatureText: 'SIGSEGV | f' }], ['samples/b.txt', { signature: '9:bbbb', signatureText: 'SIGSEGV | g' }]]) };
    const now = [
      { key: 'samples/a.txt', signature: '9:cccc', signatureText: 'SIGSEGV | h' },
      { key: 'samples/b.txt', signature: '9:bbbb', signatureText: 'SIGSEGV | g' },
      { key: 'samples/new.txt', signature: '9:dddd', signatureText: 'SIGABRT | k' },
    ];
    expect(signatureChanges(pins, 9, now)).toEqual(['signature of samples/a.txt changed without a new signature version (9): 9:aaaa "SIGSEGV | f" -> 9:cccc "SIGSEGV | h"']);
    expect(signatureChanges(pins, 10, now)).toEqual([]);
  });
});
