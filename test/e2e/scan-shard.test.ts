// coredx scan --shard I/N and coredx merge: scanning a tree in N parts and merging the parts gives
// what one scan gives (groups, counts, occurrences, chosen diagnoses, totals, every rendered format).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_VERSION } from '../../src/normalize/signature.js';
import { scan } from '../../src/scan/scan.js';
import { parseShard, shardKey, shardOf } from '../../src/scan/shard.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');

const crash = (fn: string, signal = 'SIGSEGV, Segmentation fault', before = '') =>
  `${before}Program terminated with signal ${signal}.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;
const noise = (n: number) => Array.from({ length: n }, (_, i) => `[INFO] step ${i} ok`).join('\n') + '\n';

let top: string;
let tree: string;
beforeAll(() => {
  top = tempDir('shard');
  tree = join(top, 'tree');
  const fns = ['parse_header', 'flush_queue', 'read_config', 'open_db', 'render_page'];
  for (let i = 0; i < 40; i++) {
    const dir = join(tree, `job-${i % 7}`, i % 3 ? 'logs' : 'out');
    mkdirSync(dir, { recursive: true });
    const fn = fns[(i * i) % fns.length]!;
    let text = noise(i % 5) + crash(fn) + noise(2);
    if (i % 4 === 0) text += crash(fns[(i + 1) % fns.length]!, '6, Aborted');
    if (i % 9 === 0) text += crash('handle_request', 'SIGABRT, Aborted');
    // The same SIGABRT stack, once with glibc's message before it: that group is a critical stack smash.
    if (i === 31) text += crash('handle_request', 'SIGABRT, Aborted', '*** stack smashing detected ***: terminated\n');
    writeFileSync(join(dir, `run-${i}.log`), text);
    if (i % 10 === 0) writeFileSync(join(dir, `clean-${i}.log`), noise(20));
  }
  writeFileSync(join(tree, 'job-1', 'archived.log.gz'), gzipSync(crash('parse_header') + crash('gz_only')));
  writeFileSync(join(tree, 'job-2', 'blob.bin'), Buffer.from([0, 1, 2, 3, 0, 0, 7]));
  mkdirSync(join(tree, '.cache'));
  writeFileSync(join(tree, '.cache', 'x.log'), crash('hidden_fn'));
  symlinkSync('missing-target', join(tree, 'job-3', 'dangling.log'));
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

function cli(args: string[], cwd = top) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_WORKSPACE: '' }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const read = (name: string) => readFileSync(join(top, name), 'utf8');
const FORMATS = ['json', 'text', 'markdown', 'sarif', 'junit'];
const outputs = (prefix: string) => FORMATS.flatMap((f) => ['-f', `${f}=${prefix}.${f}`]);

describe('--shard and merge', () => {
  let single: { code: number | null; json: ReturnType<typeof JSON.parse> };
  beforeAll(() => {
    const r = cli(['scan', 'tree', '--quiet', ...outputs('all')]);
    single = { code: r.code, json: JSON.parse(read('all.json')) };
  });

  it('the tree gives several groups, a chosen critical diagnosis, skipped files and an error', () => {
    expect(single.code).toBe(2); // the dangling symlink
    const j = single.json;
    expect(j.totals.groups).toBeGreaterThanOrEqual(7);
    expect(j.totals.errors).toBe(1);
    const smash = j.groups.find((g: { signatureText: string }) => g.signatureText === 'SIGABRT | handle_request | main');
    expect(smash.severity).toBe('critical');
    expect(smash.count).toBe(6);
    expect(smash.diagnosisAt.path).toBe('tree/job-3/logs/run-31.log');
  });

  for (const n of [1, 2, 3]) {
    it(`scanning in ${n} shard(s) and merging equals one scan, in every format`, () => {
      const parts: string[] = [];
      for (let i = 1; i <= n; i++) {
        const r = cli(['scan', 'tree', '--shard', `${i}/${n}`, '--quiet', '--fail-on', 'none', '-f', `json=shard-${n}-${i}.json`]);
        expect([0, 2]).toContain(r.code);
        parts.push(`shard-${n}-${i}.json`);
        expect(JSON.parse(read(`shard-${n}-${i}.json`)).shard).toEqual({ index: i, total: n });
      }
      const files = parts.map((p) => JSON.parse(read(p)));
      // A partition: every file and every skipped entry in exactly one shard.
      const scanned = files.reduce((s, f) => s + f.totals.scanned, 0);
      expect(scanned).toBe(single.json.totals.scanned);
      if (n > 1) expect(files.every((f) => f.totals.files < single.json.totals.files)).toBe(true);
      const merged = cli(['merge', ...parts, ...outputs(`merged-${n}`)]);
      expect(merged.code).toBe(single.code);
      expect(merged.stderr).toContain('tree/job-3/dangling.log: broken symlink');
      for (const f of FORMATS) expect(read(`merged-${n}.${f}`), f).toBe(read(`all.${f}`));
    });
  }

  it('merge exits like scan', () => {
    const clean = cli(['scan', 'tree/job-2', '--quiet', '--include', '**/clean-*', '-f', 'json=clean.json']);
    expect(clean.code).toBe(0);
    expect(cli(['merge', 'clean.json', '--quiet']).code).toBe(0);
    cli(['scan', 'tree/job-0', '--quiet', '-f', 'json=job0.json']);
    expect(cli(['merge', 'job0.json', 'clean.json', '--quiet', '-f', 'json=m.json']).code).toBe(1);
    expect(JSON.parse(read('m.json')).totals.files).toBe(JSON.parse(read('job0.json')).totals.files + 1);
    expect(cli(['merge', 'job0.json', '--quiet', '--fail-on', 'none']).code).toBe(0);
    expect(cli(['merge', 'job0.json', '--quiet', '--fail-on', 'critical']).code).toBe(0);
    expect(cli(['merge', 'job0.json', '--quiet', '--fail-on', 'bogus']).code).toBe(2);
  });

  it('refuses what cannot be merged, with one line', () => {
    for (const [shard, out] of [['1/2', 'h1'], ['2/2', 'h2'], ['2/3', 't2'], ['1/1', 'whole']]) {
      const r = cli(['scan', 'tree', ...(shard === '1/1' ? [] : ['--shard', shard]), '--quiet', '-f', `json=${out}.json`]);
      expect(r.stderr.replace('coredx: tree/job-3/dangling.log: broken symlink (no such file or directory)\n', ''), `${out}: ${r.code}`).toBe('');
    }
    const other = JSON.parse(read('h2.json'));
    other.signatureVersion = SIGNATURE_VERSION + 1;
    writeFileSync(join(top, 'other.json'), JSON.stringify(other));
    writeFileSync(join(top, 'broken.json'), '{"groups": [');
    writeFileSync(join(top, 'notscan.json'), '{"reports": []}');
    const cases: [string[], RegExp][] = [
      [['h1.json', 'other.json'], new RegExp(`^coredx: cannot merge: h1\\.json has signature version ${SIGNATURE_VERSION}, other\\.json ${SIGNATURE_VERSION + 1}\\n$`)],
      [['h1.json'], /^coredx: cannot merge: shard 2\/2 missing\n$/],
      [['h1.json', 'h1.json', 'h2.json'], /^coredx: cannot merge: h1\.json and h1\.json are both shard 1\/2\n$/],
      [['h1.json', 't2.json'], /^coredx: cannot merge: h1\.json is a shard of 2, t2\.json of 3\n$/],
      [['broken.json'], /^coredx: broken\.json: not JSON \(.*\)\n$/],
      [['notscan.json'], /^coredx: notscan\.json: not a coredx scan JSON report \(.*\)\n$/],
      [['nope.json'], /^coredx: nope\.json: cannot read it \(no such file\)\n$/],
      [['whole.json', 'h1.json', 'h2.json'], /^coredx: cannot merge: .* is in more than one report \(do the shards overlap\?\)\n$/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['merge', ...args, '--quiet']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('shard assignment', () => {
  it('parses I/N', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/', '-1/2']) expect(typeof parseShard(bad)).toBe('string');
  });
  it('depends on the path relative to the argument only: not on other files, nor on where the tree is', async () => {
    const shards = async (root: string, n: number) => {
      const map = new Map<string, number>();
      for (let i = 1; i <= n; i++) {
        const r = await scan([root], { shard: { index: i, total: n }, hidden: true });
        for (const g of r.groups) for (const o of g.occurrences) map.set(`${o.path.slice(root.length + 1)}:${o.line}`, i);
      }
      return map;
    };
    const before = await shards(tree, 3);
    const copy = join(top, 'elsewhere', 'copy');
    cpSync(tree, copy, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(copy, 'job-0', 'logs', 'new-file.log'), crash('brand_new'));
    const after = await shards(copy, 3);
    after.delete('job-0/logs/new-file.log:1');
    expect(after).toEqual(before);
    expect(new Set(before.values()).size).toBe(3);
    expect(shardKey(join(tree, 'job-1', 'logs', 'run-1.log'), [tree])).toBe('job-1/logs/run-1.log');
    expect(shardOf('job-1/logs/run-1.log', 1)).toBe(1);
  });
});
