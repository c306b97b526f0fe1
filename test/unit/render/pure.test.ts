// Renderers are pure functions of (result, context): no file system, no processes, no rule loading
// in src/render/. What SARIF needs of the repository and the tool comes from sarifContext
// (src/scan/render-context.ts); a rule's general help text comes with each diagnosis (ruleHelp).
import { readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { firstMeaningfulFrame, type Report } from '../../../src/model.js';
import { analyze } from '../../../src/pipeline.js';
import { renderSarif, type SarifContext } from '../../../src/render/sarif.js';
import { loadRules } from '../../../src/rules/load.js';
import { sarifContext, toolInfo } from '../../../src/scan/render-context.js';
import { scan } from '../../../src/scan/scan.js';
import { tempDir } from '../../support/tmp.js';

const RENDER = join(import.meta.dirname, '..', '..', '..', 'src', 'render');
const FORBIDDEN = [/^node:fs(\/promises)?$/, /^fs(\/promises)?$/, /^node:child_process$/, /^child_process$/, /(^|\/)rules\/load(\.js)?$/];

/** Every module a file imports or re-exports (static and dynamic), as written. */
function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [
    ...[...code.matchAll(/(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]/g)].map((m) => m[1]!),
    ...[...code.matchAll(/(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
  ];
}
const forbiddenIn = (text: string) => specifiers(text).filter((s) => FORBIDDEN.some((f) => f.test(s)));

const crash = (fn: string, file = 'src/a.c') =>
  `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in ${fn} (p=0x0) at ${file}:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;

describe('src/render/', () => {
  it('imports no node:fs, node:child_process or rules/load', () => {
    const files = readdirSync(RENDER).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('sarif.ts');
    expect(files.flatMap((f) => forbiddenIn(readFileSync(join(RENDER, f), 'utf8')).map((s) => `${f}: ${s}`))).toEqual([]);
  });
  it('the check finds each kind of forbidden import', () => {
    expect(forbiddenIn("import { readFileSync } from 'node:fs';")).toEqual(['node:fs']);
    expect(forbiddenIn("import { spawnSync } from 'node:child_process';")).toEqual(['node:child_process']);
    expect(forbiddenIn("import { builtinRules } from '../rules/load.js';")).toEqual(['../rules/load.js']);
    expect(forbiddenIn("const fs = await import('node:fs/promises');")).toEqual(['node:fs/promises']);
    expect(forbiddenIn("// import { x } from 'node:fs';\nimport { y } from './uri.js';")).toEqual([]);
  });
});

describe('renderSarif with a context', () => {
  it('links the source file the context lists, whether or not it exists: the renderer reads no file', async () => {
    const dir = realpathSync(tempDir('pure-sarif'));
    writeFileSync(join(dir, 'a.log'), crash('pure_fn', 'src/nowhere.c'));
    const result = await scan([dir], { analyze: { rules: null } });
    const context: SarifContext = {
      root: dir,
      cwd: dir,
      tool: { name: 'coredx', version: '9.9.9', informationUri: 'https://example.org/coredx' },
      sources: new Map([['src/nowhere.c', 'lib/somewhere.c']]),
      artifacts: new Map([[result.groups[0]!.occurrences[0]!.path, 'logs/renamed.log']]),
    };
    const run0 = JSON.parse(renderSarif(result, context)).runs[0];
    expect(run0.tool.driver).toMatchObject({ name: 'coredx', version: '9.9.9', informationUri: 'https://example.org/coredx' });
    const uris = run0.results[0].locations.map((l: { physicalLocation: { artifactLocation: { uri: string } } }) => l.physicalLocation.artifactLocation.uri);
    expect(uris).toEqual(['lib/somewhere.c', 'logs/renamed.log']);
    // Without sources listed, no source location; without a page, no informationUri.
    const bare = JSON.parse(renderSarif(result, { root: dir, cwd: dir })).runs[0];
    expect(bare.results[0].locations).toHaveLength(1);
    expect(bare.tool.driver.informationUri).toBeUndefined();
  });

  it("describes a rule with its diagnosis' ruleHelp, and without one (older JSON) still with a valid descriptor", async () => {
    const dir = realpathSync(tempDir('pure-help'));
    writeFileSync(join(dir, 'a.log'), crash('helped_fn'));
    const result = await scan([dir]);
    const g = result.groups[0]!;
    expect(g.diagnosis?.ruleId).toBe('generic/null-argument');
    const withHelp = JSON.parse(renderSarif(result, { root: dir, cwd: dir })).runs[0].tool.driver.rules[0];
    expect(withHelp.fullDescription.text).toBe(g.diagnosis!.ruleHelp!.rootCause);
    expect(withHelp.help.text).toContain(`1. ${g.diagnosis!.ruleHelp!.remediation[0]}`);
    // A made-up help text shows as given: it is not looked up in the rule files.
    g.diagnosis = { ...g.diagnosis!, ruleHelp: { rootCause: 'Made-up root cause.', remediation: ['Made-up step.'] } };
    const madeUp = JSON.parse(renderSarif(result, { root: dir, cwd: dir })).runs[0].tool.driver.rules[0];
    expect(madeUp.fullDescription.text).toBe('Made-up root cause.');
    expect(madeUp.help.text).toContain('1. Made-up step.');
    const { ruleHelp: _, ...old } = g.diagnosis;
    g.diagnosis = old;
    const legacy = JSON.parse(renderSarif(result, { root: dir, cwd: dir })).runs[0].tool.driver.rules[0];
    expect(legacy).toMatchObject({ id: 'generic/null-argument', shortDescription: { text: g.diagnosis.title }, fullDescription: { text: g.diagnosis.title } });
    expect(legacy.help.text).toContain("in the result's message");
    expect(legacy.help.text).not.toContain('Remediation');
  });
});

describe('Diagnosis.ruleHelp', () => {
  it("is the rule's text in general words, the same for every crash it diagnoses", () => {
    const rules = loadRules().ruleSet;
    const [a, b] = ['first_named_fn', 'second_named_fn'].map((fn) => analyze(crash(fn), { rules }).reports[0]!.diagnoses.find((d) => d.ruleId === 'generic/null-argument')!);
    expect(JSON.stringify([a!.rootCause, a!.remediation])).toContain('first_named_fn');
    expect(a!.ruleHelp).toEqual(b!.ruleHelp);
    expect(JSON.stringify(a!.ruleHelp)).not.toMatch(/named_fn|\{[a-z_]+(\|[^}]*)?\}/);
    expect(a!.ruleHelp!.remediation).toHaveLength(a!.remediation.length);
  });
});

describe('sarifContext', () => {
  it('finds the root, the artifacts inside it (through symlinks too) and the source files that exist there', async () => {
    const top = realpathSync(tempDir('ctx'));
    mkdirSync(join(top, 'logs'));
    mkdirSync(join(top, 'src'));
    writeFileSync(join(top, 'src', 'real.c'), 'int x;\n');
    writeFileSync(join(top, 'logs', 'a.log'), crash('real_fn', 'src/real.c'));
    writeFileSync(join(top, 'logs', 'b.log'), crash('missing_fn', 'src/missing.c'));
    const outside = realpathSync(tempDir('ctx-out'));
    symlinkSync(join(top, 'logs'), join(outside, 'linked'));
    const result = await scan([join(outside, 'linked')], { analyze: { rules: null } });
    const ctx = sarifContext(result, { cwd: outside, root: top });
    expect(ctx.root).toBe(top);
    expect([...ctx.artifacts!.values()].sort()).toEqual(['logs/a.log', 'logs/b.log']);
    expect([...ctx.sources!]).toEqual([['src/real.c', 'src/real.c']]);
    expect(ctx.tool.name).toBe('coredx');
    // GITHUB_WORKSPACE decides the root when no root is given.
    expect(sarifContext(result, { cwd: outside, env: { GITHUB_WORKSPACE: top } }).root).toBe(top);
  });

  it("reads the tool's page from package.json: homepage, else the repository URL", () => {
    const dir = tempDir('pkg');
    const write = (pkg: object) => (writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg)), pathToFileURL(join(dir, 'package.json')));
    expect(toolInfo(write({ homepage: 'https://example.org/home' })).informationUri).toBe('https://example.org/home');
    expect(toolInfo(write({ repository: { url: 'git+https://github.com/o/coredx.git' } })).informationUri).toBe('https://github.com/o/coredx');
    expect(toolInfo(write({ repository: 'ssh://git@example.org/x' })).informationUri).toBeUndefined();
    expect(toolInfo(pathToFileURL(join(dir, 'absent.json'))).name).toBe('coredx');
  });
});

describe('firstMeaningfulFrame', () => {
  const report = (skipped: number[], files: (string | null)[]) =>
    ({ crashedThread: 0, skippedFrames: skipped, threads: [{ frames: files.map((file) => ({ file })) }] }) as unknown as Report;
  it('is the first frame the signature kept, or the first such one with what is asked for', () => {
    expect(firstMeaningfulFrame(report([0, 1], [null, 'a.c', null, 'b.c']))).toBe(2);
    expect(firstMeaningfulFrame(report([0, 1], [null, 'a.c', null, 'b.c']), (f) => !!f.file)).toBe(3);
    expect(firstMeaningfulFrame(report([0], ['a.c']))).toBe(-1);
    expect(firstMeaningfulFrame({ ...report([], ['a.c']), crashedThread: null })).toBe(-1);
  });
});
