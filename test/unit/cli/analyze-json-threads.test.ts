// analyze --format json of one report with 100,000s of threads (a debugger flooding its output with
// thread headers, a Go program's goroutines) is written a thread at a time: serialized whole, then
// indented, such a report cost several times its size (issue 16: 64 MB of a debugger's output
// peaked at 2.6 GB RSS). The writes stay near 1 MB each and the text is renderJson's, byte for byte.
import { describe, expect, it } from 'vitest';
import { writeJsonStreaming } from '../../../src/cli/analyze.js';
import { analyze } from '../../../src/pipeline.js';
import { renderJson } from '../../../src/render/json.js';

function threads(n: number): string {
  const parts = ['Program terminated with signal SIGSEGV, Segmentation fault.\n'];
  for (let t = n; t >= 1; t--) parts.push(`\nThread ${t} (Thread 0x7f${t.toString(16).padStart(10, '0')} (LWP ${10000 + t})):\n#0  0x00007f0000001000 in worker_${t} (arg=0x0) at w\u2028.c:${(t % 100) + 1}\n#1  0x00007f0000002000 in start_thread () from /lib/libc.so.6\n`);
  return parts.join('');
}

describe('a report of many threads as streamed JSON', () => {
  it('is written a thread at a time (no write near the report size), byte for byte renderJson', () => {
    const result = analyze(threads(8000) + '\n' + threads(3), { rules: null });
    expect(result.reports.map((r) => r.threads.length)).toEqual([8000, 3]);
    const parts: string[] = [];
    writeJsonStreaming(result, (s) => parts.push(s));
    const text = parts.join('');
    expect(text).toBe(renderJson(result));
    expect(text.length).toBeGreaterThan(6 << 20);
    // ~1 MB writes plus at most one thread's JSON: never the whole report at once.
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(1.5 * (1 << 20));
  });
});
