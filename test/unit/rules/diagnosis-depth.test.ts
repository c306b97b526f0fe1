// Diagnosis depth (issue 12): the new conditions through the bundled rules, allocators' aborts
// always ranked high or critical (so `--fail-on high` never passes them), every matching log line
// kept, and --explain ranking near misses by what held beyond the signal.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { compileRule } from '../../../src/rules/compile.js';
import { RuleSet } from '../../../src/rules/engine.js';
import { loadRules } from '../../../src/rules/load.js';
import { parseRuleText } from '../../../src/rules/validate.js';

// The bundled packs, whatever another pack being written meanwhile says.
const builtin = loadRules().ruleSet;
const top = (text: string) => analyze(text, { rules: builtin }).reports[0]!.diagnoses[0]!;
const RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

const ABORT = `#0  __pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=6, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44
#1  0x00007ffff7a0ffb2 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26
#2  0x00007ffff79fa472 in __GI_abort () at ./stdlib/abort.c:79`;

function rule(extra: string): RuleSet {
  const { spec, problems } = parseRuleText(`id = "t/r"
title = "t"
category = "other"
severity = "low"
${extra}
[diagnosis]
summary = "s"
root_cause = "r"
remediation = ["x"]

[[tests]]
input = "x"
match = true
`, 't.toml');
  expect(problems).toEqual([]);
  return new RuleSet([compileRule(spec!, 't.toml')]);
}

