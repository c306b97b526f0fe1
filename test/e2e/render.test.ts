// Report renderers against crafted input: Markdown that renders as written and injects nothing
// (no HTML, links, mentions, issue references), no raw control characters from logs in terminal,
// workflow-command, JUnit or Markdown output, generic SARIF rule help, and the SARIF repository root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupTitle } from '../../src/render/group-text.js';
import { renderGithub } from '../../src/render/github.js';
import { escapeCommandPath } from '../../src/render/escape.js';
import { renderJunit } from '../../src/render/junit.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderSarif } from '../../src/render/sarif.js';
import { repositoryRoot } from '../../src/scan/render-context.js';
import { scan } from '../../src/scan/scan.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');

const crash = (fn: string, file = 'src/a.c') =>
  `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in ${fn} (p=0x0) at ${file}:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;

function run(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: options.cwd, env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_WORKSPACE: '', ...options.env }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// C0 and C1 control characters other than tab and line feed (the renderers' own line breaks).
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
/** Workflow commands without their file= property (a path, kept as it is: see escapeCommandPath). */
const withoutFileProperty = (out: string) => out.replace(/^(::\w+ )file=[^,]*,/gm, '$1');

describe('markdown escaping', () => {
  const evilFn = "it's_@octocat_#12_<b>x</b>_[l](https://evil.example)_www.evil.example_GH-7";
  let md: string;
  beforeAll(async () => {
    const dir = tempDir('md');
    writeFileSync(join(dir, "hi @octocat's #3.log"), crash(evilFn));
    md = renderMarkdown(await scan([dir]));
  });
  it("renders an apostrophe as itself, not as a broken entity", () => {
    expect(md).not.toMatch(/&\\#/);
    expect(md).toContain("hi @\u200Boctocat's \\#\u200B3\\.log:1");
  });
  it('neutralizes mentions, issue references, links and HTML from function and file names', () => {
    expect(md).not.toMatch(/@octocat/i);
    expect(md).not.toMatch(/(?<!&)#\\?(12|3)/); // &#39; is an apostrophe
    expect(md).not.toMatch(/GH\\?-\d/i);
    expect(md).not.toContain('<b>');
    expect(md).not.toContain('](');
    expect(md).not.toMatch(/https?\\?:\/\//);
    expect(md).not.toMatch(/www\\?\./i);
    // Still readable: the characters are there, only escaped.
    expect(md).toContain('&lt;b&gt;x&lt;/b&gt;'); // the frame, in <pre>
    expect(md).toContain("it's\\_@\u200Boctocat\\_\\#\u200B12\\_\\<\\>x\\<\\>\\_\\[l\\]\\(https:\u200B//evil"); // the remediation (the function's name without template arguments)
  });
});

describe('control characters from logs', () => {
  const fn = 'ctl\x01\x08\x1b\x7f\u009b_fn';
  let dir: string;
  beforeAll(() => {
    dir = tempDir('ctl');
    writeFileSync(join(dir, 'ctl.log'), crash(fn));
    writeFileSync(join(dir, 'bell\x07.log'), crash('other_fn'));
  });
  it('are shown as visible escapes in text, github, junit and markdown output', async () => {
    const outputs = {
      analyze: run(['analyze', '--no-color', join(dir, 'ctl.log')]).stdout,
      scanText: run(['scan', dir, '--no-color', '--quiet']).stdout,
      github: run(['scan', dir, '-f', 'github', '--quiet']).stdout,
      junit: run(['scan', dir, '-f', 'junit', '--quiet']).stdout,
      markdown: run(['scan', dir, '-f', 'markdown', '--quiet']).stdout,
    };
    // An annotation's file= is the real path (bell\x07.log), not text: GitHub matches it to the file.
    expect(outputs.github).toContain(`file=${escapeCommandPath(join(dir, 'bell\x07.log'))},`);
    const text = (name: string, out: string) => (name === 'github' ? withoutFileProperty(out) : out);
    for (const [name, out] of Object.entries(outputs)) {
      expect(out, name).toContain('ctl');
      expect(RAW_CONTROL.test(text(name, out)), `${name}: ${JSON.stringify(out.match(RAW_CONTROL))}`).toBe(false);
      expect(out, `${name}: ${out}`).toMatch(/ctl\\{1,2}x01\\{1,2}x08\\{1,2}x1b\\{1,2}x7f\\{1,2}x9b\\?_fn/);
    }
    expect(XMLValidator.validate(outputs.junit)).toBe(true);
    // Renderer level too (the library API).
    const r = await scan([dir]);
    for (const out of [withoutFileProperty(renderGithub(r)), renderJunit(r), renderMarkdown(r)]) expect(RAW_CONTROL.test(out)).toBe(false);
  });
  it('shows bidirectional controls too, so a name cannot display as another (Trojan Source)', () => {
    writeFileSync(join(dir, 'bidi.txt'), crash('evil\u202eKCATTA'));
    const out = run(['analyze', '--no-color', join(dir, 'bidi.txt')]).stdout;
    expect(out).toContain('evil\\u{202e}KCATTA');
    expect(out).not.toContain('\u202e');
  });
  it("keeps coredx's own colouring", () => {
    const out = run(['scan', join(dir, 'ctl.log'), '--color', '--quiet']).stdout;
    expect(out).toContain('\x1b[1m');
    expect(out).toContain('ctl\\x01\\x08\\x1b\\x7f\\x9b_fn');
    // Every escape left is one of chalk's SGR sequences.
    expect(out.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(RAW_CONTROL);
  });
});

describe('SARIF rule help', () => {
  it('is generic: no group-specific function name, nothing from logs; specifics in each result', async () => {
    const dir = tempDir('help');
    writeFileSync(join(dir, 'one.log'), crash('first_function'));
    writeFileSync(join(dir, 'two.log'), crash('second_function'));
    const assertion = '<img src=x onerror=alert(1)> [click](https://evil.example) @octocat';
    writeFileSync(join(dir, 'assert.log'), [
      `assert_fail: assert_fail.c:5: check_balance: Assertion \`${assertion}' failed.`,
      '',
      'Program received signal SIGABRT, Aborted.',
      '#0  __pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=6, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44',
      '#1  0x00007ffff7e0ffb2 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26',
      '#2  0x00007ffff7dfa472 in __GI_abort () at ./stdlib/abort.c:79',
      `#3  0x00007ffff7e08ec2 in __GI___assert_fail (assertion=0x555555556016 "${assertion}", file=0x555555556008 "assert_fail.c", line=5, function=0x555555556028 <__PRETTY_FUNCTION__.0> "check_balance") at ./assert/assert.c:103`,
      '#4  0x0000555555555172 in check_balance (balance=-5) at assert_fail.c:5',
      '#5  0x0000555555555185 in main () at assert_fail.c:9',
      '',
    ].join('\n'));
    const sarif = JSON.parse(renderSarif(await scan([dir]), { root: dir }));
    const run0 = sarif.runs[0];
    const results = run0.results as { ruleId: string; ruleIndex: number; message: { text: string } }[];
    const nullArg = results.filter((r) => r.ruleId === 'generic/null-argument');
    expect(nullArg).toHaveLength(2);
    expect(nullArg[0]!.ruleIndex).toBe(nullArg[1]!.ruleIndex);
    const rule = run0.tool.driver.rules[nullArg[0]!.ruleIndex];
    const ruleText = JSON.stringify(rule);
    expect(ruleText).not.toContain('first_function');
    expect(ruleText).not.toContain('second_function');
    expect(rule.help.markdown).toContain('Remediation');
    expect(nullArg.map((r) => r.message.text.includes('first_function') || r.message.text.includes('second_function'))).toEqual([true, true]);
    const asserted = results.find((r) => r.ruleId === 'generic/assertion')!;
    expect(asserted.message.text).toContain(assertion);
    const assertRule = JSON.stringify(run0.tool.driver.rules[asserted.ruleIndex]);
    for (const bad of ['<img', '](', '@octocat', 'check_balance', 'evil.example']) expect(assertRule).not.toContain(bad);
    expect(run0.tool.driver.rules[asserted.ruleIndex].help.text).toContain('Assertion failed');
  });
});

