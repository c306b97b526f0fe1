// Redis' crash report. samples/redis-*.txt are real Redis 7.0.15 (Debian bookworm's redis-server)
// logs: `redis-cli debug segfault`, `debug assert`, `debug panic` (with --enable-debug-command yes) and
// `kill -SEGV` of the server, cut after the stack (the INFO output that follows is long).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const sample = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', '..', 'samples', name), 'utf8');
const one = (text: string) => {
  const { reports } = analyze(text, { rules: null });
  expect(reports).toHaveLength(1);
  return reports[0]!;
};

describe('Redis crash reports', () => {
  it('reads DEBUG SEGFAULT: signal, fault address, the process-title module, frames in order', () => {
    const r = one(sample('redis-debug-segfault.txt'));
    expect(r).toMatchObject({ format: 'redis', signal: 'SIGSEGV', crashKind: 'SIGSEGV', faultAddress: '0x7fa74c0da000', program: 'redis-server', crashedThread: 0, source: { line: 11, endLine: 34 } });
    const frames = r.threads[0]!.frames;
    expect(frames).toHaveLength(13); // the EIP line repeats the faulting frame; it is not a frame of its own
    expect(frames[0]).toMatchObject({ function: '??', module: '/lib/x86_64-linux-gnu/libc.so.6', address: '0x7fa74b45a050' });
    expect(frames[1]).toMatchObject({ function: 'debugCommand', module: 'redis-server *:16391', address: '0x5565fafe775f' });
    expect(frames[11]).toMatchObject({ function: '__libc_start_main', module: '/lib/x86_64-linux-gnu/libc.so.6' });
    expect(r.signatureFrames[0]).toBe('debugCommand');
    // The registers section ends the trace.
    expect(r.context.some((c) => c.position === 'after' && c.text.startsWith('RAX:'))).toBe(true);
  });

  it('reads DEBUG ASSERT: SIGABRT and the failed condition', () => {
    const r = one(sample('redis-debug-assert.txt'));
    expect(r).toMatchObject({ format: 'redis', signal: 'SIGABRT', crashKind: 'SIGABRT', faultAddress: null, source: { line: 1, endLine: 30 } });
    expect(r.signalDescription).toBe("assertion failed: '1 == 2' is not true at debug.c:530");
    expect(r.threads[0]!.frames[0]).toMatchObject({ function: 'debugCommand', module: 'redis-server *:16392' });
    expect(r.signatureFrames).toEqual(['debugCommand', 'call', 'processCommand']);
  });

  it('reads DEBUG PANIC: the Guru Meditation message, SIGABRT', () => {
    const r = one(sample('redis-debug-panic.txt'));
    expect(r).toMatchObject({ format: 'redis', signal: 'SIGABRT', faultAddress: null, source: { line: 1, endLine: 21 } });
    expect(r.signalDescription).toMatch(/^panic: DEBUG PANIC called at Unix time \d+ at debug\.c:510$/);
    expect(r.threads[0]!.frames).toHaveLength(12);
    expect(r.signatureFrames[0]).toBe('debugCommand');
  });

  it('reads a signal sent by kill(): no fault address (si_addr holds the sender)', () => {
    const r = one(sample('redis-killed.txt'));
    expect(r).toMatchObject({ format: 'redis', signal: 'SIGSEGV', faultAddress: null });
    expect(r.signalDescription).toMatch(/sent by kill/);
    expect(r.threads[0]!.frames[1]).toMatchObject({ function: 'epoll_wait', module: '/lib/x86_64-linux-gnu/libc.so.6' });
  });

  it('reads Redis 7.2 per-thread stacks and picks the thread that holds the faulting instruction', () => {
    const text = `=== REDIS BUG REPORT START: Cut & paste starting from here ===
2199:M 12 Feb 2024 10:00:00.000 # Redis 7.2.4 crashed by signal: 11, si_code: 1
2199:M 12 Feb 2024 10:00:00.000 # Accessing address: (nil)
2199:M 12 Feb 2024 10:00:00.000 # Crashed running the instruction at: 0x55d0c0b01e3a

------ STACK TRACE ------
EIP:
/usr/bin/redis-server 127.0.0.1:6379(lookupKey+0x3a)[0x55d0c0b01e3a]

2203 bio_lazy_free
/lib/x86_64-linux-gnu/libc.so.6(+0x8a2f6)[0x7f1e2c48a2f6]
/usr/bin/redis-server 127.0.0.1:6379(bioProcessBackgroundJobs+0x1b9)[0x55d0c0b9d2a9]

2199 redis-server *
/lib/x86_64-linux-gnu/libc.so.6(+0x3bfd0)[0x7f1e2c43bfd0]
/usr/bin/redis-server 127.0.0.1:6379(lookupKey+0x3a)[0x55d0c0b01e3a]
/usr/bin/redis-server 127.0.0.1:6379(getCommand+0x1c)[0x55d0c0b11e22]

2/2 expected stacktraces.

------ STACK TRACE DONE ------
`;
    const r = one(text);
    expect(r).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x0', crashedThread: 1 });
    expect(r.threads.map((t) => [t.lwp, t.name, t.frames.length])).toEqual([[2203, 'bio_lazy_free', 2], [2199, 'redis-server *', 3]]);
    expect(r.threads[1]!.frames[1]).toMatchObject({ function: 'lookupKey', module: '/usr/bin/redis-server 127.0.0.1:6379' });
    expect(r.signatureFrames[0]).toBe('lookupKey');
  });

  it("reads old releases' reports, handler frames on top", () => {
    const text = `=== REDIS BUG REPORT START: Cut & paste starting from here ===
[2531] 03 Mar 09:15:01.123 # Redis 2.8.4 crashed by signal: 11
[2531] 03 Mar 09:15:01.123 # Failed assertion: <no assertion failed> (<no file>:0)
[2531] 03 Mar 09:15:01.123 # --- STACK TRACE
/usr/bin/redis-server 127.0.0.1:6379(logStackTrace+0x45)[0x462e85]
/usr/bin/redis-server 127.0.0.1:6379(sigsegvHandler+0xaa)[0x46330a]
/lib/x86_64-linux-gnu/libpthread.so.0(+0x10340)[0x7f0e7c5c1340]
/usr/bin/redis-server 127.0.0.1:6379(dictFind+0x2c)[0x41c3ac]
[2531] 03 Mar 09:15:01.124 # --- INFO OUTPUT
`;
    const r = one(text);
    expect(r).toMatchObject({ signal: 'SIGSEGV', signalDescription: 'Segmentation fault' });
    expect(r.threads[0]!.frames.map((f) => f.function)).toEqual(['logStackTrace', 'sigsegvHandler', '??', 'dictFind']);
    // TODO(skip list): Redis' handler frames (logStackTrace, sigsegvHandler, ...) need entries; the
    // frames above the signal trampoline are already left out as the handler's.
    expect(r.signatureFrames[0]).toBe('dictFind');
  });
});
