// The `coredx` command inside the real gdb and lldb (debugger/coredx-gdb.py, debugger/coredx_lldb.py),
// loaded with the line `coredx debugger-setup` prints, on the project's own crashing programs: live
// (run until the crash, then `coredx`) and on a core written by gdb, with symbols (null_deref,
// threads) and without (stripped). Checked: the diagnosis text, `coredx --json` (signal, fault
// address, first meaningful frame), `coredx --explain`, and that the debugger's state is what it
// was: the selected thread and frame, gdb's settings, gdb's value history.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyzeResult, Report } from '../../src/model.js';
import { setupLine as lineFor } from '../../src/cli/debugger-setup.js';
import { buildProgram, haveCompiler, haveGdb, haveLldb, lldbEnv, makeCore } from '../support/debuggers.js';
import { tempDir } from '../support/tmp.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'coredx.js');
const TIMEOUT_MS = 120_000;

interface Run {
  output: string;
  status: number | null;
}

/**
 * A command with stdout and stderr in one stream, in the order written (as on a terminal). Run
 * asynchronously: a debugger session takes seconds, and a test worker blocked that long misses
 * vitest's messages.
 */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `${quoted} 2>&1`], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      // The analyzer is this Node; lldb imports the module without writing __pycache__ into debugger/.
      env: { ...process.env, COREDX_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1', ...env },
      detached: true,
    });
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => chunks.push(b));
    // The debugger and what it started (the program, the analyzer) go together at the limit.
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, TIMEOUT_MS);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ output: Buffer.concat(chunks).toString('utf8'), status });
    });
  });
}

const setup = (name: 'gdb' | 'lldb', env: NodeJS.ProcessEnv = {}, extra: string[] = []) => run([process.execPath, BIN, 'debugger-setup', name, ...extra], ROOT, env);
const lines: Partial<Record<'gdb' | 'lldb', string>> = {};
/** The init-file line `coredx debugger-setup` prints, as a user would paste it. */
const setupLine = async (name: 'gdb' | 'lldb') => (lines[name] ??= (await setup(name)).output.split('\n')[0]!);

const GDB_BASE = ['-q', '-batch', '-nx', '-iex', 'set debuginfod enabled off'];

/**
 * gdb with the `coredx` command, running `commands` (after `run` when live); returns each
 * command's output, split at `echo` markers.
 */
async function gdb(dir: string, target: string[], commands: string[], live: boolean, env: NodeJS.ProcessEnv = {}): Promise<{ sections: string[]; output: string }> {
  const ex = commands.flatMap((c, i) => ['-ex', `echo \\n@@${i}@@\\n`, '-ex', c]);
  const r = await run(['gdb', ...GDB_BASE, '-ex', await setupLine('gdb'), ...(live ? ['-ex', 'run'] : []), ...ex, '-ex', `echo \\n@@${commands.length}@@\\n`, ...target], dir, env);
  return { sections: split(r.output, commands.length), output: r.output };
}

/**
 * lldb with the `coredx` command. Live, the commands follow `run` both as -o (lldb goes on after
 * the stop) and -k (batch mode stops at the crash): which happens varies, so each command's output
 * is taken after the last copy of its marker.
 */
async function lldb(dir: string, target: string[], commands: string[], live: boolean, env: NodeJS.ProcessEnv = {}): Promise<{ sections: string[]; output: string }> {
  const seq = [...commands.flatMap((c, i) => [`script print("@@${i}@@")`, c]), `script print("@@${commands.length}@@")`];
  const args = live ? ['-o', 'run', ...seq.flatMap((c) => ['-o', c]), ...seq.flatMap((c) => ['-k', c])] : seq.flatMap((c) => ['-o', c]);
  const r = await run(['lldb', '--batch', '--no-lldbinit', '-o', await setupLine('lldb'), ...target, ...args], dir, { ...lldbEnv(), ...env });
  return { sections: split(r.output, commands.length), output: r.output };
}

/**
 * The one line `thread info` / `frame info` answers with. lldb may print a process event (the
 * selected thread's status after `thread select`, on a core) late, inside the next command's section;
 * what the tests compare is the selection, so they read that line, not the whole section.
 */
const threadLine = (x: string) => /^thread #\d+: .*$/m.exec(x)?.[0];
const frameLine = (x: string) => /^frame #\d+: .*$/m.exec(x)?.[0];

