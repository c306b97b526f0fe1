// The package as users get it (`npm pack`, installed into a fresh prefix: the command runs, analyzes,
// and passes its own rule tests), and the small things a new user tripped over (issue 14): rule
// samples outside the rules folder, the `rules new` skeleton and its hint, plurals, a missing path, a
// corrupt gzip file, SARIF's informationUri, the packed tarball in .gitignore, README's notes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';
import { samplePath } from '../support/samples.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'coredx.js');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const W = realpathSync(mkdtempSync(join(tmpdir(), 'coredx-install-')));
afterAll(() => rmSync(W, { recursive: true, force: true }));

/** An environment without a parent npm run's settings and with no other coredx on PATH. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|NPM_|INIT_CWD$|CI$|GITHUB_ACTIONS$|COLUMNS$)/.test(k)) env[k] = v;
  const path = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'coredx')));
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '', PATH: [dirname(process.execPath), ...path].join(delimiter), ...extra };
}

function run(cmd: string, args: string[], cwd = W, env = cleanEnv()) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', all: `${r.stdout}\n${r.stderr}` };
}
/** The same, without blocking the worker for the long npm runs (vitest's RPC must keep answering). */
function runAsync(cmd: string, args: string[], cwd = W, env = cleanEnv()): Promise<ReturnType<typeof run>> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr, all: `${stdout}\n${stderr}` }));
  });
}
const coredx = (args: string[], cwd = W, env = cleanEnv()) => run(process.execPath, [BIN, ...args], cwd, env);

describe('the packed package, installed into a fresh prefix', () => {
  const prefix = join(W, 'prefix');
  const packDir = join(W, 'pack');
  let tarball = '';
  let installed: ReturnType<typeof run>;
  const env = () => cleanEnv({ npm_config_userconfig: join(W, 'npmrc'), PATH: [join(prefix, 'bin'), cleanEnv().PATH].join(delimiter) });

  beforeAll(async () => {
    expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'build first (npm run build)').toBe(true);
    const cache = run('npm', ['config', 'get', 'cache']).stdout.trim();
    writeFileSync(join(W, 'npmrc'), `cache=${cache}\nprefer-offline=true\naudit=false\nfund=false\nupdate-notifier=false\n`);
    mkdirSync(packDir);
    // This checkout as it stands (built by `npm test`); the README's route runs `npm pack` with its build.
    const packed = await runAsync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], ROOT, env());
    expect(packed.code, packed.all).toBe(0);
    tarball = join(packDir, readdirSync(packDir).find((f) => /^coredx-.*\.tgz$/.test(f))!);
    installed = await runAsync('npm', ['install', '--global', '--ignore-scripts', '--prefix', prefix, tarball], W, env());
  }, 240_000);

  it('installs without warnings, the command on <prefix>/bin', () => {
    expect(installed.code, installed.all).toBe(0);
    expect(installed.all).not.toMatch(/npm warn/i);
    expect(run('bash', ['-c', 'command -v coredx'], W, env()).stdout.trim()).toBe(join(prefix, 'bin', 'coredx'));
  });

  it('carries the rules with their samples, not the repository samples or tests', () => {
    const files = run('tar', ['tzf', tarball]).stdout.split('\n');
    expect(files).toContain('package/rules/brpc/samples/gdb-live-brpc_reenact.txt');
    expect(files).toContain('package/rules/generic/samples/gdb-core-null_deref.txt');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files.some((f) => f.startsWith('package/test/') || f.startsWith('package/samples/'))).toBe(false);
  });

  it('coredx --help, analyze of a bundled sample, rules test and rules lint pass', () => {
    const e = env();
    const help = run('coredx', ['--help'], W, e);
    expect(help.code, help.all).toBe(0);
    expect(help.stdout).toMatch(/analyze/);
    const sample = join(prefix, 'lib', 'node_modules', 'coredx', 'rules', 'brpc', 'samples', 'gdb-live-brpc_reenact.txt');
    const analyzed = run('coredx', ['analyze', sample], W, e);
    expect(analyzed.code, analyzed.all).toBe(0);
    expect(analyzed.stdout).toContain('brpc/controller-destroyed-in-flight');
    const tested = run('coredx', ['rules', 'test'], W, e);
    expect(tested.code, tested.all).toBe(0);
    expect(tested.stdout).toMatch(/all passed/);
    expect(run('coredx', ['rules', 'lint'], W, e).code).toBe(0);
  });

  it('the hint of rules new names the installed command', () => {
    const r = run('coredx', ['rules', 'new', '--from', samplePath('gdb-core-threads.txt'), '--id', 'team/pool', '-o', 'hinted/team/pool.toml'], W, env());
    expect(r.code, r.all).toBe(0);
    expect(r.stderr).toContain('run `coredx rules test hinted/team`');
  });
});