const validateSarif = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })).compile(createRequire(import.meta.url)('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));

describe('SARIF of merged scan JSON', () => {
  it('describes rules from the reports, and JSON without rule help (older coredx) still gives valid SARIF', () => {
    const dir = realpathSync(tempDir('merge-old'));
    writeFileSync(join(dir, 'a.log'), crash('merged_fn'));
    expect(run(['scan', dir, '-f', `json=${join(dir, 'new.json')}`, '--quiet', '--fail-on', 'none']).code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'new.json'), 'utf8'));
    const diagnosis = doc.groups[0].diagnosis;
    expect(diagnosis.ruleHelp.remediation.length).toBeGreaterThan(0);
    const sarifOf = (file: string, extra: string[] = []) => {
      const r = run(['merge', file, '-f', `sarif=${file}.sarif`, '--quiet', '--fail-on', 'none', ...extra], { cwd: dir });
      expect(r.stderr).toBe('');
      const sarif = JSON.parse(readFileSync(`${file}.sarif`, 'utf8'));
      expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
      return sarif.runs[0].tool.driver.rules[0];
    };
    // No rules are loaded: help comes from the report, even with the bundled rules turned off.
    const rule = sarifOf(join(dir, 'new.json'), ['--no-builtin']);
    expect(rule.fullDescription.text).toBe(diagnosis.ruleHelp.rootCause);
    expect(rule.help.markdown).toContain('**Remediation**');
    for (const g of doc.groups) {
      delete g.diagnosis?.ruleHelp;
      for (const d of g.report.diagnoses) delete d.ruleHelp;
    }
    writeFileSync(join(dir, 'old.json'), JSON.stringify(doc));
    const old = sarifOf(join(dir, 'old.json'));
    expect(old).toMatchObject({ id: diagnosis.ruleId, shortDescription: { text: diagnosis.title } });
    expect(old.help.text).toContain("in the result's message");
  });
});

