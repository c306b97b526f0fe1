// The pipeline's last stage (issue #10, "One pipeline"): reports are diagnosed once, and explained
// when AnalyzeOptions.explain asks, whatever entry point they came through; the CLI's --explain is
// that option.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeFile, analyzeSource, analyzeStream } from '../../src/pipeline.js';
import { builtinRules } from '../../src/rules/load.js';
import { renderJson } from '../../src/render/json.js';
import type { Report } from '../../src/model.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const TRACE = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse_header (p=0x0) at src/parse.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n';

describe('AnalyzeOptions.explain', () => {
  it('is absent unless asked for', () => {
    const [r] = analyze(TRACE).reports;
    expect(r!.diagnoses.length).toBeGreaterThan(0);
    expect('explain' in r!).toBe(false);
    expect(JSON.parse(renderJson(analyze(TRACE))).reports[0].explain).toBeUndefined();
  });
  it('true: the rule engine\'s explanation (up to 5 rules, all that fired), typed on the report', () => {
    const [r] = analyze(TRACE, { explain: true }).reports;
    const fresh = analyze(TRACE).reports[0]!;
    expect(r!.explain).toEqual(builtinRules().explain(fresh));
    expect(r!.explain!.length).toBeGreaterThan(0);
    expect(r!.explain!.some((e) => e.fired && r!.diagnoses.some((d) => d.ruleId === e.ruleId))).toBe(true);
    // The last field of the JSON, where the CLI used to patch it.
    expect(Object.keys(JSON.parse(renderJson(analyze(TRACE, { explain: true }))).reports[0]).at(-1)).toBe('explain');
  });
  it('a number: that many rules, or every rule that fired when more did', () => {
    const rules = builtinRules();
    const [r] = analyze(TRACE, { explain: 1 }).reports;
    const fired = r!.explain!.filter((e) => e.fired).length;
    expect(r!.explain!.length).toBe(Math.max(1, fired));
    expect(r!.explain).toEqual(rules.explain(analyze(TRACE).reports[0]!, 1));
  });
  it('nothing without rules', () => {
    const [r] = analyze(TRACE, { rules: null, explain: true }).reports;
    expect(r!.diagnoses).toEqual([]);
    expect(r!.explain).toBeUndefined();
  });
  it('the same from every entry point: text, stream, file, bytes', async () => {
    const dir = tempDir('pipeline');
    const path = join(dir, 'a.log');
    writeFileSync(path, TRACE);
    const strip = (r: Report) => ({ diagnoses: r.diagnoses, explain: r.explain });
    const want = strip(analyze(TRACE, { explain: 3 }).reports[0]!);
    expect(strip((await analyzeStream(Readable.from([Buffer.from(TRACE)]), { explain: 3 })).reports[0]!)).toEqual(want);
    expect(strip((await analyzeFile(path, { explain: 3 })).reports[0]!)).toEqual(want);
    expect(strip((await analyzeSource(Buffer.from(TRACE), { explain: 3 })).reports[0]!)).toEqual(want);
  });
  it('is what `analyze --explain -f json` prints, and text output shows the same rules', () => {
    const dir = tempDir('pipeline-cli');
    const path = join(dir, 'a.log');
    writeFileSync(path, TRACE);
    const json = spawnSync(process.execPath, [BIN, 'analyze', '--explain', '-f', 'json', path], { encoding: 'utf8', timeout: 30000 });
    expect(json.status).toBe(0);
    const want = analyze(TRACE, { explain: true, path }).reports[0]!.explain;
    expect(JSON.parse(json.stdout).reports[0].explain).toEqual(want);
    const text = spawnSync(process.execPath, [BIN, 'analyze', '--explain', '--no-color', path], { encoding: 'utf8', timeout: 30000 });
    for (const e of want!) expect(text.stdout).toContain(e.ruleId);
    const plain = spawnSync(process.execPath, [BIN, 'analyze', '-f', 'json', path], { encoding: 'utf8', timeout: 30000 });
    expect(JSON.parse(plain.stdout).reports[0].explain).toBeUndefined();
  });
});

describe('diagnosing', () => {
  it('happens once, on the final reports (reordered, re-signed): each sample\'s diagnoses are those of its final report', () => {
    const rules = builtinRules();
    const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.txt'));
    expect(samples.length).toBeGreaterThan(20);
    for (const f of samples) {
      for (const r of analyze(readFileSync(join(SAMPLES, f)), { path: f }).reports) expect(r.diagnoses, f).toEqual(rules.diagnose(r));
    }
  });
});
