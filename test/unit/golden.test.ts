// Golden reports: each committed sample's `analyze --format json` result is checked in beside it
// (<name>.expected.json), so any change of what coredx reports on real output shows up as a diff
// to review. samples/SIGNATURES pins the signatures: they may only change with a new
// SIGNATURE_VERSION. Regenerate both with `npm run build && node bench/update-goldens.js`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline.js';
import { SIGNATURE_VERSION } from '../../src/normalize/signature.js';
// @ts-ignore: a plain JS module (bench/ holds the scripts), typed by use here
import { goldenOf, goldenPath, pinEntries, PIN_FILE, policyChange, policyDigest, readPins, ROOT, sampleFiles, signatureChanges } from '../../bench/update-goldens.js';
import { checkPolicy, POLICY_FILE, signaturePolicy } from '../../src/normalize/skip-list.js';

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

  it("pins the policy file's digest, and refuses an edit of it under the same version", () => {
    const pins = readPins();
    const digest = policyDigest(SIGNATURE_VERSION);
    expect(digest, `data/signature/v${SIGNATURE_VERSION}.toml is missing`).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pins!.policy, `${PIN_FILE} pins no policy digest: ${REGENERATE}`).toBeTruthy();
    expect(policyChange(pins, SIGNATURE_VERSION, digest), 'copy the policy to a new version instead of editing it').toBeNull();
    expect(policyChange({ ...pins, policy: 'sha256:0000' }, SIGNATURE_VERSION, digest)).toMatch(/changed under signature version 9 .*copy it to v10\.toml/);
    expect(policyChange({ ...pins, policy: 'sha256:0000' }, SIGNATURE_VERSION + 1, digest)).toBeNull();
  });
});

describe('signature policy (data/signature/v<N>.toml)', () => {
  it('is the file of the current version and says so', () => {
    expect(POLICY_FILE.replaceAll('\\', '/')).toMatch(new RegExp(`/data/signature/v${SIGNATURE_VERSION}\\.toml$`));
    const policy = signaturePolicy();
    expect(policy.version).toBe(SIGNATURE_VERSION);
    expect(policy.frames).toBe(3);
    expect(policy.trampolines.has('<signal handler called>')).toBe(true);
    expect(policy.handlerName.test('my_SIGSEGV_handler')).toBe(true);
  });

  const valid = () => ({
    version: SIGNATURE_VERSION,
    signature: { frames: 3, trampolines: ['t'], handler_names: 'h', signal_libraries: '^libc', handler_dump_formats: ['glog'], recursion: { max_cycle: 10, repeats: 3, search_frames: 200 } },
    locations: { glibc: ['libc.so*'] },
    skip: [{ reason: 'machinery', functions: ['abort'], where: ['glibc'] }],
  });
  it.each([
    ['a typo in a key', (d: any) => ((d.signature.frame = 3), delete d.signature.frames), /unknown key signature\.frame /],
    ['a wrong type', (d: any) => (d.signature.frames = '3'), /signature\.frames must be a positive integer/],
    ['another version', (d: any) => (d.version = SIGNATURE_VERSION - 1), /version is \d+, but this is the policy file of signature version/],
    ['an entry without a reason', (d: any) => (d.skip[0].reason = ' '), /entry 1 has no reason/],
    ['an unknown location group', (d: any) => (d.skip[0].where = ['glibcc']), /unknown location group "glibcc"/],
    ['a broken regex', (d: any) => (d.signature.handler_names = '('), /signature\.handler_names: /],
  ])('rejects %s, naming the file and the key', (_what, mutate, message) => {
    expect(() => checkPolicy(valid(), 'v.toml')).not.toThrow();
    const doc = valid();
    mutate(doc);
    expect(() => checkPolicy(doc, 'v.toml')).toThrow(message);
    expect(() => checkPolicy(doc, 'v.toml')).toThrow(/^v\.toml: /);
  });
});
