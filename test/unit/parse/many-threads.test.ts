// 100,000 threads (gdb `Thread N (...)` headers, one frame each) are read in seconds: the time grows
// with the number of threads, not with its square (issue 16). Four times the threads may cost at
// most eight times as long (linear: ~4x; quadratic: ~16x), each size's CPU time at its best of two runs
// (a complexity guard with a 2x margin, not a speed goal: those are `npm run bench`'s).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

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
    const large = best(threads(40_000), 40_000);
    expect(large / small, `${small.toFixed(0)} ms vs ${large.toFixed(0)} ms`).toBeLessThan(8);
  }, 120_000);
});
