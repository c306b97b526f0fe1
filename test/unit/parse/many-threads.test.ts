// 100,000 threads (gdb `Thread N (...)` headers, one frame each) are read in seconds: the time grows
// with the number of threads, not with its square (issue 16). Four times the threads may cost at
// most eight times as long (linear: ~4x; quadratic: ~16x), each size's CPU time at its best of two runs
// (a complexity guard with a 2x margin, not a speed goal: those are `npm run bench`'s).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { MAX_THREADS_PER_TRACE } from '../../../src/parse/types.js';

function threads(n: number): string {
  const parts = ['Program terminated with signal SIGSEGV, Segmentation fault.\n'];
  for (let t = n; t >= 1; t--) parts.push(`\nThread ${t} (Thread 0x7f${t.toString(16).padStart(10, '0')} (LWP ${10000 + t})):\n#0  0x00007f0000001000 in worker_${t % 50} (arg=0x0) at w.c:${(t % 100) + 1}\n`);
  return parts.join('');
}

function best(text: string, expected: number): number {
  let ms = Infinity;
  for (let i = 0; i < 2; i++) {
    // CPU time of this process: other load on the machine moves it less than wall time.
    const start = process.cpuUsage();
    const r = analyze(text, { rules: null });
    const used = process.cpuUsage(start);
    ms = Math.min(ms, (used.user + used.system) / 1000);
    expect(r.reports).toHaveLength(1);
    expect(r.reports[0]!.threads).toHaveLength(expected);
  }
  return ms;
}

describe('many threads', () => {
  it('cost time linear in their number (10,000 vs 40,000)', () => {
    best(threads(2000), 2000); // warm-up
    const small = best(threads(10_000), 10_000);
    // Read whole, kept up to the cap (MAX_THREADS_PER_TRACE): the time is still the reading's.
    const large = best(threads(40_000), MAX_THREADS_PER_TRACE);
    expect(large / small, `${small.toFixed(0)} ms vs ${large.toFixed(0)} ms`).toBeLessThan(8);
  }, 120_000);

  // Class: a debugger flooding distinct thread headers (issue 16: 400,000 threads in 64 MB held ~1 KB
  // each). Past the cap a thread is read, not kept, and the report says how many went; the thread the
  // debugger named current or crashing is kept wherever it comes (gdb lists thread 1 last).
  it('keeps the first threads up to the cap, the named crashing thread too, and says how many went (gdb)', () => {
    const n = MAX_THREADS_PER_TRACE + 2500;
    // As gdb prints a core: the current thread named before `thread apply all bt`.
    const text = threads(n).replace('Segmentation fault.\n', 'Segmentation fault.\n#0  0x00007f0000001000 in worker_1 (arg=0x0) at w.c:2\n[Current thread is 1 (Thread 0x7f0000000001 (LWP 10001))]\n');
    const r = analyze(text, { rules: null }).reports[0]!;
    // The `bt` copy (headerless) is one of the kept ones, then folded into thread 1, kept past the cap.
    expect(r.threads).toHaveLength(MAX_THREADS_PER_TRACE);
    expect(r.threads[r.crashedThread!]!.id).toBe('1');
    expect(r.threads[r.crashedThread!]!.frames[0]!.function).toBe('worker_1');
    expect(r.warnings).toContain(`2500 threads beyond the first ${MAX_THREADS_PER_TRACE} were read but not kept (the thread list was capped)`);
  });
  it('caps lldb\'s thread list the same way, keeping the selected thread', () => {
    const parts = ['(lldb) bt all\n'];
    const n = MAX_THREADS_PER_TRACE + 10;
    for (let t = 1; t <= n; t++) parts.push(`${t === n ? '*' : ' '} thread #${t}, name = 'w${t}', stop reason = ${t === n ? 'signal SIGSEGV' : 'signal 0'}\n  ${t === n ? '*' : ' '} frame #0: 0x0000555555555131 prog\`worker_${t % 50}(p=0x0) at w.c:${(t % 90) + 1}:3\n`);
    const r = analyze(parts.join(''), { rules: null }).reports[0]!;
    expect(r.threads).toHaveLength(MAX_THREADS_PER_TRACE + 1);
    expect(r.threads[r.crashedThread!]!.id).toBe(String(n));
    expect(r.warnings?.some((w) => w.startsWith('9 threads beyond the first'))).toBe(true);
  });

  // Every format whose thread header looked its id up in the list of threads read so far.
  const android = (n: number) => {
    const parts = ["*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***\nBuild fingerprint: 'acme/falcon/falcon:13/TQ3A.230805.001/10316531:userdebug/dev-keys'\npid: 7310, tid: 7352, name: AudioDecoder  >>> org.acme.player <<<\nsignal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0\n\nbacktrace:\n      #00 pc 00000000000c7e10  /data/app/lib/arm64/libplayer.so (media::RingBuffer::push+40)\n"];
    for (let t = 1; t < n; t++) parts.push(`--- --- --- --- --- --- --- --- --- --- --- --- --- --- --- ---\npid: 7310, tid: ${8000 + t}, name: w${t}  >>> org.acme.player <<<\nuid: 10211\n\nbacktrace:\n      #00 pc 00000000000d26e8  /apex/com.android.runtime/lib64/bionic/libc.so (__epoll_pwait+8)\n      #01 pc 00000000000d26e8  /system/lib64/libx.so (worker_${t % 50}+8)\n\n`);
    return parts.join('');
  };
  const gdbMi = (n: number) => {
    const parts = ['*stopped,reason="signal-received",signal-name="SIGSEGV",signal-meaning="Segmentation fault",frame={addr="0x0000555555555343",func="pool::run_job",args=[],file="threads.cpp",fullname="./threads.cpp",line="22",arch="i386:x86-64"},thread-id="1",stopped-threads="all",core="1"\n'];
    for (let t = 1; t <= n; t++) parts.push(`-stack-list-frames --thread ${t}\n^done,stack=[frame={level="0",addr="0x00007ffff7a9f0b0",func="worker_${t % 50}",file="w.cpp",fullname="./w.cpp",line="${t % 90}",arch="i386:x86-64"}]\n`);
    return parts.join('');
  };
  for (const [name, make] of [['an Android tombstone', android], ['GDB/MI stack listings', gdbMi]] as const) {
    it(`${name}: time linear in the number of threads (10,000 vs 40,000)`, () => {
      best(make(2000), 2000);
      const small = best(make(10_000), 10_000);
      const large = best(make(40_000), 40_000);
      expect(large / small, `${small.toFixed(0)} ms vs ${large.toFixed(0)} ms`).toBeLessThan(8);
    }, 120_000);
  }
});