function split(output: string, n: number): string[] {
  const lines = output.split('\n');
  const sections: string[] = [];
  for (let i = 0; i < n; i++) {
    let from = -1;
    for (let j = lines.length - 1; j >= 0; j--) if (lines[j] === `@@${i}@@`) { from = j; break; }
    if (from < 0) throw new Error(`no output for command ${i}:\n${output.slice(-3000)}`);
    let to = lines.findIndex((l, j) => j > from && l === `@@${i + 1}@@`);
    if (to < 0) to = lines.length;
    // lldb echoes each command: the next marker's echo is no part of this command's output.
    sections.push(lines.slice(from + 1, to).filter((l) => !/^\(lldb\) script print\("@@\d+@@"\)$/.test(l)).join('\n'));
  }
  return sections;
}

/** The report `coredx --json` printed (lldb echoes the command line first). */
function jsonReport(section: string): Report {
  const start = section.indexOf('{\n');
  const end = section.lastIndexOf('\n}');
  expect(start, section.slice(0, 2000)).toBeGreaterThanOrEqual(0);
  const result = JSON.parse(section.slice(start, end + 2)) as AnalyzeResult;
  expect(result.reports).toHaveLength(1);
  return result.reports[0]!;
}

/** The three programs built, each with a core gdb wrote at the crash; the worker breathes between steps. */
async function buildWithCores(dir: string, cores: Record<string, string>): Promise<void> {
  for (const p of ['null_deref', 'threads', 'stripped']) {
    const bin = buildProgram(p, dir);
    await new Promise((r) => setImmediate(r));
    cores[p] = makeCore(bin, dir);
    await new Promise((r) => setImmediate(r));
  }
}

const NULL_DEREF = 'Null pointer dereference [generic/null-deref';
const EXPLAIN = 'Explain: rules that came closest';

const problems = [haveCompiler(), haveGdb()].filter((p) => !p.ok);
if (problems.length) console.log(`skipping the gdb coredx command tests: ${problems.map((p) => p.reason).join('; ')}`);
const lldbOk = problems.length === 0 ? haveLldb() : { ok: false, reason: problems.map((p) => p.reason).join('; ') };
if (!lldbOk.ok) console.log(`skipping the lldb coredx command tests: ${lldbOk.reason}`);

describe('coredx debugger-setup', () => {
  it('prints the line for ~/.gdbinit and ~/.lldbinit, naming the shipped scripts by absolute path', async () => {
    const g = await setupLine('gdb');
    expect(g).toMatch(/^source \/.*\/debugger\/coredx-gdb\.py$/);
    expect(existsSync(g.slice('source '.length))).toBe(true);
    const l = await setupLine('lldb');
    expect(l).toMatch(/^command script import \/.*\/debugger\/coredx_lldb\.py$/);
    const path = l.slice('command script import '.length);
    expect(isAbsolute(path) && existsSync(path)).toBe(true);
    // The scripts find bin/coredx.js beside their folder.
    expect(existsSync(join(dirname(dirname(path)), 'bin', 'coredx.js'))).toBe(true);
  });

  it('the package carries both scripts (package.json files), and no __pycache__', async () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT_MS });
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).filter((p) => p.startsWith('debugger/'));
    expect(files.sort()).toEqual(['debugger/coredx-gdb.py', 'debugger/coredx_lldb.py']);
  });

  it('a path with spaces: as is for gdb (`source` takes the rest of the line), quoted for lldb', () => {
    expect(lineFor('gdb', '/opt/my tools/coredx/debugger/coredx-gdb.py')).toBe('source /opt/my tools/coredx/debugger/coredx-gdb.py');
    expect(lineFor('lldb', '/opt/my tools/coredx/debugger/coredx_lldb.py')).toBe('command script import "/opt/my tools/coredx/debugger/coredx_lldb.py"');
  });

  it('refuses an unknown debugger with exit 2', async () => {
    const r = await setup('windbg' as 'gdb');
    expect(r.status).toBe(2);
    expect(r.output).toContain('unknown debugger "windbg" (expected gdb or lldb)');
  });

  it('--install appends the line to the init file once', async () => {
    const home = tempDir('dbgsetup-home');
    writeFileSync(join(home, '.gdbinit'), 'set history save on');
    const first = await setup('gdb', { HOME: home }, ['--install']);
    expect(first.status).toBe(0);
    expect(first.output).toContain(`added to ${join(home, '.gdbinit')}: source `);
    const again = await setup('gdb', { HOME: home }, ['--install']);
    expect(again.output).toContain('already has: source ');
    expect(readFileSync(join(home, '.gdbinit'), 'utf8')).toBe(`set history save on\n${await setupLine('gdb')}\n`);
  });
});

