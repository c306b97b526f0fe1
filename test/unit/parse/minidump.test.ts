// minidump_stackwalk output (parse/minidump.ts): the human form with registers between frames, the
// machine form (-m), and each OS's crash reason mapped to the signal that means the same fault.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { signalOfCrashReason } from '../../../src/parse/minidump.js';
import { samplePath } from '../../support/samples.js';

const reportsOf = (text: string) => analyze(text, { rules: null }).reports;
const only = (text: string) => {
  const reports = reportsOf(text);
  expect(reports).toHaveLength(1);
  return reports[0]!;
};
const crashed = (r: ReturnType<typeof only>) => r.threads[r.crashedThread!]!;

describe('minidump parser', () => {
  it('reads the human form: headers, "(crashed)" thread, frames between register lines, module offsets', () => {
    const r = only(readFileSync(samplePath('minidump-stackwalk-linux.txt'), 'utf8'));
    expect(r.format).toBe('minidump');
    expect([r.signal, r.signalDescription, r.faultAddress]).toEqual(['SIGSEGV', 'SEGV_MAPERR', '0x18']);
    expect(r.threads.map((t) => [t.id, t.frames.length])).toEqual([['0', 4], ['1', 2]]);
    const frames = crashed(r).frames;
    expect(frames[0]).toMatchObject({ fullFunction: 'Napi::ObjectWrap<Canvas>::Unwrap', function: 'Napi::ObjectWrap<>::Unwrap', module: 'addon.node', file: 'napi-inl.h', line: 4210 });
    expect(frames[2]).toMatchObject({ function: '??', module: 'electron', moduleOffset: '0x58c4a31' });
    expect(frames[3]).toMatchObject({ function: '??', module: null, address: '0x3e6f00a0b4c3' });
    expect(r.signatureText).toBe('SIGSEGV | Napi::ObjectWrap<>::Unwrap | Canvas::Draw');
    // "Loaded modules:" ends the report.
    const lines = readFileSync(samplePath('minidump-stackwalk-linux.txt'), 'utf8').split('\n');
    expect(r.source.endLine).toBeLessThan(lines.findIndex((l) => l.startsWith('Loaded modules:')) + 1);
  });

  it('reads the machine form: the Crash line names the crashed thread; no function means a module offset', () => {
    const r = only(readFileSync(samplePath('minidump-stackwalk-machine.txt'), 'utf8'));
    expect([r.signal, r.signalDescription, r.faultAddress]).toEqual(['SIGSEGV', 'EXCEPTION_ACCESS_VIOLATION_WRITE', '0x0000000000000010']);
    expect(crashed(r).id).toBe('3');
    expect(crashed(r).frames[0]).toMatchObject({ function: 'gfx::TextureCache::evict', file: 'c:\\build\\src\\gfx\\texture_cache.cpp', line: 142, address: null });
    expect(crashed(r).frames[3]).toMatchObject({ function: '??', module: 'renderer.exe', moduleOffset: '0x3a21f0' });
  });

  it('strips symbol-server source paths and Rust legacy hashes', () => {
    const r = only([
      'Crash|EXCEPTION_ILLEGAL_INSTRUCTION|0x7ffc41f2f276|0',
      '0|0|xul.dll|std::panicking::begin_panic<&str>::h4d68aac0b79bfb98|git:github.com/rust-lang/rust:src/libstd/panicking.rs:0ade3394|511|0x12',
      '0|1|xul.dll|style::Color::to_computed::h0123456789abcdef|hg:hg.mozilla.org/mozilla-central:servo/style/color.rs:37b95547f0d2|288|0xc',
    ].join('\n'));
    expect(r.signal).toBe('SIGILL');
    expect(crashed(r).frames.map((f) => [f.function, f.file])).toEqual([['std::panicking::begin_panic<>', 'src/libstd/panicking.rs'], ['style::Color::to_computed', 'servo/style/color.rs']]);
  });

  it.each([
    ['SIGSEGV /SEGV_MAPERR', 'SIGSEGV'], ['SIGABRT', 'SIGABRT'], ['EXC_BAD_ACCESS / KERN_INVALID_ADDRESS', 'SIGSEGV'],
    ['EXC_BAD_ACCESS / KERN_PROTECTION_FAILURE', 'SIGBUS'], ['EXC_BAD_INSTRUCTION / EXC_I386_INVOP', 'SIGILL'],
    ['EXCEPTION_ACCESS_VIOLATION_READ', 'SIGSEGV'], ['EXCEPTION_STACK_OVERFLOW', 'SIGSEGV'], ['EXCEPTION_INT_DIVIDE_BY_ZERO', 'SIGFPE'],
    ['EXCEPTION_BREAKPOINT', 'SIGTRAP'], ['EXC_CRASH / SIGABRT', 'SIGABRT'], ['0xc0000409 / 0x00000007', null],
  ])('maps the crash reason %s to %s', (reason, signal) => {
    expect(signalOfCrashReason(reason)).toBe(signal);
  });

  it('finds nothing in a header without frames, and keeps two dumps apart', () => {
    expect(reportsOf('Crash reason:  SIGSEGV\nCrash address: 0x0\n\nno threads were dumped\n')).toEqual([]);
    const two = reportsOf(['Crash|SIGSEGV|0x0|0', '0|0|a.so|f|||0x1', 'OS|Linux|6.1', 'Crash|SIGABRT|0x0|0', '0|0|b.so|g|||0x2'].join('\n'));
    expect(two.map((r) => [r.signal, r.threads[0]!.frames[0]!.function])).toEqual([['SIGSEGV', 'f'], ['SIGABRT', 'g']]);
  });
});