describe('allocators that noticed a double free or corruption rank high or critical', () => {
  const cases: Record<string, string> = {
    'glibc message': `free(): double free detected in tcache 2\nProgram received signal SIGABRT, Aborted.\n${ABORT}\n#3  0x0000555555555199 in release (p=0x5555555592a0) at rel.c:7\n`,
    'glibc core, no message': `Program terminated with signal SIGABRT, Aborted.\n${ABORT}\n#3  0x00007ffff7e5342f in __libc_message (action=action@entry=do_abort, fmt=fmt@entry=0x7ffff7f6e459 "%s\\n") at ../sysdeps/posix/libc_fatal.c:156\n#4  0x00007ffff7e6886a in malloc_printerr (str=str@entry=0x7ffff7f71098 "free(): double free detected in tcache 2") at ./malloc/malloc.c:5662\n#5  0x00007ffff7e6aa90 in _int_free (av=<optimized out>, p=<optimized out>, have_lock=0) at ./malloc/malloc.c:4471\n#6  0x00007ffff7e6d15f in __GI___libc_free (mem=<optimized out>) at ./malloc/malloc.c:3391\n#7  0x0000555555555199 in release (p=0x5555555592a0) at rel.c:7\n`,
    'glibc malloc corruption, no message': `Program terminated with signal SIGABRT, Aborted.\n${ABORT}\n#3  0x00007ffff7e5342f in __libc_message (action=action@entry=do_abort, fmt=fmt@entry=0x7ffff7f6e459 "%s\\n") at ../sysdeps/posix/libc_fatal.c:156\n#4  0x00007ffff7e6886a in malloc_printerr (str=str@entry=0x7ffff7f71098 "malloc(): corrupted top size") at ./malloc/malloc.c:5662\n#5  0x00007ffff7e6b1c0 in _int_malloc (av=av@entry=0x7ffff7fb0c80 <main_arena>, bytes=bytes@entry=64) at ./malloc/malloc.c:4376\n#6  0x00007ffff7e6c1f0 in __GI___libc_malloc (bytes=64) at ./malloc/malloc.c:3315\n#7  0x0000555555555191 in make_node (value=7) at list.c:12\n`,
    'tcmalloc debug message': `src/debugallocation.cc:392] RAW: block at 0x5621e5f21b40 has been already deallocated (it was allocated with new)\nProgram received signal SIGABRT, Aborted.\n${ABORT}\n#3  0x00007ffff7f6b0a8 in tc_delete () from /usr/lib/x86_64-linux-gnu/libtcmalloc_debug.so.4\n#4  0x0000555555556c14 in Cache::evict (this=0x55555556c2c0, key=17) at cache.cpp:64\n`,
    'tcmalloc debug core, no message': `Program terminated with signal SIGABRT, Aborted.\n${ABORT}\n#3  0x00007f6c1b5e41c2 in LogPrintf(int, char const*, __va_list_tag*) () from /lib/x86_64-linux-gnu/libtcmalloc_debug.so.4\n#4  0x00007f6c1b5e9aa8 in MallocBlock::CheckAndClear(int, unsigned long) () from /lib/x86_64-linux-gnu/libtcmalloc_debug.so.4\n#5  0x00007f6c1b5f3b10 in tc_free () from /lib/x86_64-linux-gnu/libtcmalloc_debug.so.4\n#6  0x000055f0a1b2c3d4 in Buffer::release (this=0x55f0a2d3e4f0) at buffer.cpp:44\n`,
    'tcmalloc invalid pointer': `src/tcmalloc.cc:333] Attempt to free invalid pointer 0x55d1c0ffee10\nProgram received signal SIGABRT, Aborted.\n${ABORT}\n#3  0x00007ffff7f8a2c4 in tcmalloc::Log(tcmalloc::LogMode, char const*, int, tcmalloc::LogItem, tcmalloc::LogItem, tcmalloc::LogItem, tcmalloc::LogItem) () from /lib/x86_64-linux-gnu/libtcmalloc.so.4\n#4  0x0000555555555199 in release (p=0x55d1c0ffee10) at rel.c:7\n`,
    'jemalloc message': `<jemalloc>: size mismatch detected (true size 64 vs input size 32), likely caused by application sized deallocation bugs (source address: 0x7f1c28e0f000, the current pointer being freed). Suggest building with --enable-debug or address sanitizer for debugging. Abort.\nProgram received signal SIGABRT, Aborted.\n${ABORT}\n#3  0x00007f1c2a4b2c81 in je_safety_check_fail_sized_dealloc () from /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n#4  0x00007f1c2a4d1f30 in je_sdallocx () from /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n#5  0x000055a0b1c2d3e4 in Node::~Node (this=0x7f1c28e0f000) at node.cpp:12\n`,
    'jemalloc core, no message': `Program terminated with signal SIGABRT, Aborted.\n${ABORT}\n#3  0x00007f1c2a4b2c81 in je_safety_check_fail_sized_dealloc () from /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n#4  0x00007f1c2a4d1f30 in je_sdallocx () from /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n#5  0x000055a0b1c2d3e4 in Node::~Node (this=0x7f1c28e0f000) at node.cpp:12\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const d = top(text);
      expect(RANK[d.severity], `${d.ruleId} ${d.severity}`).toBeGreaterThanOrEqual(RANK.high);
      expect(['double-free', 'heap-corruption', 'use-after-free', 'other']).toContain(d.category);
      expect(d.ruleId).not.toBe('generic/abort');
    });
  }
});

describe('the new conditions', () => {
  it('values: a null this in the crashing frame, shown as the clue with why', () => {
    const rs = rule('[when]\nvalues = { kind = "null", name = "this", frames = 1 }\n');
    const [report] = analyze('Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x00005605a1c2d3e4 in Cache::lookup (this=0x0, key=42) at cache.cpp:19\n#1  0x00005605a1c2d4f0 in Handler::run (this=0x5605a2e1c2b0) at handler.cpp:51\n', { rules: rs }).reports;
    const e = report!.diagnoses[0]!.evidence.find((x) => x.condition === 'values')!;
    expect(e).toMatchObject({ text: 'this=0x0', frame: 0 });
    expect(e.why).toMatch(/null object/);
    // The caller's this is not null, and frames = 1 looks no further.
    const [other] = analyze('Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x00005605a1c2d3e4 in Cache::lookup (this=0x5605a2e1c2c0, key=42) at cache.cpp:19\n#1  0x00005605a1c2d4f0 in Handler::run (this=0x0) at handler.cpp:51\n', { rules: rs }).reports;
    expect(other!.diagnoses).toEqual([]);
  });

  it('pc: a call through a null function pointer', () => {
    const rs = rule('[when]\npc = "null-page"\n');
    expect(analyze('Program received signal SIGSEGV, Segmentation fault.\n#0  0x0000000000000000 in ?? ()\n#1  0x00005555555551c9 in dispatch (ops=0x555555558010, ev=3) at dispatch.c:21\n', { rules: rs }).reports[0]!.diagnoses).toHaveLength(1);
    expect(analyze('Program received signal SIGSEGV, Segmentation fault.\n#0  0x00005555555551c9 in dispatch (ops=0x0, ev=3) at dispatch.c:21\n', { rules: rs }).reports[0]!.diagnoses).toHaveLength(0);
  });

  it('module_copies and thread_count', () => {
    const copies = rule('[when]\nmodule_copies = "libssl*"\n');
    const two = 'Program received signal SIGSEGV, Segmentation fault.\n#0  0x00007ffff7a1b2c3 in SSL_read () from /usr/lib/x86_64-linux-gnu/libssl.so.3\n#1  0x00007ffff6c1d2e4 in conn_read () from /opt/vendor/lib/libssl.so.1.1\n';
    expect(analyze(two, { rules: copies }).reports[0]!.diagnoses).toHaveLength(1);
    // The same file named twice, or through Debian's merged /usr, is one copy; a second directory is another.
    expect(analyze(two.replace('/opt/vendor/lib/libssl.so.1.1', '/lib/x86_64-linux-gnu/libssl.so.3'), { rules: copies }).reports[0]!.diagnoses).toHaveLength(0);
    expect(analyze(two.replace('libssl.so.1.1', 'libssl.so.3'), { rules: copies }).reports[0]!.diagnoses).toHaveLength(1);
    // A soname and its real name, the loader under two paths, multiarch and /lib64: one copy each.
    const any = rule('[when]\nmodule_copies = "*"\n');
    const aliases = 'Program received signal SIGSEGV, Segmentation fault.\n#0  0x00007ffff7a1b2c3 in f () from /lib/x86_64-linux-gnu/libstdc++.so.6\n#1  0x00007ffff7a1b2c4 in g () from /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30\n#2  0x00007ffff7fd0100 in _dl_start () from /lib64/ld-linux-x86-64.so.2\n#3  0x00007ffff7fd0100 in _dl_x () from /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n#4  0x00007ffff7a0c2d4 in puts () from /lib64/libc.so.6\n#5  0x00007ffff7a0c2d4 in puts () from /usr/lib/x86_64-linux-gnu/libc.so.6\n';
    expect(analyze(aliases, { rules: any }).reports[0]!.diagnoses).toHaveLength(0);
    const single = rule('[when]\nthread_count = { max = 1 }\n');
    expect(analyze(two, { rules: single }).reports[0]!.diagnoses).toHaveLength(1);
  });

  it('fault_address "stack": next to the crashing thread\'s stack pointer (a core\'s NT_PRSTATUS)', () => {
    const rs = rule('[when]\nfault_address = "stack"\n');
    const result = analyze('Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555144 in walk_tree (depth=29111) at recursion.c:4\n$1 = {si_addr = 0x7ffc1a2b2ff8, _addr_lsb = 0, _addr_bnd = {_lower = 0x0, _upper = 0x0}}\n', { rules: null });
    const report = result.reports[0]!;
    expect(rs.diagnose(report)).toHaveLength(0);
    report.threads[0]!.stackPointer = '0x7ffc1a2b3000';
    const [d] = rs.diagnose(report);
    expect(d?.evidence[0]?.why).toMatch(/stack pointer 0x7ffc1a2b3000/);
  });

  it('repeated: the recursion depth an argument counts', () => {
    const frames = Array.from({ length: 32 }, (_, i) => `#${i + 1} 0x0000555555555179 in walk_tree (depth=${29111 - i}) at recursion.c:7`).join('\n');
    const text = `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555144 in walk_tree (depth=<error reading variable: Cannot access memory at address 0x7fffff7fef8c>) at recursion.c:4\n${frames}\n`;
    const d = top(text);
    expect(d.ruleId).toBe('generic/stack-overflow');
    expect(d.evidence.find((e) => e.condition === 'repeated')?.why).toMatch(/depth=29111 counts the levels/);
    expect(d.evidence.some((e) => e.condition === 'evidence: values' && /error reading variable/.test(e.text))).toBe(true);
  });

  it('log: every matching line is evidence, not only the first', () => {
    const rs = rule('[when]\nlog = [{ pattern = "*Got EOF of Socket*", where = "before" }]\n');
    const text = 'E1 Got EOF of Socket{id=1}\nI2 unrelated\nE3 Got EOF of Socket{id=2}\nProgram received signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555145 in f (p=0x1) at a.c:8\n';
    const d = analyze(text, { rules: rs }).reports[0]!.diagnoses[0]!;
    expect(d.evidence.map((e) => e.line)).toEqual([1, 3]);
  });

  it('evidence items carry their weight', () => {
    const d = top('Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555145 in apply_config (cfg=0x0) at null_deref.c:8\n#1  0x0000555555555189 in load_config (path=0x555555556010 "server.conf") at null_deref.c:14\n$1 = {si_addr = 0x0, _addr_lsb = 0, _addr_bnd = {_lower = 0x0, _upper = 0x0}}\n');
    expect(d.ruleId).toBe('generic/null-deref');
    expect(d.evidence.filter((e) => e.weight !== undefined).map((e) => e.weight)).toContain(0.1);
    expect(d.summary).toContain('cfg, argument of apply_config');
  });
});

describe('--explain near misses', () => {
  it('leaves out rules that held only on the signal, and lists evidence weights of the rules that fired', () => {
    const text = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555145 in apply_config (cfg=0x0) at null_deref.c:8\n';
    const [report] = analyze(text, { rules: builtin }).reports;
    const ex = builtin.explain(report!);
    for (const e of ex.filter((x) => !x.fired)) expect(e.specific, e.ruleId).toBeGreaterThan(0);
    const fired = ex.find((e) => e.ruleId === 'generic/null-argument')!;
    expect(fired.fired).toBe(true);
    expect(fired.evidence?.some((ev) => ev.weight > 0)).toBe(true);
  });
});
