// elfutils' parser on its own: eu-stack (committed sample, with -s source lines) and coredumpctl
// info, fed straight to the parser. The first thread listed is the crashing one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { elfutilsParser } from '../../../src/parse/elfutils.js';
import { MAX_FRAMES_PER_THREAD } from '../../../src/parse/types.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith, where } from './feed.js';
import { analyze } from '../../../src/pipeline.js';

describe('elfutils parser', () => {
  it('reads eu-stack with sources: threads, modules, frames with their locations', () => {
    const t = parseOne(elfutilsParser, readFileSync(samplePath('eu-stack-core-source.txt'), 'utf8'));
    expect(t.format).toBe('eu-stack');
    expect(t.threads.length).toBeGreaterThan(1);
    expect(t.threads[0]!.id).toBe('26229');
    expect(t.threads[0]!.lwp).toBe(26229);
    const frames = t.threads[0]!.frames;
    expect(where(frames).slice(0, 2)).toEqual([
      ['pool::run_job(pool::Job const&)', './threads.cpp', 22],
      ['pool::crashing_worker()', './threads.cpp', 28],
    ]);
    expect(frames[0]!.module).toBe('threads');
    expect(frames[0]!.column).toBe(38);
    // A frame without a symbol: only its module.
    expect([frames[7]!.rawFunction, frames[7]!.module]).toEqual(['??', 'libstdc++.so.6']);
    expect(t.hints).toEqual([{ threadId: '26229', reason: 'stop-reason' }]);
  });

  it("reads coredumpctl info: signal, command line, module in parentheses, symbol versions dropped", () => {
    const t = parseOne(elfutilsParser, lines(
      '           PID: 25756 (threads)',
      '           UID: 1000 (dev)',
      '        Signal: 11 (SEGV)',
      '  Command Line: ./threads --jobs 4',
      '    Executable: /home/dev/threads',
      '       Message: Process 25756 (threads) of user 1000 dumped core.',
      '',
      '                Stack trace of thread 25761:',
      '                #0  0x0000555555555343 pool::run_job(pool::Job const&) (threads + 0x1343)',
      '                #1  0x00007ffff7aa71f5 start_thread (libc.so.6 + 0x891f5)',
      '                #2  0x00007ffff7b278ec __clone3@@GLIBC_2.34 (libc.so.6 + 0x1098ec)',
      '',
      '                Stack trace of thread 25756:',
      '                #0  0x00007ffff7b22e9b n/a (libc.so.6 + 0x104e9b)',
    ));
    expect(t.format).toBe('coredumpctl');
    expect(t.signal).toBe('SIGSEGV');
    expect(t.program).toBe('./threads --jobs 4');
    expect(t.threads.map((th) => [th.id, th.frames.length])).toEqual([['25761', 3], ['25756', 1]]);
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.module])).toEqual([
      ['pool::run_job(pool::Job const&)', 'threads'],
      ['start_thread', 'libc.so.6'],
      ['__clone3', 'libc.so.6'],
    ]);
    expect(t.threads[1]!.frames[0]!.rawFunction).toBe('??');
  });

  it("marks coredumpctl's mangled symbols for demangling (no debug info: the ELF symbol as is)", () => {
    const t = parseOne(elfutilsParser, lines(
      '       Message: Process 29877 (mixerd) of user 1000 dumped core.',
      '                Stack trace of thread 29881:',
      '                #0  0x00007f2a1c41b2e4 _ZN3mix7Channel9fill_slotEj (libmix.so.3 + 0x1b2e4)',
      '                #1  0x00007f2a1b294ac3 start_thread (libc.so.6 + 0x94ac3)',
    ));
    expect(t.threads[0]!.frames.map((f) => f.mangled ?? false)).toEqual([true, false]);
    const r = analyze(lines('Message: Process 29877 (mixerd) of user 1000 dumped core.', '', 'Stack trace of thread 29881:', '#0  0x00007f2a1c41b2e4 _ZN3mix7Channel9fill_slotEj (libmix.so.3 + 0x1b2e4)', '#1  0x00007f2a1b294ac3 start_thread (libc.so.6 + 0x94ac3)')).reports[0]!;
    expect(r.signatureFrames[0]).toBe('mix::Channel::fill_slot');
  });

  it('reads a coredump journal message forwarded by rsyslog, its line feeds escaped as "#012"', () => {
    const r = analyze('2026-04-11T08:14:22.518311+02:00 ws17 systemd-coredump[30142]: Process 29877 (mixerd) of user 1000 dumped core.#012#012Stack trace of thread 29881:#012#0  0x00007f2a1c41b2e4 _ZN3mix7Channel9fill_slotEj (libmix.so.3 + 0x1b2e4)#012#1  0x00007f2a1b294ac3 start_thread (libc.so.6 + 0x94ac3)#012').reports[0]!;
    expect(r.format).toBe('coredumpctl');
    expect(r.signatureFrames[0]).toBe('mix::Channel::fill_slot');
  });

  it('ends after three blank lines once a thread was read; a second PID line is another trace', () => {
    const one = ['PID 10 - core', 'TID 10:', '#0  0x0000000000401000 a - prog'];
    expect(parseOne(elfutilsParser, lines(...one, '', '', '#1  0x0000000000401100 main - prog')).threads[0]!.frames).toHaveLength(2);
    expect(parseOne(elfutilsParser, lines(...one, '', '', '', '#1  0x0000000000401100 main - prog')).threads[0]!.frames).toHaveLength(1);
    expect(parseWith(elfutilsParser, lines(...one, 'PID 11 - core', 'TID 11:', '#0  0x0000000000402000 b - prog'))).toHaveLength(2);
  });

  it('caps a runaway stack and counts the frames past the cap', () => {
    const frames = Array.from({ length: MAX_FRAMES_PER_THREAD + 3 }, (_, i) => `#${i}  0x0000000000401136 recurse - prog`);
    const t = parseOne(elfutilsParser, lines('PID 10 - core', 'TID 10:', ...frames));
    expect([t.threads[0]!.frames.length, t.threads[0]!.droppedFrames]).toEqual([MAX_FRAMES_PER_THREAD, 3]);
  });

  it("keeps coredumpctl's module list in its header, and leaves a gdb session after a bare header to gdb", () => {
    const t = parseOne(elfutilsParser, lines(
      '           PID: 77120 (renderd)',
      '        Signal: 11 (SEGV)',
      '       Message: Process 77120 (renderd) of user 1000 dumped core.',
      '',
      '                Module libc.so.6 with build-id 2f6b1cf3a8a1bc4e',
      '                Module renderd without build-id',
      '                Stack trace of thread 77120:',
      '                #0  0x000055a4b1c8e3f1 n/a (renderd + 0x13f1)',
    ));
    expect([t.format, t.signal, t.threads[0]!.frames.length]).toEqual(['coredumpctl', 'SIGSEGV', 1]);
    const session = [
      '           PID: 77120 (renderd)',
      '           UID: 1000 (user)',
      "Core was generated by `./bin/renderd'.",
      'Program terminated with signal SIGSEGV, Segmentation fault.',
      '#0  0x000055a4b1c8e3f1 in tmpl::Node::find_attr (this=0x0) at node.cpp:58',
      '#1  0x000055a4b1c8a010 in main () at main.cpp:25',
    ].join('\n');
    const reports = analyze(session, { rules: null }).reports;
    expect(reports.map((r) => [r.format, r.signal, r.threads[0]!.frames[0]!.function])).toEqual([['gdb', 'SIGSEGV', 'tmpl::Node::find_attr']]);
  });
});
