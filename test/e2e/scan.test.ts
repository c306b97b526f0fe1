// coredx scan end to end over a generated artifact tree: every file accounted for, groups and
// counts exact, reports valid (SARIF against the official 2.1.0 schema, JUnit well-formed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { SIGNATURE_VERSION } from '../../src/normalize/signature.js';
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const require = createRequire(import.meta.url);

const crash = (fn: string, signal = 'SIGSEGV, Segmentation fault') =>
  `Program terminated with signal ${signal}.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;
const noise = (n: number) => Array.from({ length: n }, (_, i) => `2025-01-02T03:04:05.0000000Z [INFO] step ${i} ok`).join('\n') + '\n';

let root: string;
beforeAll(() => {
  root = tempDir('scan');
  mkdirSync(join(root, 'a', 'deep'), { recursive: true });
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
  writeFileSync(join(root, 'a', 'one.log'), noise(50) + crash('parse_header') + noise(5) + crash('parse_header'));
  writeFileSync(join(root, 'a', 'deep', 'two.log'), noise(10) + crash('flush_queue', '6, Aborted'));
  writeFileSync(join(root, 'a', 'three.log.gz'), gzipSync(noise(3) + crash('parse_header')));
  writeFileSync(join(root, 'clean.log'), noise(100));
  writeFileSync(join(root, 'blob.bin'), Buffer.from([0, 1, 2, 3, 0, 0, 7]));
  const core = Buffer.alloc(64);
  core.write('\x7fELF', 0, 'latin1');
  core[4] = 2; core[5] = 1; core.writeUInt16LE(4, 16);
  writeFileSync(join(root, 'core.4242'), core);
  writeFileSync(join(root, '.git', 'hidden.log'), crash('hidden_fn'));
  writeFileSync(join(root, 'node_modules', 'x', 'dep.log'), crash('dep_fn'));
  symlinkSync('..', join(root, 'a', 'loop'));
  symlinkSync('missing-target', join(root, 'dangling.log'));
  // A named pipe nobody writes to: opening it would block the scan forever.
  expect(spawnSync('mkfifo', [join(root, 'a', 'pipe.log')]).status).toBe(0);
});

describe('scan()', () => {
  it('accounts for every file and groups by signature', async () => {
    const r = await scan([root], { jobs: 3 });
    expect(r.totals).toMatchObject({ files: 10, scanned: 4, skipped: 6, errors: 2, crashes: 4, groups: 2 });
    const skipped = r.files.skipped.map((s) => [s.path.slice(root.length + 1), s.reason, s.error]);
    expect(skipped).toEqual([
      ['.git', 'hidden file/folder, not read: --hidden to include', false],
      ['a/pipe.log', 'named pipe (FIFO), not a regular file: not read', false],
      ['blob.bin', 'binary data', false],
      ['core.4242', 'core file not analyzed: core of an unsupported architecture (e_machine 0); coredx reads x86-64 and AArch64 cores', true],
      ['dangling.log', 'broken symlink (no such file or directory)', true],
      ['node_modules', 'node_modules folder, not read', false],
    ]);
    const [first, second] = r.groups;
    expect(first!.count).toBe(3);
    expect(first!.signatureText).toBe('SIGSEGV | parse_header | main');
    expect(first!.occurrences.map((o) => `${o.path.slice(root.length + 1)}:${o.line}`)).toEqual(['a/one.log:51', 'a/one.log:59', 'a/three.log.gz:4']);
    expect(first!.report.source.line).toBe(51);
    expect(second!.signatureText).toBe('SIGABRT | flush_queue | main');
  });
  it('gives the same result whatever the concurrency', async () => {
    const strip = (x: Awaited<ReturnType<typeof scan>>) => JSON.stringify(x);
    expect(strip(await scan([root], { jobs: 1 }))).toBe(strip(await scan([root], { jobs: 8 })));
  });
  it('honours include/exclude and hidden folders', async () => {
    expect((await scan([root], { include: ['**/*.gz'] })).totals.crashes).toBe(1);
    expect((await scan([root], { exclude: ['a/**'] })).totals.crashes).toBe(0);
    expect((await scan([root], { hidden: true })).totals.crashes).toBe(5);
  });
});

const validateSarif = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }))
  // The schema's uri and date-time formats are checked too, not ignored with a warning.
  .compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));

function cli(args: string[], env: Record<string, string> = {}, cwd = root) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_WORKSPACE: '', ...env }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('coredx scan', () => {
  it('writes SARIF that validates against the SARIF 2.1.0 schema', () => {
    const r = cli(['scan', '.', '-f', 'sarif=out.sarif', '--quiet']);
    expect(r.code).toBe(2); // the dangling symlink is an unreadable artifact
    const sarif = JSON.parse(readFileSync(join(root, 'out.sarif'), 'utf8'));
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(2);
    expect(results[0].partialFingerprints[`coredxCrashSignature/v${SIGNATURE_VERSION}`]).toMatch(new RegExp(`^${SIGNATURE_VERSION}:[0-9a-f]{16}$`));
    expect(results[0].locations.at(-1).physicalLocation).toEqual({ artifactLocation: { uri: 'a/one.log', uriBaseId: '%SRCROOT%' }, region: { startLine: 51 } });
    expect(results[0].level).toBe('error');
  });
  it('writes valid artifact URIs for names that need percent-encoding, and file: URIs outside the root', () => {
    const top = realpathSync(tempDir('uri'));
    const weird = join(top, 'weird');
    mkdirSync(weird);
    const names = ['a b.log', '#1 %41.log', 'nl\nline.log', 'q?x[y]@z.log'];
    names.forEach((n, i) => writeFileSync(join(weird, n), crash(`weird_${i}`)));
    const outside = tempDir('outside');
    writeFileSync(join(outside, 'far away.log'), crash('far_fn'));
    writeFileSync(join(outside, 'near.log'), crash('far_fn'));
    // One outside file given as an absolute path, the other relative to the working directory ('../').
    const r = cli(['scan', 'weird', join(outside, 'far away.log'), relative(top, join(outside, 'near.log')), '-f', 'sarif=weird.sarif', '--quiet'], {}, top);
    expect(r.stderr).toBe('');
    const sarif = JSON.parse(readFileSync(join(top, 'weird.sarif'), 'utf8'));
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    const run = sarif.runs[0];
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `${pathToFileURL(top).href}/` } });
    const artifact = (fn: string) => run.results.find((x: { message: { text: string } }) => x.message.text.includes(fn)).locations.at(-1).physicalLocation.artifactLocation;
    expect(names.map((_, i) => artifact(`weird_${i}`))).toEqual([
      { uri: 'weird/a%20b.log', uriBaseId: '%SRCROOT%' },
      { uri: 'weird/%231%20%2541.log', uriBaseId: '%SRCROOT%' },
      { uri: 'weird/nl%0Aline.log', uriBaseId: '%SRCROOT%' },
      { uri: 'weird/q%3Fx%5By%5D%40z.log', uriBaseId: '%SRCROOT%' },
    ]);
    const far = run.results.find((x: { message: { text: string } }) => x.message.text.includes('far_fn'));
    const uris = [far.locations.at(-1), ...far.relatedLocations].map((l: { physicalLocation: { artifactLocation: unknown } }) => l.physicalLocation.artifactLocation);
    expect(uris).toHaveLength(2);
    expect(uris).toContainEqual({ uri: `${pathToFileURL(outside).href}/far%20away.log` });
    expect(uris).toContainEqual({ uri: `${pathToFileURL(outside).href}/near.log` });
  });
  it('writes well-formed JUnit with one failing case per group', () => {
    cli(['scan', '.', '-f', 'junit=junit.xml', '-f', 'markdown=summary.md', '--quiet']);
    const xml = readFileSync(join(root, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(readFileSync(join(root, 'summary.md'), 'utf8')).toContain('<details>');
  });
  it('gates on --fail-on', () => {
    const dir = join(root, 'a', 'deep');
    expect(cli(['scan', dir, '--quiet']).code).toBe(1);
    expect(cli(['scan', dir, '--quiet', '--fail-on', 'critical']).code).toBe(0);
    expect(cli(['scan', dir, '--quiet', '--fail-on', 'none']).code).toBe(0);
    expect(cli(['scan', join(root, 'clean.log'), '--quiet']).code).toBe(0);
    expect(cli(['scan', dir, '--fail-on', 'severe']).code).toBe(2);
    expect(cli(['scan', join(root, 'nope')]).stderr).toContain('no such file or directory');
  });
  it('chooses GitHub annotations on GitHub Actions', () => {
    const r = cli(['scan', join(root, 'a', 'one.log'), join(root, 'a', 'three.log.gz'), '--quiet'], { GITHUB_ACTIONS: 'true' });
    expect(r.stdout.split('\n')[0]).toMatch(/^::error file=.*one\.log,line=51,title=coredx%3A Null pointer passed to the crashing function \(3x\)::parse_header was called with a null pointer/);
    expect(r.code).toBe(1);
  });
});

describe('report escaping', () => {
  it('cannot be injected through a crafted function name', async () => {
    const dir = tempDir('evil');
    writeFileSync(join(dir, 'evil.log'), crash('evil<script>alert(1)</script>_[x](http://e)_%0A::error::'));
    const r = spawnSync(process.execPath, [BIN, 'scan', dir, '-f', 'markdown', '--quiet'], { encoding: 'utf8' });
    expect(r.stdout).not.toContain('<script>');
    expect(r.stdout).not.toContain('](http');
    const g = spawnSync(process.execPath, [BIN, 'scan', dir, '-f', 'github', '--quiet'], { encoding: 'utf8' });
    expect(g.stdout.trim().split('\n')).toHaveLength(1);
    // Commands are only read at the start of a line: one line, and the crafted "%0A" stays literal.
    expect(g.stdout).toContain('%250A');
    const j = spawnSync(process.execPath, [BIN, 'scan', dir, '-f', 'junit', '--quiet'], { encoding: 'utf8' });
    expect(XMLValidator.validate(j.stdout)).toBe(true);
  });
});
