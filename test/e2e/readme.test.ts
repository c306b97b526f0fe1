// The README, tried as a new user would: its set-up, its install routes, its "Using it", rule and
// scan examples, and its GitHub Actions and GitLab CI recipes are extracted from README.md and run
// as written in a fresh clone of this checkout (committed HEAD), with the installed `coredx`.
// Replaced: the repository URL by that clone's origin (this checkout), COMMIT by its HEAD, the CI's
// paths ($RUNNER_TEMP, $GITHUB_PATH, $GITHUB_STEP_SUMMARY, $COREDX_DIR) by temporary ones; left out:
// `uses:` steps (checkout, artifact download/upload, SARIF upload), `apt-get` lines, `npm test`,
// and examples that need a debugger, a core or a terminal. npm works against the local cache
// (--prefer-offline) and a private user config whose global prefix is a temporary folder.
// A recipe that breaks (a command not found, a missing report) breaks this test.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePath } from '../support/samples.js';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const HEAD = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const TIMEOUT = 240_000;

// ---- README extraction ----

/** The text under a heading, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => l === heading || l.startsWith(`${heading} `));
  if (start < 0) throw new Error(`README has no heading "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  let fenced = false; // a `# comment` in a code block is no heading
  const end = lines.findIndex((l, i) => {
    if (l.startsWith('```')) fenced = !fenced;
    return i > start && !fenced && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level;
  });
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

/** Shell lines of a block: comments and blank lines dropped, optional `[ARG...]` placeholders left out. */
function shLines(block: string): string[] {
  return block
    .split('\n')
    .map((l) => l.replace(/(^|\s+)#(\s.*)?$/, '').replace(/\s*\[[A-Z.]+\]/g, '').trim())
    .filter(Boolean);
}

interface Step {
  run?: string;
  uses?: string;
  always: boolean;
}

/** The steps of the GitHub recipe's `crash-report` job. */
function githubSteps(yaml: string): Step[] {
  const lines = yaml.slice(yaml.indexOf('\n  crash-report:\n')).split('\n');
  const from = lines.findIndex((l) => l === '    steps:');
  const steps: Step[] = [];
  let cur: Step | null = null;
  for (let i = from + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    const item = /^ {6}- (.*)$/.exec(l);
    const more = /^ {8}(\S.*)$/.exec(l);
    if (!item && !more) break;
    if (item) steps.push((cur = { always: false }));
    const kv = /^([\w-]+):\s*(.*)$/.exec((item ?? more)![1]!);
    if (!kv || !cur) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (key === 'if') cur.always = value.includes('always()');
    if (key === 'uses') cur.uses = value;
    if (key === 'run' && value === '|') {
      const body: string[] = [];
      while (i + 1 < lines.length && (/^ {10}/.test(lines[i + 1]!) || lines[i + 1] === '')) body.push(lines[++i]!.slice(10));
      cur.run = body.join('\n').trim();
    } else if (key === 'run') cur.run = value.replace(/\s+#\s.*$/, '');
  }
  return steps;
}

/** The GitLab recipe's `crash-report` job: its variables and script lines. */
function gitlabJob(yaml: string): { variables: Record<string, string>; script: string[] } {
  const lines = yaml.slice(yaml.indexOf('\ncrash-report:\n') + 1).split('\n').slice(1);
  const end = lines.findIndex((l) => /^\S/.test(l));
  const job = lines.slice(0, end < 0 ? undefined : end);
  const variables: Record<string, string> = {};
  const script: string[] = [];
  let key = '';
  for (const l of job) {
    const top = /^ {2}(\w+):/.exec(l);
    if (top) key = top[1]!;
    else if (key === 'variables' && /^ {4}\w+:/.test(l)) {
      const [, k, v] = /^ {4}(\w+):\s*(.*?)(\s+#.*)?$/.exec(l)!;
      variables[k!] = v!;
    } else if (key === 'script' && /^ {4}- /.test(l)) script.push(l.slice(6).replace(/\s+#\s.*$/, ''));
  }
  return { variables, script };
}

// ---- running ----

interface Ran {
  ms: number;
  cmd: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, cwd: string, env: NodeJS.ProcessEnv, args: string[] = ['-c', cmd]): Promise<Ran> {
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn('bash', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: TIMEOUT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      timings.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${cmd.split('\n')[0]}`);
      done({ ms: Date.now() - t0, cmd, code, stdout, stderr });
    });
  });
}

const timings: string[] = [];
const show = (r: Ran) => `$ ${r.cmd}\n(exit ${r.code})\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;

const W = realpathSync(mkdtempSync(join(tmpdir(), 'coredx-readme-')));
const GLOBAL = join(W, 'global'); // `npm link` / `npm install --global` land here (the private npmrc's prefix)

/** Environment of a new user's shell: no npm_* of a parent npm run, no CI variables, coredx nowhere on PATH but where installed. */
function baseEnv(extra: Record<string, string>, pathFront: string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NPM_|INIT_CWD$|GITHUB_|RUNNER_|GITLAB_|CI$|CI_|COREDX|NO_COLOR$|FORCE_COLOR$|COLUMNS$)/.test(k)) continue;
    env[k] = v;
  }
  const path = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'coredx')));
  return { ...env, ...extra, npm_config_userconfig: join(W, 'npmrc'), PATH: [...pathFront, dirname(process.execPath), ...path].join(delimiter) };
}

/** A CI log holding a gdb backtrace (the brpc re-enactment), with timestamps, as an artifact. */
function artifactLog(): string {
  const stamp = (l: string) => `2025-01-02T03:04:05.1234567Z ${l}`;
  const trace = readFileSync(samplePath('gdb-live-brpc_reenact.txt'), 'utf8').split('\n');
  return [stamp('[ RUN      ] ClientTest.FanOut'), ...trace.map(stamp), stamp('[  FAILED  ] ClientTest.FanOut'), ''].join('\n');
}

function writeArtifacts(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'client_test.log'), artifactLog());
  writeFileSync(join(dir, 'passing_test.log'), 'all good\n');
}

