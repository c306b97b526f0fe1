// Rust's parser on its own: a committed panic and short texts in rustc's other shapes (old quoted
// messages, RUST_BACKTRACE=full, a stack overflow), fed straight to the parser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rustParser } from '../../../src/parse/rust.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith, where } from './feed.js';

describe('rust parser', () => {
  it('reads a panic: thread, message, frames with their locations', () => {
    const t = parseOne(rustParser, readFileSync(samplePath('rust-panic.txt'), 'utf8'));
    expect(t.format).toBe('rust');
    expect(t.crashKind).toBe('rust-panic');
    expect(t.signal).toBeNull();
    expect(t.signalDescription).toBe('panicked: called `Option::unwrap()` on a `None` value');
    expect(t.threads.map((th) => [th.name, th.lwp])).toEqual([['main', 30792]]);
    const frames = where(t.threads[0]!.frames);
    expect(frames).toHaveLength(8);
    expect(frames[5]).toEqual(['rust_panic::start_server', './rust_panic.rs', 7]);
    expect(t.threads[0]!.frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads RUST_BACKTRACE=full frames: addresses kept, hashes and <unknown> dropped', () => {
    const t = parseOne(rustParser, lines(
      "thread 'worker' panicked at src/lib.rs:10:5:",
      'index out of bounds: the len is 3 but the index is 7',
      'stack backtrace:',
      '   0:     0x55d1c3a2b1c4 - std::backtrace_rs::backtrace::libunwind::trace::h5a5e3c6d8f9a0b1c',
      '   1:     0x55d1c3a2b200 - app::lookup::h0123456789abcdef',
      '                               at /src/lib.rs:10:5',
      '   2:     0x7f00aa000000 - <unknown>',
    ));
    expect(t.signalDescription).toBe('panicked: index out of bounds: the len is 3 but the index is 7');
    expect(where(t.threads[0]!.frames)).toEqual([
      ['std::backtrace_rs::backtrace::libunwind::trace', null, null],
      ['app::lookup', '/src/lib.rs', 10],
      ['??', null, null],
    ]);
    expect(t.threads[0]!.frames[1]!.address).toBe('0x55d1c3a2b200');
  });

  it("reads an old panic's quoted message and location; without a backtrace the location is the frame", () => {
    const t = parseOne(rustParser, lines("thread 'main' panicked at 'attempt to subtract with overflow', src/main.rs:4:5", 'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace'));
    expect(t.signalDescription).toBe('panicked: attempt to subtract with overflow');
    expect(where(t.threads[0]!.frames)).toEqual([['??', 'src/main.rs', 4]]);
  });

  it('reads a stack overflow as SIGABRT of kind stack-overflow, without frames', () => {
    const t = parseOne(rustParser, lines("thread 'main' has overflowed its stack", 'fatal runtime error: stack overflow', 'Aborted (core dumped)'));
    expect([t.signal, t.crashKind, t.threads.length, t.endLine]).toEqual(['SIGABRT', 'stack-overflow', 0, 2]);
  });

  it('tolerates three foreign lines between frames, not four', () => {
    const head = ["thread 'main' panicked at src/a.rs:1:1:", 'boom', 'stack backtrace:', '   0: a::f'];
    const junk = (n: number) => Array.from({ length: n }, (_, i) => `other process ${i}`);
    expect(parseOne(rustParser, lines(...head, ...junk(3), '   1: a::main')).threads[0]!.frames).toHaveLength(2);
    const cut = parseWith(rustParser, lines(...head, ...junk(4), '   1: a::main'));
    expect(cut[0]!.threads[0]!.frames).toHaveLength(1);
    expect(cut[0]!.endLine).toBe(4);
  });
});