describe('SARIF repository root', () => {
  let top: string;
  beforeAll(() => {
    top = realpathSync(tempDir('repo'));
    expect(spawnSync('git', ['init', '-q', top]).status).toBe(0);
    mkdirSync(join(top, 'sub'));
    mkdirSync(join(top, 'src'));
    writeFileSync(join(top, 'src', 'found.c'), 'int x;\n');
    // Exists only next to the working directory, not at the repository root: not the crash's source.
    writeFileSync(join(top, 'sub', 'null_deref.c'), 'int y;\n');
    writeFileSync(join(top, 'sub', 'a.log'), crash('in_repo', 'src/found.c'));
    writeFileSync(join(top, 'sub', 'b.log'), crash('bare_name', 'null_deref.c'));
  });
  it('is the git top level, not the working directory', () => {
    expect(repositoryRoot(join(top, 'sub'), {})).toBe(top);
    const r = run(['scan', '.', '-f', 'sarif=out.sarif', '--quiet'], { cwd: join(top, 'sub') });
    expect(r.stderr).toBe('');
    const run0 = JSON.parse(readFileSync(join(top, 'sub', 'out.sarif'), 'utf8')).runs[0];
    expect(run0.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `${pathToFileURL(top).href}/` } });
    const byFn = (fn: string) => run0.results.find((x: { message: { text: string } }) => x.message.text.includes(fn));
    const inRepo = byFn('in_repo').locations.map((l: { physicalLocation: { artifactLocation: unknown } }) => l.physicalLocation.artifactLocation);
    expect(inRepo).toEqual([{ uri: 'src/found.c', uriBaseId: '%SRCROOT%' }, { uri: 'sub/a.log', uriBaseId: '%SRCROOT%' }]);
    const bare = byFn('bare_name').locations.map((l: { physicalLocation: { artifactLocation: unknown } }) => l.physicalLocation.artifactLocation);
    expect(bare).toEqual([{ uri: 'sub/b.log', uriBaseId: '%SRCROOT%' }]);
  });
  it('is GITHUB_WORKSPACE when set', () => {
    const workspace = join(top, 'sub');
    expect(repositoryRoot(top, { GITHUB_WORKSPACE: workspace })).toBe(workspace);
    run(['scan', '.', '-f', 'sarif=out2.sarif', '--quiet'], { cwd: top, env: { GITHUB_WORKSPACE: workspace } });
    const run0 = JSON.parse(readFileSync(join(top, 'out2.sarif'), 'utf8')).runs[0];
    expect(run0.originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(workspace).href}/`);
    const uris = run0.results.flatMap((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations.map((l) => l.physicalLocation.artifactLocation));
    // sub/null_deref.c exists under this root, src/found.c is outside it.
    expect(uris).toContainEqual({ uri: 'null_deref.c', uriBaseId: '%SRCROOT%' });
    expect(uris).toContainEqual({ uri: 'a.log', uriBaseId: '%SRCROOT%' });
    expect(uris.some((u: { uri: string }) => u.uri.includes('found.c'))).toBe(false);
  });
  it('falls back to the working directory outside a repository', () => {
    const plain = realpathSync(tempDir('norepo'));
    expect(repositoryRoot(plain, {})).toBe(plain);
  });
});

describe('group titles', () => {
  it('say "signal not shown" for an undiagnosed trace without a signal, not UNKNOWN', async () => {
    const dir = tempDir('title');
    writeFileSync(join(dir, 'bare.log'), '#0  0x0000000000401136 in quiet_fn (p=0x0) at src/q.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n');
    const r = await scan([dir], { analyze: { rules: null } });
    expect(r.groups[0]!.report.crashKind).toBe('UNKNOWN');
    expect(groupTitle(r.groups[0]!)).toBe('Crash (signal not shown) in quiet_fn');
    expect(renderMarkdown(r)).toContain('Crash &#40;signal not shown&#41; in quiet&#95;fn'); // escaped there
  });
});
