// A runtime's frameless verdict (Rust's stack-overflow line, a panic without RUST_BACKTRACE) followed
// by a debugger's stack of the same death: the debugger's report comes first, signed and diagnosed
// with the runtime's verdict; the frameless report stays, second.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const gdbAbort = [
  'Program received signal SIGABRT, Aborted.',
  '0x00007ffff7c969fc in __pthread_kill_implementation () from /lib/x86_64-linux-gnu/libc.so.6',
  '(gdb) bt',
  '#0  0x00007ffff7c969fc in __pthread_kill_implementation () from /lib/x86_64-linux-gnu/libc.so.6',
  '#1  0x00007ffff7c42476 in raise () from /lib/x86_64-linux-gnu/libc.so.6',
  '#2  0x00007ffff7c287f3 in abort () from /lib/x86_64-linux-gnu/libc.so.6',
  '#3  0x0000555555f8a2b7 in std::sys::pal::unix::abort_internal ()',
  '#4  0x00005555557d20e4 in shard::Index::lookup ()',
  '#5  0x00005555557d2311 in shard::main ()',
];

describe('a runtime verdict without frames, then the debugger', () => {
  it("reads Rust's stack-overflow line with the debugger's stack", () => {
    const text = ["thread 'main' has overflowed its stack", 'fatal runtime error: stack overflow', '', ...gdbAbort].join('\n');
    const [first, second] = analyze(text).reports;
    expect(first!.format).toBe('gdb');
    expect(first!.crashKind).toBe('stack-overflow');
    expect(first!.signatureText.startsWith('stack-overflow | shard::Index::lookup')).toBe(true);
    expect(first!.diagnoses[0]!.category).toBe('stack-overflow');
    expect(first!.abortMessage).toMatch(/overflowed its stack/);
    expect(second!.format).toBe('rust');
  });

  it("reads a panic's message with the debugger's stack", () => {
    const text = ["thread 'main' panicked at src/index.rs:88:21:", 'called `Option::unwrap()` on a `None` value',
      'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace', '', ...gdbAbort].join('\n');
    const [first] = analyze(text).reports;
    expect(first!.format).toBe('gdb');
    expect(first!.crashKind).toBe('rust-panic');
    expect(first!.signatureFrames[0]).toBe('shard::Index::lookup');
    expect(first!.abortMessage).toMatch(/Option::unwrap/);
  });

  it('leaves a debugger stack far below the verdict alone (another death)', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `log line ${i}`);
    const text = ["thread 'main' has overflowed its stack", 'fatal runtime error: stack overflow', ...filler, ...gdbAbort].join('\n');
    const [first, second] = analyze(text).reports;
    expect(first!.format).toBe('rust');
    expect(second!.crashKind).toBe('SIGABRT');
  });

  it('leaves a verdict printed after the debugger stack alone', () => {
    const text = [...gdbAbort, '', "thread 'main' has overflowed its stack", 'fatal runtime error: stack overflow'].join('\n');
    const [first] = analyze(text).reports;
    expect(first!.format).toBe('gdb');
    expect(first!.crashKind).toBe('SIGABRT');
  });
});
