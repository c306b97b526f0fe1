// coredx scan --baseline: each crash group new or unchanged compared with an earlier run (its JSON
// or SARIF), the baseline's groups not seen any more listed as absent, in every format; --fail-on
// new / new:SEVERITY; a baseline of another signature version is not compared (and gates on all).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_VERSION } from '../../src/normalize/signature.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const require = createRequire(import.meta.url);
const validateSarif = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })).compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));

const crash = (fn: string, signal = 'SIGSEGV, Segmentation fault') =>
  `Program terminated with signal ${signal}.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;

let top: string;
beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'coredx-baseline-'));
  // main: two crashes (high). The PR fixes fixed_fn and adds new_abort (a medium "Program aborted").
  mkdirSync(join(top, 'main'));
  writeFileSync(join(top, 'main', 'a.log'), crash('kept_fn') + crash('kept_fn'));
  writeFileSync(join(top, 'main', 'b.log'), crash('fixed_fn'));
  mkdirSync(join(top, 'pr'));
  writeFileSync(join(top, 'pr', 'a.log'), crash('kept_fn'));
  writeFileSync(join(top, 'pr', 'c.log'), crash('new_abort', '6, Aborted'));
  mkdirSync(join(top, 'pr-high'));
  writeFileSync(join(top, 'pr-high', 'a.log'), crash('kept_fn') + crash('new_segv'));
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: top, env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_WORKSPACE: '', ...env }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const read = (name: string) => readFileSync(join(top, name), 'utf8');
type Group = { signatureText: string; baselineState?: string };
const states = (groups: Group[]) => Object.fromEntries(groups.map((g) => [g.signatureText.split(' | ')[1], g.baselineState]));

describe('scan --baseline', () => {
  beforeAll(() => {
    expect(cli(['scan', 'main', '--quiet', '-f', 'json=base.json', '-f', 'sarif=base.sarif']).code).toBe(1);
  });

  it('a baseline run: every group of the same artifacts is unchanged, nothing absent', () => {
    const r = cli(['scan', 'main', '--baseline', 'base.json', '-f', 'json', '--quiet', '--fail-on', 'new']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(states(j.groups)).toEqual({ kept_fn: 'unchanged', fixed_fn: 'unchanged' });
    expect(j.baseline).toMatchObject({ path: 'base.json', signatureVersion: SIGNATURE_VERSION, comparable: true, message: null, counts: { new: 0, unchanged: 2, absent: 0, unknown: 0 }, absent: [] });
  });

  for (const base of ['base.json', 'base.sarif']) {
    it(`one crash fixed, one added (baseline ${base}): new, unchanged, absent in every format`, () => {
      const out = ['json', 'sarif', 'text', 'markdown', 'junit', 'github'].flatMap((f) => ['-f', `${f}=pr.${f}`]);
      const r = cli(['scan', 'pr', '--baseline', base, ...out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`1 new, 1 unchanged, 1 absent (baseline ${base})`);

      const j = JSON.parse(read('pr.json'));
      expect(states(j.groups)).toEqual({ kept_fn: 'unchanged', new_abort: 'new' });
      expect(j.baseline.counts).toEqual({ new: 1, unchanged: 1, absent: 1, unknown: 0 });
      expect(j.baseline.absent).toEqual([
        expect.objectContaining({ baselineState: 'absent', signatureText: 'SIGSEGV | fixed_fn | main', severity: 'high', count: 1, first: { path: 'main/b.log', line: 1 }, title: 'Null pointer passed to the crashing function' }),
      ]);

      const sarif = JSON.parse(read('pr.sarif'));
      expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
      const run = sarif.runs[0];
      expect(run.results.map((x: { properties: { signature: string }; baselineState: string }) => [x.properties.signature, x.baselineState])).toEqual([
        ['SIGSEGV | kept_fn | main', 'unchanged'],
        ['SIGABRT | new_abort | main', 'new'],
      ]);
      expect(run.properties.baseline.absent.map((a: { baselineState: string; signatureText: string }) => [a.baselineState, a.signatureText])).toEqual([['absent', 'SIGSEGV | fixed_fn | main']]);

      const text = read('pr.text');
      expect(text).toMatch(/^#\s+state\s+count\s+severity/);
      expect(text).toMatch(/\n1\s+unchanged\s+1\s+high\s+/);
      expect(text).toMatch(/\n2\s+new\s+1\s+medium\s+Program aborted/);
      expect(text).toContain('absent: 1 group of the baseline not seen in this run\n    Null pointer passed to the crashing function  SIGSEGV | fixed_fn | main');
      expect(text).toContain(`baseline: 1 new, 1 unchanged, 1 absent (baseline ${base})`);

      const md = read('pr.markdown');
      expect(md).toContain('| # | state | count | severity | diagnosis | first seen |');
      expect(md).toContain('| 2 | **new** | 1 | medium | Program aborted |');
      expect(md).toContain('| 1 | unchanged | 1 | high |');
      expect(md).toContain('<summary>Absent: 1 group of the baseline not seen in this run</summary>');
      expect(md).toContain('| absent | 1 | high | Null pointer passed to the crashing function | main/b\\.log:1 |');

      const xml = read('pr.junit');
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toContain('<testsuites name="coredx" tests="3" failures="2" errors="0">');
      expect([...xml.matchAll(/<property name="baselineState" value="(\w+)"\/>/g)].map((m) => m[1])).toEqual(['unchanged', 'new', 'absent']);
      expect(xml).toContain('<failure message="new: Program aborted"');
      expect(xml).toMatch(/<testcase classname="coredx.SIGSEGV" name="Null pointer passed to the crashing function \[[0-9]+:[0-9a-f]+\]" file="main\/b.log" line="1">\n\s+<properties><property name="baselineState" value="absent"\/><\/properties>\n\s+<system-out>absent: in the baseline/);

      const gh = read('pr.github').trim().split('\n');
      expect(gh).toHaveLength(1); // new groups only
      expect(gh[0]).toMatch(/^::warning file=pr\/c\.log,line=1,title=coredx%3A new%3A Program aborted \(1x\)::/);
    });
  }

  it('--fail-on new and new:SEVERITY gate on new groups only', () => {
    // pr: the new group is medium; pr-high: a new high one.
    expect(cli(['scan', 'pr', '--baseline', 'base.json', '--quiet', '--fail-on', 'new']).code).toBe(1);
    expect(cli(['scan', 'pr', '--baseline', 'base.json', '--quiet', '--fail-on', 'new:medium']).code).toBe(1);
    expect(cli(['scan', 'pr', '--baseline', 'base.json', '--quiet', '--fail-on', 'new:high']).code).toBe(0);
    expect(cli(['scan', 'pr-high', '--baseline', 'base.json', '--quiet', '--fail-on', 'new:high']).code).toBe(1);
    expect(cli(['scan', 'pr-high', '--baseline', 'base.json', '--quiet', '--fail-on', 'new:critical']).code).toBe(0);
    // Only known crashes: --fail-on new passes, a plain severity still gates on them.
    expect(cli(['scan', 'main', '--baseline', 'base.sarif', '--quiet', '--fail-on', 'new']).code).toBe(0);
    expect(cli(['scan', 'main', '--baseline', 'base.sarif', '--quiet', '--fail-on', 'high']).code).toBe(1);
    expect(cli(['scan', 'main', '--baseline', 'base.sarif', '--quiet']).code).toBe(1);
    // Without a baseline every group is new.
    expect(cli(['scan', 'main', '--quiet', '--fail-on', 'new']).code).toBe(1);
    expect(cli(['scan', 'main', '--quiet', '--fail-on', 'new:critical']).code).toBe(0);
    const bad = cli(['scan', 'main', '--quiet', '--fail-on', 'new:severe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown --fail-on "new:severe"');
  });

  it('another signature version: not compared (unknown), said on stderr and in the report, --fail-on new gates on every group', () => {
    const old = JSON.parse(read('base.json'));
    old.signatureVersion = SIGNATURE_VERSION - 1;
    writeFileSync(join(top, 'old.json'), JSON.stringify(old));
    const message = `cannot compare: baseline signature version ${SIGNATURE_VERSION - 1}, this run ${SIGNATURE_VERSION}`;
    const r = cli(['scan', 'main', '--baseline', 'old.json', '--fail-on', 'new', '-f', 'json=old-run.json', '-f', 'text=old-run.text', '-f', 'sarif=old-run.sarif', '-f', 'markdown=old-run.md', '-f', 'github=old-run.github']);
    expect(r.code).toBe(1); // every group of main is known, but could not be compared
    expect(r.stderr).toContain(`coredx: warning: ${message} (baseline old.json): groups not compared; --fail-on new gates on every group\n`);
    const j = JSON.parse(read('old-run.json'));
    expect(states(j.groups)).toEqual({ kept_fn: 'unknown', fixed_fn: 'unknown' });
    expect(j.baseline).toMatchObject({ comparable: false, message, counts: { new: 0, unchanged: 0, absent: 0, unknown: 2 }, absent: [] });
    expect(read('old-run.text')).toContain(message);
    expect(read('old-run.text')).toMatch(/\n1\s+unknown\s+/);
    expect(read('old-run.md')).toContain('> **Warning:** cannot compare');
    const sarif = JSON.parse(read('old-run.sarif'));
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    expect(sarif.runs[0].results.every((x: object) => !('baselineState' in x))).toBe(true);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications[0].message.text).toContain(message);
    const gh = read('old-run.github').trim().split('\n');
    expect(gh[0]).toMatch(/^::warning title=coredx%3A baseline::cannot compare/);
    expect(gh).toHaveLength(3); // the warning and every group
    expect(cli(['scan', 'main', '--baseline', 'old.json', '--quiet', '--fail-on', 'new:critical']).code).toBe(0);
  });

  it('a baseline that cannot be read or parsed is exit 2 with one line naming it', () => {
    writeFileSync(join(top, 'garbage.json'), '{"groups": [');
    writeFileSync(join(top, 'other.sarif'), JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'other' } }, results: [] }] }));
    writeFileSync(join(top, 'analyze.json'), JSON.stringify({ reports: [] }));
    cli(['scan', 'main', '--shard', '1/2', '--quiet', '-f', 'json=half.json']);
    const cases: [string, RegExp][] = [
      ['missing.json', /^coredx: baseline missing\.json: cannot read it \(no such file\)\n$/],
      ['garbage.json', /^coredx: baseline garbage\.json: not JSON \(.*\)\n$/],
      ['other.sarif', /^coredx: baseline other\.sarif: a SARIF log not written by coredx\n$/],
      ['analyze.json', /^coredx: baseline analyze\.json: not a coredx scan report \(.*\)\n$/],
      ['main', /^coredx: baseline main: cannot read it \(is a directory\)\n$/],
      ['half.json', /^coredx: baseline half\.json: shard 1\/2 of a scan, not all of it: merge the shards \(coredx merge\) and use that\n$/],
    ];
    for (const [file, message] of cases) {
      const r = cli(['scan', 'main', '--baseline', file, '--quiet']);
      expect(r.code, file).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('merge takes --baseline too', () => {
    cli(['scan', 'pr', '--quiet', '-f', 'json=pr-plain.json']);
    const r = cli(['merge', 'pr-plain.json', '--baseline', 'base.json', '--fail-on', 'new:high', '-f', 'json']);
    expect(r.code).toBe(0);
    expect(states(JSON.parse(r.stdout).groups)).toEqual({ kept_fn: 'unchanged', new_abort: 'new' });
  });
});