describe('rule samples stay inside the rules folder', () => {
  const rule = (sample: string) => `id = "t/escape"\ntitle = "t"\ncategory = "other"\nseverity = "low"\n\n[when]\nsignal = ["SIGSEGV"]\n\n[diagnosis]\nsummary = "s"\nroot_cause = "r"\nremediation = ["x"]\n\n[[tests]]\nsample = ${JSON.stringify(sample)}\nmatch = true\n`;

  it.each([
    ['a path up and out', '../../../../../../../../../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a symlink in the pack pointing out', 'samples/link.txt'],
  ])('refuses %s, in rules test and rules lint, without reading it', (_, sample) => {
    const dir = mkdtempSync(join(W, 'rules-'));
    mkdirSync(join(dir, 't', 'samples'), { recursive: true });
    writeFileSync(join(dir, 't', 'escape.toml'), rule(sample));
    symlinkSync('/etc/passwd', join(dir, 't', 'samples', 'link.txt'));
    const tested = coredx(['rules', 'test', dir]);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain(`sample outside the rules folder: ${sample}`);
    expect(tested.all).not.toMatch(/root:/);
    const lint = coredx(['rules', 'lint', dir]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toMatch(/escape\.toml:15: sample outside the rules folder/);
  });

  it('accepts a sample in the pack folder and one elsewhere in the rules folder given', () => {
    const dir = mkdtempSync(join(W, 'rules-'));
    mkdirSync(join(dir, 't', 'samples'), { recursive: true });
    mkdirSync(join(dir, 'shared'));
    writeFileSync(join(dir, 't', 'samples', 'crash.txt'), readFileSync(samplePath('gdb-core-null_deref.txt')));
    writeFileSync(join(dir, 'shared', 'crash.txt'), readFileSync(samplePath('gdb-core-null_deref.txt')));
    writeFileSync(join(dir, 't', 'a.toml'), rule('samples/crash.txt'));
    writeFileSync(join(dir, 't', 'b.toml'), rule('../shared/crash.txt').replace('t/escape', 't/shared'));
    const tested = coredx(['rules', 'test', dir]);
    expect(tested.code, tested.all).toBe(0);
    expect(tested.stdout).toMatch(/2 rule\(s\), 2 test\(s\), all passed/);
  });
});

describe('rules new', () => {
  it('-o: the trace is copied beside the rule, the test points at it, the hint runs as printed', () => {
    const dir = mkdtempSync(join(W, 'new-'));
    const r = coredx(['rules', 'new', '--from', samplePath('gdb-core-threads.txt'), '--id', 'team/pool', '-o', 'rules/team/pool.toml'], dir);
    expect(r.code, r.all).toBe(0);
    expect(readFileSync(join(dir, 'rules', 'team', 'pool.toml'), 'utf8')).toMatch(/^sample = "samples\/gdb-core-threads\.txt"$/m);
    expect(readFileSync(join(dir, 'rules', 'team', 'samples', 'gdb-core-threads.txt'), 'utf8')).toBe(readFileSync(samplePath('gdb-core-threads.txt'), 'utf8'));
    // No `coredx` on PATH: the hint says how this one was run.
    const hint = /run `([^`]+)`/.exec(r.stderr)![1]!;
    expect(hint).toBe(`node ${BIN} rules test rules/team`);
    const again = run('bash', ['-c', hint], dir);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toMatch(/all passed/);
  });

  it('to stdout: the trace goes inline, so the skeleton works wherever it is saved', () => {
    const dir = mkdtempSync(join(W, 'new-'));
    const r = coredx(['rules', 'new', '--from', samplePath('gdb-core-threads.txt'), '--id', 'team/pool'], dir);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/^input = """$/m);
    expect(r.stdout).not.toMatch(/^sample =/m);
    mkdirSync(join(dir, 'elsewhere', 'team'), { recursive: true });
    writeFileSync(join(dir, 'elsewhere', 'team', 'pool.toml'), r.stdout);
    const tested = coredx(['rules', 'test', join(dir, 'elsewhere')], dir);
    expect(tested.code, tested.all).toBe(0);
  });
});

describe('small things', () => {
  it('progress says "1 crash" and "1 file", "2 crashes"', () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      let text = '';
      const stream = { isTTY: true, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
      const p = progressReporter(stream, true);
      p.update({ filesDone: 1, filesTotal: 1, bytesDone: 1e6, crashes: 1 });
      expect(text).toContain('1/1 file, 1.0 MB, 1 crash ');
      text = '';
      p.update({ filesDone: 2, filesTotal: 2, bytesDone: 2e6, crashes: 2 });
      expect(text).toContain('2/2 files, 2.0 MB, 2 crashes ');
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  it('a missing path is not "1 file found"', () => {
    const r = coredx(['scan', join(W, 'no-such-dir')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('0 files found (1 path not found), 0 scanned, 0 skipped; 0 crashes in 0 groups');
    expect(r.stdout).not.toMatch(/1 file found/);
  });

  it('a corrupt gzip file is named, and said to be corrupt gzip data', () => {
    const dir = mkdtempSync(join(W, 'gz-'));
    const file = join(dir, 'cut.log.gz');
    writeFileSync(file, Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]));
    const analyzed = coredx(['analyze', file]);
    expect(analyzed.code).toBe(2);
    expect(analyzed.stderr).toContain(`${file}: corrupt gzip data: unexpected end of file`);
    const scanned = coredx(['scan', dir]);
    expect(scanned.code).toBe(2);
    expect(scanned.stdout).toContain(`skipped ${file}: corrupt gzip data: unexpected end of file`);
  });

  it("SARIF's informationUri is package.json's homepage/repository, or left out", () => {
    const r = coredx(['scan', samplePath('gdb-core-null_deref.txt'), '-f', 'sarif']);
    const driver = JSON.parse(r.stdout).runs[0].tool.driver;
    const repo = typeof PKG.repository === 'string' ? PKG.repository : PKG.repository?.url;
    if (PKG.homepage || repo) expect(driver.informationUri).toMatch(/^https:\/\//);
    else expect(driver.informationUri).toBeUndefined();
    expect(JSON.stringify(driver)).not.toContain('github.com/coredx/coredx');
  });

  it('the packed tarball is gitignored; README documents --corpus and the esbuild install-script decision', () => {
    expect(run('git', ['check-ignore', '-q', `coredx-${PKG.version}.tgz`], ROOT).code).toBe(0);
    expect(README).toMatch(/npm run conformance -- --corpus DIR/);
    expect(PKG.allowScripts).toEqual({ esbuild: false });
    expect(README).toMatch(/allowScripts[\s\S]{0,200}esbuild/);
  });
});
