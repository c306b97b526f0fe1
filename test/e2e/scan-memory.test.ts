// Scan reports of many crash groups are written in bounded memory (issue 16): 20,000 distinct
// groups written as JSON and SARIF by a `coredx scan` whose heap is too small for either report as
// one string (the JSON is ~190 MB) or for 20,000 full reports at once. And the compact group state
// (reports written away to a temporary file, read back when rendered) renders every format byte for
// byte as groups that hold their reports.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderGithub, renderJunit, renderMarkdown, renderSarif, renderScanJson, renderScanText, scan } from '../../src/index.js';
import { compareWithBaseline } from '../../src/scan/baseline.js';
import { mergeGroups, spillReports } from '../../src/scan/group.js';
import { tempDir } from '../support/tmp.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');

/** A child node process, awaited (not spawnSync: minutes of a blocked worker make vitest's RPC time out). */
function run(args: string[], options: { timeout: number }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const trace = (fn: string, line = 12) => `Program received signal SIGSEGV, Segmentation fault.
#0  0x0000555555555431 in ${fn} (this=0x0) at src/handler.cpp:${line}
#1  0x0000555555555252 in app::dispatch (b=0x5555) at src/dispatch.cpp:8
#2  0x00005555555553cc in main () at src/main.cpp:20

`;

describe('scan output of 20,000 distinct crash groups', () => {
  it('is written as JSON and SARIF with a 128 MB heap, every group in both, and merged and compared as a baseline with a 128 MB heap', async () => {
    const dir = tempDir('scan-memory');
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    const files = 20;
    const per = 1000;
    for (let f = 0; f < files; f++) {
      let text = '';
      for (let k = 0; k < per; k++) text += trace(`app::Handler::process_${f * per + k}`, 40 + (k % 50));
      writeFileSync(join(tree, `crash-${f}.log`), text);
    }
    const json = join(dir, 'out.json');
    const sarif = join(dir, 'out.sarif');
    // Before streaming: "JavaScript heap out of memory" (each report was one string, every report in memory).
    const scanned = await run(['--max-old-space-size=128', CLI, 'scan', '-q', '--fail-on', 'none', '-f', `json=${json}`, '-f', `sarif=${sarif}`, tree], {
      timeout: 280_000,
    });
    expect(scanned.stderr).toBe('');
    expect(scanned.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['out.json', 'out.sarif', 'tree']); // no temporary file left
    // Read back in a child with room for them (the JSON is ~190 MB).
    const check = await run(
      [
        '--max-old-space-size=2048',
        '-e',
        `const fs = require('fs');
         const j = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
         const s = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
         const names = new Set(j.groups.map((g) => g.report.signatureFrames[0]));
         console.log(JSON.stringify({ groups: j.groups.length, totals: j.totals.groups, crashes: j.totals.crashes, names: names.size, results: s.runs[0].results.length, fingerprints: new Set(s.runs[0].results.map((r) => Object.values(r.partialFingerprints)[0])).size }));`,
        json,
        sarif,
      ],
      { timeout: 120_000 },
    );
    expect(check.stderr).toBe('');
    expect(JSON.parse(check.stdout)).toEqual({ groups: 20_000, totals: 20_000, crashes: 20_000, names: 20_000, results: 20_000, fingerprints: 20_000 });

    // The ~190 MB report merged (with itself as the baseline) by a process whose heap cannot hold it
    // as one string, nor its groups parsed at once: read a group at a time (before: JSON.parse of
    // the whole file, "JavaScript heap out of memory").
    const merged = join(dir, 'merged.json');
    const merge = await run(['--max-old-space-size=128', CLI, 'merge', '-q', '--fail-on', 'new', '--baseline', json, '-f', `json=${merged}`, '-f', 'junit=/dev/null', json], {
      timeout: 280_000,
    });
    expect(merge.stderr).toBe('');
    expect(merge.status).toBe(0); // nothing new: every group is in the baseline
    expect(readdirSync(dir).sort()).toEqual(['merged.json', 'out.json', 'out.sarif', 'tree']);
    const mergedCheck = await run(
      [
        '--max-old-space-size=2048',
        '-e',
        `const fs = require('fs');
         const a = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
         const m = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
         const strip = (g) => { const { baselineState, ...rest } = g; return rest; };
         console.log(JSON.stringify({ groups: m.groups.length, same: JSON.stringify(m.groups.map(strip)) === JSON.stringify(a.groups), unchanged: m.groups.filter((g) => g.baselineState === 'unchanged').length, counts: m.baseline.counts }));`,
        json,
        merged,
      ],
      { timeout: 120_000 },
    );
    expect(mergedCheck.stderr).toBe('');
    expect(JSON.parse(mergedCheck.stdout)).toEqual({ groups: 20_000, same: true, unchanged: 20_000, counts: { new: 0, unchanged: 20_000, absent: 0, unknown: 0 } });
  }, 600_000);
});

describe('compact group state', () => {
  it('renders every format byte for byte as groups holding their reports (scan, merge, baseline)', async () => {
    const dir = tempDir('scan-spill');
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    // Duplicates across files (first occurrence and diagnosis chosen among them), control characters.
    writeFileSync(join(tree, 'a.log'), trace('app::dup').repeat(120) + trace('app::one'));
    writeFileSync(join(tree, 'b.log'), trace('app::one') + trace('app::evil\x1b[2J\u202e_#12_@user_`x`|<b>') + trace('app::dup', 13));
    writeFileSync(join(tree, 'c\x1b[31m.log'), trace('app::two') + trace('app::dup'));
    writeFileSync(join(tree, 'd.log'), 'free(): double free detected in tcache 2\n\n' + trace('app::three'));
    const files = readdirSync(tree).map((f) => join(tree, f));
    const plain = await scan([tree]);
    let spilled, merged, clonedMerged;
    spillReports({ after: 0 });
    try {
      spilled = await scan([tree]);
      const halves = [await scan(files.filter((_, i) => i % 2)), await scan(files.filter((_, i) => i % 2 === 0))];
      merged = { ...spilled, groups: mergeGroups(halves.map((h) => h.groups)) };
      clonedMerged = { ...spilled, groups: mergeGroups(halves.map((h) => structuredClone(h.groups))) };
    } finally {
      spillReports(false);
    }
    expect(Object.getOwnPropertyDescriptor(spilled.groups[0]!, 'report')?.get).toBeDefined();
    const baseline = { path: 'base.json', signatureVersion: plain.signatureVersion, groups: [{ signature: 'gone', signatureText: 'SIGSEGV | gone', title: 'Gone', crashKind: 'SIGSEGV', severity: 'low' as const, count: 2, first: null }] };
    const render = (r: typeof plain) => [
      renderScanJson(r),
      renderSarif(r, { root: dir }),
      renderJunit(r),
      renderMarkdown(r),
      renderGithub(r),
      renderScanText(r, new Chalk({ level: 1 })),
    ];
    const expected = render(plain);
    const groups = JSON.parse(expected[0]!).groups as { count: number }[];
    expect(groups.map((g) => g.count)).toEqual([122, 2, 1, 1, 1]);
    for (const r of [spilled, merged, clonedMerged]) expect(render(r)).toEqual(expected);
    expect(render(compareWithBaseline(spilled, baseline))).toEqual(render(compareWithBaseline(plain, baseline)));
  });
});