let setup: Ran[] = [];
let linked: Ran | null = null;
let examples: Ran[] = [];
let install: Ran[] = [];
let github: { step: Step; ran?: Ran }[] = [];
let gitlab: { ran: Ran; lastStep: number; script: string[] } | null = null;
const GH = join(W, 'gh');
const GL = join(W, 'gl');
const WORK = join(W, 'work');
const HOME = join(W, 'home');

async function setupAndExamples(): Promise<void> {
  const clone = join(W, 'coredx');
  const env = baseEnv({}, [join(GLOBAL, 'bin')]);
  const cloned = await sh(`git clone --quiet ${JSON.stringify(ROOT)} ${JSON.stringify(clone)}`, W, env);
  if (cloned.code !== 0) throw new Error(show(cloned));
  // Set-up (fresh machine), as written, but `npm test` (this is part of it).
  for (const cmd of shLines(blocks(section('## Set-up (fresh machine)'), 'sh')[0]!)) {
    if (cmd === 'npm test') continue;
    const r = await sh(cmd, clone, env);
    setup.push(r);
    if (r.code !== 0) return;
  }
  linked = await sh('command -v coredx && readlink -f "$(command -v coredx)"', clone, env);
  // "Using it", rule commands and scan examples, in a folder of the user's files.
  mkdirSync(WORK, { recursive: true });
  copyFileSync(samplePath('gdb-core-null_deref.txt'), join(WORK, 'crash.txt'));
  writeFileSync(join(WORK, 'ci-log.txt'), artifactLog());
  writeFileSync(join(WORK, 'other.log.gz'), gzipSync(readFileSync(samplePath('lldb-core-double_free.txt'))));
  for (const d of ['test-output', 'artifacts', 'out']) writeArtifacts(join(WORK, d));
  mkdirSync(join(WORK, 'core-dumps'));
  // A report from the default branch, for the --baseline example; the other machines' shards, for merge.
  examples.push(await sh('coredx scan out/ --fail-on none -f json=main.json', WORK, env));
  for (const n of [1, 3, 4]) examples.push(await sh(`coredx scan out/ --fail-on none --shard ${n}/4 -f json=part-${n}.json`, WORK, env));
  const team = await sh('coredx rules new --from crash.txt --id team/null-in-worker -o team-rules/team/null-in-worker.toml', WORK, env);
  examples.push(team);
  const using = blocks(section('## Using it'), 'sh')[0]!;
  const rules = blocks(section('### Rule commands'), 'sh')[0]!;
  const scan = blocks(section('## Scanning CI artifacts: `coredx scan`'), 'sh')[0]!;
  for (const cmd of [...shLines(using), ...shLines(rules), ...shLines(scan)]) {
    // Needs a debugger and a core, or a terminal to paste into.
    if (/^(gdb|lldb) /.test(cmd) || cmd === 'coredx analyze') continue;
    examples.push(await sh(cmd, WORK, env));
  }
  // The hint `rules new` printed, run as printed.
  const hint = /run `([^`]+)`/.exec(examples.find((r) => r.cmd.includes('rules new --from crash.txt --id team/cache-teardown'))?.stderr ?? '')?.[1];
  if (hint) examples.push(await sh(hint, WORK, env));
}

async function installRoutes(): Promise<void> {
  // The "Installing" routes, in the set-up's clone (`npm install` there is then quick).
  const clone = join(W, 'coredx');
  const env = baseEnv({ HOME }, [join(HOME, '.local', 'bin'), join(GLOBAL, 'bin')]);
  mkdirSync(HOME, { recursive: true });
  const block = blocks(section('## Installing'), 'sh')[0]!;
  // Route 1 is the set-up's link (run there); route 2 installs a packed copy under $HOME/.local.
  const route2 = block.slice(block.indexOf('# 2.'));
  for (const cmd of shLines(route2)) {
    const r = await sh(cmd, clone, env);
    install.push(r);
    if (r.code !== 0) return;
  }
  // The clone is moved away: what runs now is the installed copy alone.
  renameSync(clone, `${clone}-moved`);
  const sample = join(HOME, '.local', 'lib', 'node_modules', 'coredx', 'rules', 'brpc', 'samples', 'gdb-live-brpc_reenact.txt');
  for (const cmd of ['command -v coredx', 'coredx --help', `coredx analyze ${sample}`, 'coredx rules test', 'coredx rules lint']) install.push(await sh(cmd, HOME, env));
}

async function githubRecipe(): Promise<void> {
  const yaml = blocks(section('### GitHub Actions'), 'yaml')[0]!;
  const workspace = join(GH, 'workspace');
  const runnerTemp = join(GH, 'runner-temp');
  mkdirSync(runnerTemp, { recursive: true });
  writeArtifacts(join(workspace, 'artifacts')); // what actions/download-artifact leaves
  const files = { GITHUB_PATH: join(GH, 'github-path'), GITHUB_ENV: join(GH, 'github-env'), GITHUB_STEP_SUMMARY: join(GH, 'step-summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const vars = { ...files, RUNNER_TEMP: runnerTemp, GITHUB_WORKSPACE: workspace, GITHUB_ACTIONS: 'true', CI: 'true' };
  let failed = false;
  github = githubSteps(yaml).map((step) => ({ step }));
  for (const s of github) {
    if (!s.step.run || (failed && !s.step.always)) continue;
    if (/apt-get/.test(s.step.run)) continue;
    const script = s.step.run.replaceAll('https://github.com/YOUR-ORG/coredx.git', ROOT).replace(/\bCOMMIT\b/g, HEAD);
    const extraPath = readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean).reverse();
    const file = join(GH, `step-${github.indexOf(s)}.sh`);
    writeFileSync(file, `${script}\n`);
    // GitHub's default shell for run steps: bash --noprofile --norc -eo pipefail {0}
    s.ran = await sh(script, workspace, baseEnv(vars, extraPath), ['--noprofile', '--norc', '-eo', 'pipefail', file]);
    if (s.ran.code !== 0) failed = true;
  }
}

async function gitlabRecipe(): Promise<void> {
  const yaml = blocks(section('### GitLab CI'), 'yaml')[0]!;
  const { variables, script } = gitlabJob(yaml);
  const project = join(GL, 'project');
  writeArtifacts(join(project, 'artifacts')); // the test job's artifacts
  const vars = { ...variables, COREDX_DIR: join(GL, 'opt', 'coredx'), CI: 'true', GITLAB_CI: 'true', CI_PROJECT_DIR: project };
  const lines = script.map((l) => l.replaceAll('https://gitlab.example.com/YOUR-GROUP/coredx.git', ROOT).replace(/\bCOMMIT\b/g, HEAD));
  // One shell for the whole script, stopping at the first failing line, as GitLab's runner does.
  const body = ['set -eo pipefail', ...lines.flatMap((l, i) => [`echo "__STEP ${i}" >&2`, l]), 'echo "__STEP done" >&2'].join('\n');
  const file = join(GL, 'script.sh');
  writeFileSync(file, `${body}\n`);
  const ran = await sh(lines.join(' && '), project, baseEnv(vars), [file]);
  const steps = [...ran.stderr.matchAll(/^__STEP (\d+|done)$/gm)].map((m) => m[1]!);
  gitlab = { ran, lastStep: steps.at(-1) === 'done' ? lines.length : Number(steps.at(-1)), script: lines };
}

beforeAll(async () => {
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(W, 'npmrc'), [`prefix=${GLOBAL}`, `cache=${cache}`, 'prefer-offline=true', 'audit=false', 'fund=false', 'update-notifier=false', ''].join('\n'));
  const local = async () => {
    await setupAndExamples();
    if (setup.length === 1 && setup.every((r) => r.code === 0)) await installRoutes();
  };
  await Promise.all([local(), githubRecipe(), gitlabRecipe()]);
}, 2 * TIMEOUT);

afterAll(() => {
  if (process.env.COREDX_README_TIMINGS) console.log(timings.join('\n'));
  rmSync(W, { recursive: true, force: true });
});

function checkSarif(file: string): void {
  expect(existsSync(file), file).toBe(true);
  const sarif = JSON.parse(readFileSync(file, 'utf8'));
  expect(sarif.version).toBe('2.1.0');
  expect(sarif.runs[0].results.length).toBeGreaterThan(0);
  expect(sarif.runs[0].results[0].ruleId).toBe('brpc/controller-destroyed-in-flight');
}

function checkJunit(file: string): void {
  expect(existsSync(file), file).toBe(true);
  const xml = readFileSync(file, 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
  expect(JSON.stringify(doc)).toContain('failure');
}

describe('README, run as written', () => {
  it('set-up: npm install builds, npm link puts coredx on PATH, the sample is diagnosed; no install-scripts warning', () => {
    // One command installs, links and runs the main job on a bundled sample (the other is `npm test`).
    expect(setup.length).toBe(1);
    for (const r of setup) expect(r.code, show(r)).toBe(0);
    expect(setup[0]!.stdout + setup[0]!.stderr).not.toMatch(/install-scripts|npm warn/i);
    expect(linked!.stdout.split('\n')).toEqual([join(GLOBAL, 'bin', 'coredx'), join(W, 'coredx', 'bin', 'coredx.js'), '']);
    expect(setup[0]!.stdout).toContain('brpc/controller-destroyed-in-flight');
  });

  it('"Using it", rule commands and scan examples work with the installed coredx', () => {
    const byCmd = (re: RegExp) => examples.filter((r) => re.test(r.cmd));
    expect(byCmd(/^coredx analyze/).length).toBeGreaterThanOrEqual(6);
    expect(byCmd(/^coredx rules /).length).toBeGreaterThanOrEqual(6);
    expect(byCmd(/^coredx scan /).length).toBeGreaterThanOrEqual(4);
    for (const r of examples) {
      // A scan that finds a crash exits 1 (the CI gate; 0 under --fail-on none, a baseline that knows
      // the crash, or a shard without it); everything else 0. Never 2 (unreadable, bad usage) or 127.
      if (/^coredx (scan|merge) /.test(r.cmd)) expect([0, 1], show(r)).toContain(r.code);
      else expect(r.code, show(r)).toBe(0);
      expect(r.stderr, show(r)).not.toMatch(/command not found|rule problem/);
    }
    for (const r of byCmd(/^coredx scan (test-output\/|'artifacts|out\/ -f|out\/ --fail-on critical)/)) expect(r.code, show(r)).toBe(1);
    expect(byCmd(/^coredx analyze ci-log\.txt other\.log\.gz/)[0]!.stdout).toMatch(/ci-log\.txt:\d+[\s\S]*other\.log\.gz:\d+/);
    expect(JSON.parse(byCmd(/--format json/)[0]!.stdout).reports[0].signal).toBe('SIGSEGV');
    for (const f of ['coredx.sarif', 'coredx-junit.xml', 'summary.md']) expect(existsSync(join(WORK, f)), f).toBe(true);
    checkSarif(join(WORK, 'coredx.sarif'));
    checkJunit(join(WORK, 'coredx-junit.xml'));
  });

  it('rules new: the sample goes beside the rule, and the printed hint runs as printed', () => {
    const made = examples.find((r) => r.cmd.includes('--id team/cache-teardown'))!;
    expect(made.stderr).toContain('`coredx rules test rules/team`');
    expect(existsSync(join(WORK, 'rules', 'team', 'samples', 'crash.txt'))).toBe(true);
    expect(readFileSync(join(WORK, 'rules', 'team', 'cache-teardown.toml'), 'utf8')).toContain('sample = "samples/crash.txt"');
    const hint = examples.at(-1)!;
    expect(hint.cmd).toBe('coredx rules test rules/team');
    expect(hint.code, show(hint)).toBe(0);
    expect(hint.stdout).toMatch(/1 rule\(s\), 1 test\(s\), all passed/);
  });

  it('install route 2: npm pack, then npm install --global --prefix: the copy runs alone and passes its own rule tests', () => {
    expect(install.length).toBeGreaterThanOrEqual(7);
    for (const r of install) expect(r.code, show(r)).toBe(0);
    for (const r of install.slice(0, 2)) expect(r.stdout + r.stderr, show(r)).not.toMatch(/npm warn/i);
    expect(install.find((r) => r.cmd === 'command -v coredx')!.stdout.trim()).toBe(join(HOME, '.local', 'bin', 'coredx'));
    expect(install.find((r) => r.cmd === 'coredx --help')!.stdout).toMatch(/analyze/);
    expect(install.find((r) => r.cmd.startsWith('coredx analyze'))!.stdout).toContain('brpc/controller-destroyed-in-flight');
    expect(install.find((r) => r.cmd === 'coredx rules test')!.stdout).toMatch(/all passed/);
  });

  it('the GitHub Actions recipe: installs coredx on PATH, scans, writes the reports and the step summary', () => {
    const ran = github.filter((s) => s.ran);
    const installStep = ran.find((s) => s.step.run!.includes('git clone'))!;
    expect(installStep.ran!.code, show(installStep.ran!)).toBe(0);
    const scan = ran.find((s) => s.step.run!.startsWith('coredx scan'))!;
    expect(scan.ran!.code, show(scan.ran!)).toBe(1); // found the crash: the gate fails the job
    expect(scan.ran!.stdout).toMatch(/^::error /m);
    const summary = ran.find((s) => s.step.run!.includes('GITHUB_STEP_SUMMARY'))!;
    expect(summary.ran!.code, show(summary.ran!)).toBe(0);
    expect(readFileSync(join(GH, 'step-summary.md'), 'utf8')).toContain('Controller destroyed');
    checkSarif(join(GH, 'workspace', 'coredx.sarif'));
    checkJunit(join(GH, 'workspace', 'coredx-junit.xml'));
    expect(github.some((s) => s.step.uses?.startsWith('github/codeql-action/upload-sarif'))).toBe(true);
  });

  it('the GitLab CI recipe: installs coredx on PATH, scans, writes the JUnit report and the SARIF', () => {
    const g = gitlab!;
    const scanLine = g.script.findIndex((l) => l.startsWith('coredx scan'));
    expect(scanLine).toBeGreaterThan(0);
    expect(g.lastStep, show(g.ran)).toBe(scanLine); // every line before the scan passed
    expect(g.ran.code, show(g.ran)).toBe(1); // the scan found the crash
    expect(g.ran.stderr).not.toMatch(/command not found/);
    checkJunit(join(GL, 'project', 'coredx-junit.xml'));
    checkSarif(join(GL, 'project', 'coredx.sarif'));
  });
});
