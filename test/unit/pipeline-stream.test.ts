// AnalyzeOptions.onReport: the reports of an input handed over one at a time as they become final
// are the reports the whole result holds, in the same order, diagnosed the same (also across a
// handler's dump followed by the sanitizer's report of the same death, which swap places).
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyzeStream } from '../../src/pipeline.js';
import type { Report } from '../../src/model.js';
import { sampleNames, samplePath } from '../support/samples.js';

const streamOf = (text: string) => Readable.from([Buffer.from(text)]);
const key = (r: Report) => JSON.stringify(r);

async function both(text: string) {
  const whole = (await analyzeStream(streamOf(text), { path: 'x.log', explain: 2 })).reports;
  const handed: Report[] = [];
  const streamed = await analyzeStream(streamOf(text), { path: 'x.log', explain: 2, onReport: (r) => handed.push(r) });
  return { whole, handed, kept: streamed.reports };
}

describe('analyzeStream with onReport', () => {
  it('hands over every sample\'s reports as the whole result holds them, keeping none', async () => {
    const names = sampleNames();
    expect(names.length).toBeGreaterThan(60);
    // All samples in one log: many reports of every format, back to back.
    const log = names.map((n) => readFileSync(samplePath(n), 'utf8')).join('\n\n');
    const { whole, handed, kept } = await both(log);
    expect(whole.length).toBeGreaterThan(100);
    expect(kept).toEqual([]);
    expect(handed.map(key)).toEqual(whole.map(key));
  });

  it("puts a sanitizer's report before the handler's dump of the same death, as the whole result does", async () => {
    const dump = readFileSync(samplePath('chromium-received-signal.txt'), 'utf8');
    const asan = readFileSync(samplePath('asan-heap-use-after-free.txt'), 'utf8').replace(/heap-use-after-free on address/, 'SEGV on unknown address').replace(/READ of size \d+/, 'The signal is caused by a READ memory access.');
    const { whole, handed } = await both(`${dump}\n${asan}\n${dump}`);
    expect(handed.map((r) => r.format)).toEqual(['asan', 'chromium', 'chromium']);
    expect(handed.map(key)).toEqual(whole.map(key));
  });
});

describe('analyzeStream with onReport, a frameless verdict then the debugger', () => {
  it("puts the debugger's report of a Rust stack overflow first, as the whole result does", async () => {
    const text = [
      "thread 'main' has overflowed its stack", 'fatal runtime error: stack overflow', '',
      'Program received signal SIGABRT, Aborted.',
      '#0  0x00007ffff7c969fc in __pthread_kill_implementation () from /lib/x86_64-linux-gnu/libc.so.6',
      '#1  0x00007ffff7c287f3 in abort () from /lib/x86_64-linux-gnu/libc.so.6',
      '#2  0x00005555557d20e4 in shard::Index::lookup ()',
      '#3  0x00005555557d2311 in shard::main ()',
    ].join('\n');
    const { whole, handed } = await both(text);
    expect(handed.map((r) => r.format)).toEqual(['gdb', 'rust']);
    expect(handed.map(key)).toEqual(whole.map(key));
  });
});
