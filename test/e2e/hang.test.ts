// One deadlock, captured every way a developer captures a hang: gdb and lldb attached to the stuck
// process (`thread apply all bt`, `bt all`), and a core of it (gcore) read by gdb, by lldb and by
// coredx itself. All must be crash kind "hang" with one signature, built from the program frames
// that wait (not glibc's futex functions), and diagnosed as a deadlock.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, analyzeFile } from '../../src/pipeline.js';
import type { Report } from '../../src/model.js';
import { buildProgram, haveCompiler, haveGdb, haveLldb, lldbEnv } from '../support/debuggers.js';
import { tempDir } from '../support/tmp.js';

const gdb = haveGdb();
const lldb = haveLldb();
const compiler = haveCompiler();
if (!gdb.ok || !compiler.ok) console.log(`skipping hang tests: ${gdb.reason ?? compiler.reason}`);

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', env }).stdout ?? '';

describe.skipIf(!gdb.ok || !compiler.ok)('one deadlock, six captures, one signature', () => {
  let dir = '';
  let pid = 0;
  let child: ReturnType<typeof spawn> | null = null;
  const captures: Record<string, Report> = {};

  beforeAll(async () => {
    dir = tempDir('hang');
    buildProgram('deadlock', dir);
    child = spawn('./deadlock', [], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    pid = child.pid!;
    // "started" comes before the threads lock; 300 ms later both hold one mutex and want the other.
    await new Promise<void>((resolve) => child!.stdout!.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 400));
    const gdbBase = ['-q', '-batch', '-nx', '-iex', 'set debuginfod enabled off', '-p', String(pid)];
    captures['gdb attached'] = analyze(run('gdb', [...gdbBase, '-ex', 'thread apply all bt'], dir), { path: 'gdb-live' }).reports[0]!;
    captures['gdb attached, bt full'] = analyze(run('gdb', [...gdbBase, '-ex', 'thread apply all bt full'], dir), { path: 'gdb-live-full' }).reports[0]!;
    run('gdb', [...gdbBase, '-ex', 'generate-core-file hang.core'], dir);
    if (lldb.ok) captures['lldb attached'] = analyze(run('lldb', ['--batch', '-p', String(pid), '-o', 'bt all'], dir, lldbEnv()), { path: 'lldb-live' }).reports[0]!;
    child.kill('SIGKILL');
    if (!existsSync(join(dir, 'hang.core'))) throw new Error('gdb wrote no core of the hung process');
    captures['gdb on the core'] = analyze(run('gdb', ['-q', '-batch', '-nx', '-ex', 'thread apply all bt', './deadlock', 'hang.core'], dir), { path: 'gdb-core' }).reports[0]!;
    if (lldb.ok) captures['lldb on the core'] = analyze(run('lldb', ['--batch', '-c', 'hang.core', './deadlock', '-o', 'bt all'], dir, lldbEnv()), { path: 'lldb-core' }).reports[0]!;
    captures['coredx on the core'] = (await analyzeFile(join(dir, 'hang.core'), { core: { exe: join(dir, 'deadlock') } })).reports[0]!;
  }, 240_000);

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('every capture is a hang signed by the waiting program frames, sorted', () => {
    expect(Object.keys(captures).length).toBeGreaterThanOrEqual(lldb.ok ? 6 : 4);
    for (const [how, r] of Object.entries(captures)) {
      expect(r, how).toBeDefined();
      expect([how, r.crashKind]).toEqual([how, 'hang']);
      expect([how, r.signatureText]).toEqual([how, 'hang | bank::audit | bank::transfer | main']);
    }
    expect(new Set(Object.values(captures).map((r) => r.signature)).size).toBe(1);
  });

  it('the crashing thread is one that waits for a lock, and futex frames are skipped with their reason', () => {
    const r = captures['gdb attached']!;
    expect(r.crashedThreadReason).toBe('lock-wait');
    const frames = r.threads[r.crashedThread!]!.frames;
    expect(['bank::audit', 'bank::transfer']).toContain(frames[r.threads[r.crashedThread!]!.frames.findIndex((_, i) => !r.skippedFrames.includes(i))]!.function);
    const futex = frames.findIndex((f) => /lll_lock_wait/.test(f.function));
    expect(r.skipped.find((s) => s.frame === futex)?.reason).toMatch(/^lock and wait machinery/);
  });

  it('is diagnosed as a deadlock, the lock-order evidence holding', () => {
    for (const [how, r] of Object.entries(captures)) {
      expect([how, r.diagnoses[0]?.ruleId, r.diagnoses[0]?.category]).toEqual([how, 'generic/hang', 'deadlock']);
      expect(r.diagnoses[0]!.evidence.filter((e) => e.condition === 'evidence: threads').length, how).toBeGreaterThanOrEqual(2);
    }
  });
});
