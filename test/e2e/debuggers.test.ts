// The real debuggers on real crashes: each program in test/programs is built with the machine's
// g++, run under gdb (live and on a core written by generate-core-file) and lldb (live and on
// that core), and what the parser makes of the output is checked. The same outputs, with the temp
// dir replaced by ".", are kept in samples/ (regenerate: COREDX_WRITE_SAMPLES=1 npx vitest run test/e2e/debuggers.test.ts);
// the committed samples must still analyze to the signature the live run gives.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.js';
import type { Report } from '../../src/model.js';
import { buildProgram, gdbCore, gdbLive, haveCompiler, haveGdb, haveLldb, lldbCore, lldbLive, makeCore } from '../support/debuggers.js';
import { samplePath } from '../support/samples.js';
import { tempDir } from '../support/tmp.js';

const WRITE = process.env.COREDX_WRITE_SAMPLES === '1';

interface Expectation {
  signal: string;
  top: string;
  message?: RegExp;
  threads?: number;
  crashedName?: string;
  gdbLive?: string[];
  gdbCore?: string[];
  lldbLive?: string[];
  lldbCore?: string[];
}

const EXPECT: Record<string, Expectation> = {
  null_deref: { signal: 'SIGSEGV', top: 'apply_config', gdbLive: ['bt full'] },
  assert_fail: { signal: 'SIGABRT', top: 'check_balance', message: /^assert_fail: assert_fail\.c:5: check_balance: Assertion `balance >= 0' failed\.$/ },
  double_free: { signal: 'SIGABRT', top: 'release_buffer', message: /^free\(\): double free detected in tcache 2$/ },
  uncaught: { signal: 'SIGABRT', top: 'billing::validate', message: /^terminate called after throwing an instance of 'std::invalid_argument'$/ },
  recursion: { signal: 'SIGSEGV', top: 'walk_tree', gdbLive: ['bt 40'], gdbCore: ['bt 40'], lldbLive: ['bt 40'], lldbCore: ['bt 40'] },
  threads: { signal: 'SIGSEGV', top: 'pool::run_job', threads: 4, crashedName: 'crasher', gdbLive: ['bt', 'thread apply all bt'], lldbLive: ['bt', 'bt all'] },
  inlined: { signal: 'SIGSEGV', top: 'read_value|compute' },
  shapes: { signal: 'SIGSEGV', top: 'geo::(anonymous namespace)::measure<>' },
  stripped: { signal: 'SIGSEGV', top: '' },
  pure_virtual: { signal: 'SIGABRT', top: 'media::Codec::announce', message: /^pure virtual method called$/ },
  divide_by_zero: { signal: 'SIGFPE', top: 'average' },
  exit_order: { signal: 'SIGSEGV', top: 'std::vector<>::emplace_back<>|std::vector<>::push_back|app::Registry::forget' },
  bad_alloc: { signal: 'SIGABRT', top: 'std::__new_allocator<>::allocate|cache::reserve_slab', message: /^terminate called after throwing an instance of 'std::bad_alloc'$/ },
  brpc_reenact: { signal: 'SIGSEGV', top: 'brpc::policy::ProcessHttpResponse', threads: 2, crashedName: 'brpc_worker', gdbLive: ['bt', 'thread apply all bt'], lldbLive: ['bt', 'bt all'] },
};

const problems = [haveCompiler(), haveGdb()].filter((p) => !p.ok);
if (problems.length) console.log(`skipping gdb tests: ${problems.map((p) => p.reason).join('; ')}`);
const lldb = haveLldb();
if (!lldb.ok) console.log(`skipping lldb tests: ${lldb.reason}`);

function only(text: string): Report {
  const { reports } = analyze(text);
  expect(reports, text.slice(0, 2000)).toHaveLength(1);
  return reports[0]!;
}

function checkCommon(r: Report, e: Expectation, format: string): void {
  expect(r.format).toBe(format);
  expect(r.signal).toBe(e.signal);
  const crashed = r.threads[r.crashedThread!]!;
  expect(crashed.crashed).toBe(true);
  if (e.top) expect(r.signatureFrames[0]).toMatch(new RegExp(`^(?:${e.top.replace(/[()]/g, '\\$&')})$`));
  else expect(r.signatureFrames).toEqual([]); // stripped: no symbol for the program's own code
  // -O2 folds read_value and scaled into compute: gdb (no address on the callers) and lldb
  // ("[inlined]") must say the same. lldb 14 prints no inlined frames for a core, only compute.
  const top = crashed.frames.slice(0, 3);
  if (e.top === 'read_value|compute' && top[0]!.function === 'read_value') expect(top.map((f) => [f.function, f.inlined])).toEqual([['read_value', true], ['scaled', true], ['compute', false]]);
}

/** Keeps a sample (WRITE) or checks the committed one still gives the live run's signature. */
function sample(name: string, output: string, dir: string, r: Report): void {
  const path = samplePath(name);
  const clean = output.split(dir).join('.');
  if (WRITE) writeFileSync(path, clean);
  else if (existsSync(path)) expect(only(readFileSync(path, 'utf8')).signature).toBe(r.signature);
}

describe.skipIf(problems.length > 0).each(Object.keys(EXPECT))('%s', (program) => {
  const e = EXPECT[program]!;
  let dir = '';
  let bin = '';
  let core = '';
  beforeAll(() => {
    dir = tempDir(`${program}`);
    bin = buildProgram(program, dir);
    core = makeCore(bin, dir);
  });

  it('gdb, live', () => {
    const out = gdbLive(bin, dir, e.gdbLive).output;
    const r = only(out);
    checkCommon(r, e, 'gdb');
    expect(r.crashedThreadReason).toBe('received-signal');
    if (e.message) expect(r.abortMessage).toMatch(e.message);
    if (e.threads && (e.gdbLive ?? []).some((c) => c.startsWith('thread apply'))) {
      expect(r.threads).toHaveLength(e.threads); // bt + thread apply all bt: one session, merged
    }
    if (program === 'null_deref') expect(r.threads[0]!.frames.map((f) => f.function)).toEqual(['apply_config', 'load_config', 'main']);
    if (program === 'null_deref') expect(r.threads[0]!.frames[1]!.locals).toEqual(['cfg = 0x0']);
    if (program === 'recursion') expect(r.threads[0]!.frames).toHaveLength(40);
    sample(`gdb-live-${program}.txt`, out, dir, r);
  });

  it('gdb, core file', () => {
    const out = gdbCore(bin, dir, core, e.gdbCore).output;
    const r = only(out);
    checkCommon(r, e, 'gdb');
    expect(r.crashedThreadReason).toBe(e.threads ? 'current-thread' : program === 'recursion' ? 'only-thread' : 'current-thread');
    expect(r.program).toContain(program);
    if (e.signal === 'SIGSEGV' && !e.gdbCore) expect(r.faultAddress).toMatch(/^0x[0-9a-f]+$/); // from `p $_siginfo._sifields._sigfault`
    if (e.threads) {
      expect(r.threads).toHaveLength(e.threads);
      expect(r.threads.every((t) => t.lwp !== null && t.id !== '')).toBe(true);
    }
    sample(`gdb-core-${program}.txt`, out, dir, r);
  });

  it.skipIf(!lldb.ok)('lldb, live', () => {
    const out = lldbLive(bin, dir, e.lldbLive ?? ['bt']).output;
    const r = only(out);
    checkCommon(r, e, 'lldb');
    expect(r.crashedThreadReason).toBe('stop-reason');
    if (e.signal === 'SIGSEGV') expect(r.faultAddress).toMatch(/^0x[0-9a-f]+$/);
    if (e.message) expect(r.abortMessage).toMatch(e.message);
    if (e.threads) expect(r.threads).toHaveLength(e.threads);
    if (e.crashedName) expect(r.threads[r.crashedThread!]!.name).toBe(e.crashedName);
    if (program === 'inlined') expect(r.threads[0]!.frames.slice(0, 3).map((f) => [f.function, f.inlined])).toEqual([['read_value', true], ['scaled', true], ['compute', false]]);
    if (program === 'shapes') expect(r.threads[0]!.frames[0]!.module).toBe('libshapes.so');
    sample(`lldb-live-${program}.txt`, out, dir, r);
  });

  it.skipIf(!lldb.ok)('lldb, core file', () => {
    const out = lldbCore(bin, dir, core, e.lldbCore).output;
    const r = only(out);
    checkCommon(r, e, 'lldb');
    if (e.threads) expect(r.threads).toHaveLength(e.threads);
    sample(`lldb-core-${program}.txt`, out, dir, r);
  });
});