describe.skipIf(problems.length > 0)('coredx inside gdb', () => {
  let dir = '';
  const cores: Record<string, string> = {};
  beforeAll(async () => {
    dir = tempDir('dbgcmd-gdb');
    await buildWithCores(dir, cores);
  });

  it('live: the diagnosis, --json and --explain; frame, settings and value history unchanged', async () => {
    const state = ['frame', 'show pagination', 'show confirm', 'show height', 'show print pretty', 'p 42'];
    const { sections: s } = await gdb(dir, ['./null_deref'], ['set print pretty on', 'frame 1', ...state, 'coredx', ...state, 'coredx --json', 'coredx --explain', 'frame', 'p 43'], true);
    const before = s.slice(2, 8);
    const after = s.slice(9, 15);
    expect(before[0]).toMatch(/^#1 {2}0x[0-9a-f]+ in load_config /m);
    // The same thread and frame, the same settings; `p 42` is $1 both times only if coredx added no value.
    expect(after.slice(0, 5)).toEqual(before.slice(0, 5));
    expect(before[5]).toContain('$1 = 42');
    expect(after[5]).toContain('$2 = 42');
    const text = s[8]!;
    expect(text).toContain(NULL_DEREF);
    expect(text).toContain('SIGSEGV (Segmentation fault) at address 0x0');
    expect(text).toMatch(/#0 +apply_config at null_deref\.c:8 +<- first meaningful frame/);
    const r = jsonReport(s[15]!);
    expect(r.format).toBe('gdb');
    expect(r.signal).toBe('SIGSEGV');
    expect(r.faultAddress).toBe('0x0');
    expect(r.crashedThreadReason).toBe('only-thread');
    expect(r.signatureFrames[0]).toBe('apply_config');
    expect(r.threads[0]!.frames[1]!.locals).toEqual(['cfg = 0x0']); // bt full
    expect(r.diagnoses[0]!.ruleId).toBe('generic/null-deref');
    expect(s[16]).toContain(EXPLAIN);
    expect(s[16]).toContain(NULL_DEREF);
    expect(s[17]).toMatch(/^#1 {2}0x[0-9a-f]+ in load_config /m);
    expect(s[18]).toContain('$3 = 43');
  });

  it('on a core: the diagnosis and --json; the selected frame unchanged', async () => {
    const { sections: s } = await gdb(dir, ['./null_deref', cores.null_deref!], ['frame 1', 'coredx', 'frame', 'coredx --json', 'coredx --raw'], false);
    expect(s[1]).toContain(NULL_DEREF);
    expect(s[2]).toMatch(/^#1 {2}0x[0-9a-f]+ in load_config /m);
    const r = jsonReport(s[3]!);
    expect([r.signal, r.faultAddress, r.signatureFrames[0], r.crashedThreadReason]).toEqual(['SIGSEGV', '0x0', 'apply_config', 'current-thread']);
    expect(r.program).toContain('null_deref');
    // What is analyzed reads like a pasted core session.
    expect(s[4]).toMatch(/^Core was generated by `.*null_deref'\.$/m);
    expect(s[4]).toMatch(/^Program terminated with signal SIGSEGV, Segmentation fault\.\n\[Current thread is 1 \(.*\)\]$/m);
    expect(s[4]).toMatch(/^From +To +Syms Read +Shared Object Library$/m);
    expect(s[4]).toMatch(/^\$1 = \{si_addr = 0x0, /m);
  });

  it('threads, live: `thread 2` + `frame 1` stay selected; the crashed thread is diagnosed', async () => {
    const { sections: s } = await gdb(dir, ['./threads'], ['thread 2', 'frame 1', 'thread', 'coredx', 'thread', 'frame', 'coredx --json', 'thread', 'coredx --raw'], true);
    expect(s[2]).toMatch(/^\[Current thread is 2 /m);
    expect(s[3]).toContain(NULL_DEREF);
    expect(s[3]).toMatch(/Thread 4 "crasher" .*\(the thread that received the\s+signal/);
    expect(s[4]).toBe(s[2]);
    expect(s[5]).toMatch(/^#1 {2}/m);
    const r = jsonReport(s[6]!);
    expect([r.signal, r.faultAddress, r.signatureFrames[0], r.crashedThreadReason]).toEqual(['SIGSEGV', '0x0', 'pool::run_job', 'received-signal']);
    expect(r.threads).toHaveLength(4);
    expect(r.threads[r.crashedThread!]!.name).toBe('crasher');
    expect(s[7]).toBe(s[2]);
    expect(s[8]).toMatch(/^Thread 4 "crasher" received signal SIGSEGV, Segmentation fault\.$/m);
  });

  it('threads, on a core: `thread 3` stays selected', async () => {
    const { sections: s } = await gdb(dir, ['./threads', cores.threads!], ['thread 3', 'thread', 'coredx --json', 'thread'], false);
    expect(s[1]).toMatch(/^\[Current thread is 3 /m);
    const r = jsonReport(s[2]!);
    expect([r.signal, r.signatureFrames[0], r.crashedThreadReason]).toEqual(['SIGSEGV', 'pool::run_job', 'current-thread']);
    expect(r.threads).toHaveLength(4);
    expect(s[3]).toBe(s[1]);
  });

  it('without symbols (stripped), live and on a core', async () => {
    for (const [target, live] of [[['./stripped'], true], [['./stripped', cores.stripped!], false]] as const) {
      const { sections: s } = await gdb(dir, [...target], ['coredx', 'coredx --json'], live);
      expect(s[0]).toContain(NULL_DEREF); // fault address 0x3: a member of a null pointer
      const r = jsonReport(s[1]!);
      expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x3']);
      expect(r.signatureFrames).toEqual([]); // no symbol for the program's own code
      expect(r.threads[r.crashedThread!]!.frames[0]!.address).toMatch(/^0x[0-9a-f]+$/);
    }
  });

  it('says what is wrong: no process, a bad argument, no node', async () => {
    const { sections: s } = await gdb(dir, ['./null_deref'], ['coredx', 'run', 'coredx --bogus', 'coredx --help'], false);
    expect(s[0]).toContain('coredx: no process or core to analyze');
    expect(s[2]).toContain("coredx: unknown argument '--bogus'");
    expect(s[3]).toContain('usage: coredx [--json] [--explain]');
    const missing = await gdb(dir, ['./null_deref'], ['coredx'], true, { COREDX_NODE: join(dir, 'no-such-node') });
    expect(missing.sections[0]).toContain('coredx: cannot run');
    expect(missing.sections[0]).toContain('set COREDX_NODE');
  });

  it('finds node on PATH, and loads from ~/.gdbinit as `coredx debugger-setup gdb --install` writes it', async () => {
    const home = tempDir('dbgcmd-home');
    expect((await setup('gdb', { HOME: home }, ['--install'])).status).toBe(0);
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    const r = await run(['gdb', '-q', '-batch', '-iex', 'set debuginfod enabled off', '-ex', 'run', '-ex', 'coredx', './null_deref'], dir, { HOME: home, COREDX_NODE: '', PATH: path });
    expect(r.output).toContain(NULL_DEREF);
  });
});

describe.skipIf(!lldbOk.ok)('coredx inside lldb', () => {
  let dir = '';
  const cores: Record<string, string> = {};
  beforeAll(async () => {
    dir = tempDir('dbgcmd-lldb');
    await buildWithCores(dir, cores);
  });

  it('live: the diagnosis, --json and --explain; the selected frame unchanged', async () => {
    const { sections: s } = await lldb(dir, ['./null_deref'], ['frame select 1', 'frame info', 'coredx', 'frame info', 'coredx --json', 'coredx --explain', 'frame info'], true);
    expect(frameLine(s[1]!)).toMatch(/^frame #1: .*load_config/);
    expect(s[2]).toContain(NULL_DEREF);
    expect(frameLine(s[3]!)).toBe(frameLine(s[1]!));
    const r = jsonReport(s[4]!);
    expect(r.format).toBe('lldb');
    expect([r.signal, r.faultAddress, r.signatureFrames[0], r.crashedThreadReason]).toEqual(['SIGSEGV', '0x0', 'apply_config', 'stop-reason']);
    expect(r.program).toContain('null_deref');
    expect(s[5]).toContain(EXPLAIN);
    expect(frameLine(s[6]!)).toBe(frameLine(s[1]!));
  });

  it("on a core: the fault address from the core's siginfo (lldb 14 does not print it)", async () => {
    const { sections: s } = await lldb(dir, ['-c', cores.null_deref!, './null_deref'], ['frame select 1', 'coredx', 'coredx --json', 'frame info', 'coredx --raw'], false);
    expect(s[1]).toContain(NULL_DEREF);
    const r = jsonReport(s[2]!);
    expect([r.signal, r.faultAddress, r.signatureFrames[0]]).toEqual(['SIGSEGV', '0x0', 'apply_config']);
    expect(s[3]).toMatch(/^frame #1: .*load_config/m);
    expect(s[4]).toMatch(/^\* thread #1, name = 'null_deref', stop reason = signal SIGSEGV: address not mapped to object \(fault address: 0x0\)$/m);
  });

  it('threads, live: `thread select 2` + `frame select 1` stay selected; the crashed thread is diagnosed', async () => {
    const { sections: s } = await lldb(dir, ['./threads'], ['thread select 2', 'frame select 1', 'thread info', 'frame info', 'coredx', 'thread info', 'frame info', 'coredx --json', 'thread info'], true);
    expect(threadLine(s[2]!)).toMatch(/^thread #2: /);
    expect(frameLine(s[3]!)).toMatch(/^frame #1: /);
    expect(s[4]).toContain(NULL_DEREF);
    expect(s[4]).toMatch(/Thread 4 "crasher" .*\(the thread with the\s+stop\s+reason/);
    expect(threadLine(s[5]!)).toBe(threadLine(s[2]!));
    expect(frameLine(s[6]!)).toBe(frameLine(s[3]!));
    const r = jsonReport(s[7]!);
    expect([r.signal, r.faultAddress, r.signatureFrames[0]]).toEqual(['SIGSEGV', '0x0', 'pool::run_job']);
    expect(r.threads).toHaveLength(4);
    expect(r.threads[r.crashedThread!]!.name).toBe('crasher');
    expect(threadLine(s[8]!)).toBe(threadLine(s[2]!));
  });

  it('threads, on a core: `thread select 3` stays selected', async () => {
    const { sections: s } = await lldb(dir, ['-c', cores.threads!, './threads'], ['thread select 3', 'thread info', 'coredx --json', 'thread info'], false);
    expect(threadLine(s[1]!)).toMatch(/^thread #3: /);
    const r = jsonReport(s[2]!);
    expect([r.signal, r.faultAddress, r.signatureFrames[0], r.crashedThreadReason]).toEqual(['SIGSEGV', '0x0', 'pool::run_job', 'stop-reason']);
    expect(r.threads).toHaveLength(4);
    expect(threadLine(s[3]!)).toBe(threadLine(s[1]!));
  });

  it('without symbols (stripped), live and on a core', async () => {
    for (const [target, live] of [[['./stripped'], true], [['-c', cores.stripped!, './stripped'], false]] as const) {
      const { sections: s } = await lldb(dir, [...target], ['coredx', 'coredx --json'], live);
      expect(s[0]).toContain(NULL_DEREF);
      const r = jsonReport(s[1]!);
      expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x3']);
      expect(r.signatureFrames).toEqual([]);
    }
  });

  it('imported twice (two init lines), the command is replaced, not refused', async () => {
    const line = await setupLine('lldb');
    const r = await run(['lldb', '--batch', '--no-lldbinit', '-o', line, '-o', line, '-o', 'coredx --help'], dir, lldbEnv());
    expect(r.output).not.toContain('error:');
    expect(r.output).toContain('usage: coredx [--json]');
  });

  it('says what is wrong: no process, a bad argument', async () => {
    // lldb's batch mode stops at the first command that fails: one run each.
    expect((await lldb(dir, ['./null_deref'], ['coredx'], false)).sections[0]).toContain('error: coredx: no process or core to analyze');
    expect((await lldb(dir, ['./null_deref'], ['coredx --bogus'], false)).sections[0]).toContain("error: coredx: unknown argument '--bogus'");
  });
});

describe.skipIf(problems.length > 0)('coredx inside a debugger attached to a hung process', () => {
  let dir = '';
  let child: ReturnType<typeof spawn> | null = null;
  beforeAll(async () => {
    dir = tempDir('dbgcmd-hang');
    buildProgram('deadlock', dir);
    child = spawn('./deadlock', [], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    // "started" comes before the threads lock; 300 ms later both hold one mutex and want the other.
    await new Promise<void>((resolve) => child!.stdout!.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 400));
  }, 120_000);
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('gdb and lldb: a hang, signed by the waiting program frames (the stop by attaching is no crash)', async () => {
    const pid = String(child!.pid);
    const reports = [jsonReport((await gdb(dir, ['-p', pid], ['coredx --json'], false)).sections[0]!)];
    if (lldbOk.ok) reports.push(jsonReport((await lldb(dir, ['-p', pid], ['coredx --json'], false)).sections[0]!));
    for (const r of reports) expect([r.format, r.crashKind, r.signatureText]).toEqual([r.format, 'hang', 'hang | bank::audit | bank::transfer | main']);
  });
});
