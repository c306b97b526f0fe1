#!/usr/bin/env node
// Golden reports: every committed sample (samples/*.txt, rules/<pack>/samples/*.txt) has its
// expected `coredx analyze --format json` result beside it (<name>.expected.json), with what
// differs between machines and releases left out (paths are relative to the repository, no tool
// version). test/unit/golden.test.ts compares them; this script rewrites them after a change that is
// meant to change reports (review the diff in the commit).
//
// samples/SIGNATURES pins every report's signature under the signature version it was made with.
// Grouping in everyone's scan history depends on signatures, so one must never change silently: the
// script refuses to write a changed signature while SIGNATURE_VERSION (src/normalize/signature.ts)
// is the one the pin was made with, unless --bump-ok says the change is intended anyway. The pin also
// holds the digest of the version's policy file (data/signature/v<N>.toml): editing a policy file
// under the same version is refused the same way, even when no sample's signature moves.
//
//   npm run build && node bench/update-goldens.js [--bump-ok] [--check]
//
// --check writes nothing and exits 1 when a golden or the pin would change.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
export const PIN_FILE = join('samples', 'SIGNATURES');

/** Every committed sample, as paths relative to the repository root with "/" separators, sorted. */
export function sampleFiles(root = ROOT) {
  const dirs = ['samples', ...readdirSync(join(root, 'rules'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `rules/${d.name}/samples`)];
  return dirs
    .filter((d) => existsSync(join(root, d)))
    .flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.txt')).map((f) => `${d}/${f}`))
    .sort();
}

/** "samples/x.txt" -> "samples/x.expected.json". */
export const goldenPath = (sample) => sample.replace(/\.txt$/, '.expected.json');

/**
 * The golden form of an analyze result: the `--format json` document without the tool's version,
 * every occurrence of the checkout's location made relative (source paths are given relative already).
 */
export function goldenOf(result, root = ROOT) {
  const prefix = root.endsWith(sep) ? root : root + sep;
  const json = JSON.stringify({ schemaVersion: result.schemaVersion, signatureVersion: result.signatureVersion, reports: result.reports }, null, 2);
  return json.split(prefix).join('').split(prefix.replaceAll('\\', '\\\\')).join('') + '\n';
}

/** The policy file of signature version N, as the pin names it: its sha256 (line endings normalized). */
export function policyDigest(version, root = ROOT) {
  const file = join(root, 'data', 'signature', `v${version}.toml`);
  if (!existsSync(file)) return null;
  return `sha256:${createHash('sha256').update(readFileSync(file, 'utf8').replace(/\r\n/g, '\n')).digest('hex')}`;
}

/** The pinned policy digest differs from the policy file's under the same version: the message, or null. */
export function policyChange(pins, version, digest) {
  if (!pins || pins.version !== version || !pins.policy || pins.policy === digest) return null;
  return `data/signature/v${version}.toml changed under signature version ${version} (${pins.policy} -> ${digest}): a released policy is never edited; copy it to v${version + 1}.toml and bump SIGNATURE_VERSION`;
}

/** samples/SIGNATURES: "version N", "policy sha256:..." then "sample[#report]<TAB>signature<TAB>signature text" lines. */
export function pinLines(version, entries, policy = policyDigest(version)) {
  const head = [
    '# Signature pin (bench/update-goldens.js writes it, test/unit/golden.test.ts checks it): every sample\'s',
    '# signatures under this signature version. A signature may only change with a new SIGNATURE_VERSION',
    '# (src/normalize/signature.ts): scan baselines and crash groups everywhere depend on them.',
    `version ${version}`,
    ...(policy ? [`policy ${policy}`] : []),
  ];
  return [...head, ...entries.map((e) => `${e.key}\t${e.signature}\t${e.signatureText}`)].join('\n') + '\n';
}

export function readPins(root = ROOT) {
  const file = join(root, PIN_FILE);
  if (!existsSync(file)) return null;
  let version = null;
  let policy = null;
  const signatures = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const v = /^version (\d+)$/.exec(line);
    const p = /^policy (\S+)$/.exec(line);
    if (v) version = Number(v[1]);
    else if (p) policy = p[1];
    else {
      const [key, signature, signatureText] = line.split('\t');
      signatures.set(key, { signature, signatureText });
    }
  }
  return { version, policy, signatures };
}

