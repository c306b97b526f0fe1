// CLion's Frames pane copied as text: "function file:line" or "function 0xaddress", one a line.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe("an IDE's call-stack pane copied as text", () => {
  it('reads the frames, the abort they show and the message before them', () => {
    const text = [
      'terminate called after throwing an instance of \'std::out_of_range\'',
      '__pthread_kill_implementation 0x00007ffff4a9999b',
      '__GI_raise 0x00007ffff4a42866',
      '__GI_abort 0x00007ffff4a268b7',
      '<unknown> 0x00007ffff4ea4f06',
      'std::terminate() 0x00007ffff4eb6ed7',
      '__cxa_throw 0x00007ffff4eb7c05',
      'std::__throw_out_of_range_fmt(char const*, ...) 0x00007ffff4eb1c20',
      'Sheet::cell sheet.cpp:88',
      'main main.cpp:12',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r!.format).toBe('ide-frames');
    expect(r!.signal).toBe('SIGABRT');
    expect(r!.threads[0]!.frames.length).toBe(9);
    expect(r!.threads[0]!.frames[3]!.function).toBe('??');
    expect(r!.threads[0]!.frames[7]!.file).toBe('sheet.cpp');
    expect(r!.signatureFrames[0]).toBe('Sheet::cell');
    expect(r!.diagnoses[0]!.category).toBe('uncaught-exception');
  });

  it('reads address-only lines when the stack ends in the start-up', () => {
    const text = ['Worker::run 0x000055555556a1c0', 'start_thread 0x00007ffff7a94ac3', 'clone3 0x00007ffff7b26850', '_start 0x0000555555555040'].join('\n');
    expect(analyze(text).reports[0]?.format).toBe('ide-frames');
  });

  it("leaves a wrapped gdb frame's location line to gdb", () => {
    const text = ['Program received signal SIGSEGV, Segmentation fault.', '0x00007ffff7fbc340 in geo::measure<int> (s=...)', 'at shapes.cpp:9',
      '#0  0x00007ffff7fbc340 in geo::measure<int>', '(s=...) at shapes.cpp:9', '#1  0x0000555555555214 in main () at use_shapes.cpp:9'].join('\n');
    const reports = analyze(text).reports;
    expect(reports.map((r) => [r.format, r.signal])).toEqual([['gdb', 'SIGSEGV']]);
  });

  it('leaves short runs and "name value" log lines alone', () => {
    expect(analyze(['alloc 0x00007f0012345678', 'free 0x00007f0012345678'].join('\n')).reports).toEqual([]);
    const log = ['buffer 0x7f0012345678', 'cursor 0x7f0012345690', 'base 0x7f0012340000', 'limit 0x7f0012350000', 'next 0x7f0012345700'].join('\n');
    expect(analyze(log).reports).toEqual([]);
  });
});