/** One pin entry per report: the sample, "#N" from the second report of a sample on. */
export function pinEntries(sample, result) {
  return result.reports.map((r, i) => ({ key: i === 0 ? sample : `${sample}#${i + 1}`, signature: r.signature, signatureText: r.signatureText }));
}

/**
 * Pinned signatures that changed although the signature version did not: one message each. An
 * entry that is new (a new sample) or gone is not a change.
 */
export function signatureChanges(pins, version, entries) {
  if (!pins || pins.version !== version) return [];
  const out = [];
  for (const e of entries) {
    const old = pins.signatures.get(e.key);
    if (old && old.signature !== e.signature) {
      out.push(`signature of ${e.key} changed without a new signature version (${version}): ${old.signature} "${old.signatureText}" -> ${e.signature} "${e.signatureText}"`);
    }
  }
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const bumpOk = args.includes('--bump-ok');
  const check = args.includes('--check');
  const unknown = args.filter((a) => a !== '--bump-ok' && a !== '--check');
  if (unknown.length) {
    process.stderr.write(`update-goldens: unknown argument ${unknown[0]} (usage: node bench/update-goldens.js [--bump-ok] [--check])\n`);
    process.exit(2);
  }
  const dist = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
  if (!existsSync(fileURLToPath(dist))) {
    process.stderr.write('update-goldens: dist/ is missing: run `npm run build` first\n');
    process.exit(2);
  }
  if (spawnSync('c++filt', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write('update-goldens: c++filt (binutils) is not installed: backtrace_symbols names would stay mangled in the goldens\n');
    process.exit(2);
  }
  const { analyzeFile, SIGNATURE_VERSION } = await import(dist);
  const pins = readPins();
  const entries = [];
  const writes = [];
  for (const sample of sampleFiles()) {
    const result = await analyzeFile(join(ROOT, sample), { path: sample });
    entries.push(...pinEntries(sample, result));
    const golden = goldenOf(result);
    const file = join(ROOT, goldenPath(sample));
    if (!existsSync(file) || readFileSync(file, 'utf8') !== golden) writes.push([file, golden]);
  }
  const changes = signatureChanges(pins, SIGNATURE_VERSION, entries);
  const policyChanged = policyChange(pins, SIGNATURE_VERSION, policyDigest(SIGNATURE_VERSION));
  if (policyChanged) changes.push(policyChanged);
  if (changes.length && !bumpOk) {
    process.stderr.write(`${changes.join('\n')}\n\nupdate-goldens: ${changes.length} signature(s) or policy changed while SIGNATURE_VERSION is still ${SIGNATURE_VERSION}.\n` +
      'Changed signatures regroup every user\'s crashes: bump SIGNATURE_VERSION in src/normalize/signature-version.ts (and say why there),\n' +
      'or, if the change is intended without a new version, run again with --bump-ok. Nothing was written.\n');
    process.exit(1);
  }
  const pinText = pinLines(SIGNATURE_VERSION, entries);
  const pinFile = join(ROOT, PIN_FILE);
  if (!existsSync(pinFile) || readFileSync(pinFile, 'utf8') !== pinText) writes.push([pinFile, pinText]);
  if (check) {
    for (const [file] of writes) process.stdout.write(`would change: ${relative(ROOT, file)}\n`);
    process.exit(writes.length ? 1 : 0);
  }
  for (const [file, text] of writes) {
    writeFileSync(file, text);
    process.stdout.write(`wrote ${relative(ROOT, file)}\n`);
  }
  process.stdout.write(`${entries.length} report(s) of ${sampleFiles().length} sample(s); ${writes.length} file(s) changed. Review the diff (git diff -- '*.expected.json' samples/SIGNATURES) before committing.\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
