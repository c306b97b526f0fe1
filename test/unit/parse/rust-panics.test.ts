// Rust: legacy symbol demangling, stack overflows, old rustc backtraces, symbolizer markup.
// samples/rust-stack-overflow.txt is rustc 1.95's output for test/programs/rust_overflow.rs (built
// with -O). The mangled names below are real: `nm` of a program built with
// `-Z unstable-options -C symbol-mangling-version=legacy`, checked against binutils' c++filt.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { demangleRustLegacy } from '../../../src/parse/rust-demangle.js';

const sample = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', '..', 'samples', name), 'utf8');
const one = (text: string) => {
  const { reports } = analyze(text, { rules: null });
  expect(reports).toHaveLength(1);
  return reports[0]!;
};

describe('legacy Rust demangling', () => {
  it('demangles as c++filt does, without the hash', () => {
    const cases: [string, string][] = [
      ['_ZN4core9panicking5panic17h0123456789abcdefE', 'core::panicking::panic'],
      ['_ZN6mangle6lookup17h0923fff684cbe75cE', 'mangle::lookup'],
      ['_ZN63_$LT$mangle..Wrapper$LT$T$GT$$u20$as$u20$core..fmt..Display$GT$3fmt17h3ab8e7be6c408713E', '<mangle::Wrapper<T> as core::fmt::Display>::fmt'],
      ['_ZN114_$LT$std..collections..hash..map..HashMap$LT$K$C$V$C$S$C$A$GT$$u20$as$u20$core..ops..index..Index$LT$$RF$Q$GT$$GT$5index17h202b00f6d20ccd99E',
        '<std::collections::hash::map::HashMap<K,V,S,A> as core::ops::index::Index<&Q>>::index'],
      ['_ZN3std3sys12thread_local6native4lazy20Storage$LT$T$C$D$GT$11get_or_init17hb8ba558bdbed4d5dE', 'std::sys::thread_local::native::lazy::Storage<T,D>::get_or_init'],
      ['__ZN3std2rt10lang_start17h1a2b3c4d5e6f7a8bE', 'std::rt::lang_start'], // macOS: one more underscore
      ['_ZN4core3ptr13drop_in_place17h0f1e2d3c4b5a6978E.llvm.12345678901234567', 'core::ptr::drop_in_place'],
      ['_ZN5alloc5boxed17Box$LT$$BP$u8$GT$3new17h0000000000000000E', 'alloc::boxed::Box<*u8>::new'],
    ];
    for (const [mangled, name] of cases) expect(demangleRustLegacy(mangled), mangled).toBe(name);
  });

  it('leaves C++ and other names alone', () => {
    for (const n of ['_ZN3foo3barEv', '_ZN3foo3barE', 'main', '_RNvCs1234_4main4main', 'core::panicking::panic', '_ZN3foo$XX$17h0123456789abcdefE', '_ZN99fooE']) {
      expect(demangleRustLegacy(n), n).toBeNull();
    }
  });
});

describe('Rust traces', () => {
  it('reads a stack overflow: a report without frames, SIGABRT, kind stack-overflow', () => {
    const r = one(sample('rust-stack-overflow.txt'));
    expect(r).toMatchObject({ format: 'rust', signal: 'SIGABRT', crashKind: 'stack-overflow', threads: [], crashedThread: null, source: { line: 2, endLine: 3 } });
    expect(r.signalDescription).toBe("thread 'main' has overflowed its stack");
    const named = one("thread 'worker-3' has overflowed its stack\nfatal runtime error: stack overflow\n");
    expect(named.signalDescription).toBe("thread 'worker-3' has overflowed its stack");
  });

  it("reads old rustc's backtraces: '- ' separators, hashes, 'at' lines", () => {
    const text = `thread 'main' panicked at 'called \`Option::unwrap()\` on a \`None\` value', /checkout/src/libcore/option.rs:335
stack backtrace:
   0:     0x55f0b0a8c3a3 - std::sys::imp::backtrace::tracing::imp::unwind_backtrace::h1a2b3c4d5e6f7a8b
                        at /checkout/src/libstd/sys/unix/backtrace/tracing/gcc_s.rs:49
   1:     0x55f0b0a8d5b4 - std::panicking::default_hook::{{closure}}::h2b3c4d5e6f7a8b9c
   2:     0x55f0b0a8e1c2 - std::panicking::rust_panic_with_hook::h3c4d5e6f7a8b9c0d
   3:     0x55f0b0a7f0d1 - core::panicking::panic::h4d5e6f7a8b9c0d1e
   4:     0x55f0b0a7e2a7 - _ZN6config4load17h5e6f7a8b9c0d1e2fE
   5:     0x55f0b0a7e3b8 - config::main::h6f7a8b9c0d1e2f3a
                        at src/main.rs:12
`;
    const r = one(text);
    expect(r).toMatchObject({ format: 'rust', crashKind: 'rust-panic', signal: null });
    const frames = r.threads[0]!.frames;
    expect(frames.map((f) => f.function)).toEqual([
      'std::sys::imp::backtrace::tracing::imp::unwind_backtrace', 'std::panicking::default_hook::{{closure}}',
      'std::panicking::rust_panic_with_hook', 'core::panicking::panic', 'config::load', 'config::main',
    ]);
    expect(frames[0]).toMatchObject({ address: '0x55f0b0a8c3a3', file: '/checkout/src/libstd/sys/unix/backtrace/tracing/gcc_s.rs', line: 49 });
    expect(frames[5]).toMatchObject({ file: 'src/main.rs', line: 12 });
    // TODO(skip list): `std::sys::imp::backtrace::*` (old rustc's backtrace machinery) is not skipped yet.
    expect(r.signatureFrames).toContain('config::load');
  });

  it('reads symbolizer markup after a panic, placing each pc in its module', () => {
    const text = `thread 'main' panicked at src/lib.rs:4:5:
it works!
{{{reset}}}
{{{module:0:<_>:elf:0123456789abcdef}}}
{{{mmap:0x2a2f1b0000:0x5000:load:0:rx:0x0}}}
{{{module:1:libc.so:elf:83238ab56ba10497}}}
{{{mmap:0x7acba69d5000:0x5a000:load:1:rx:0x1000}}}
   {{{bt:0:0x7acba69e1234:pc}}}
   {{{bt:1:0x2a2f1b1f4d:ra}}}
   {{{bt:2:0x10:ra}}}
`;
    const r = one(text);
    expect(r.threads[0]!.frames.map((f) => [f.address, f.function, f.module, f.moduleOffset])).toEqual([
      ['0x7acba69e1234', '??', 'libc.so', '0xd234'],
      ['0x2a2f1b1f4d', '??', '<_>', '0x1f4d'],
      ['0x10', '??', null, undefined],
    ]);
  });

  it('demangles legacy names in a RUST_BACKTRACE=full list and keeps unknown frames', () => {
    const r = one(`thread 'main' panicked at src/main.rs:3:5:
boom
stack backtrace:
   0:     0x55d1c3a2 - _ZN4core9panicking5panic17h0123456789abcdefE
   1:     0x55d1c3b7 - _ZN63_$LT$mangle..Wrapper$LT$T$GT$$u20$as$u20$core..fmt..Display$GT$3fmt17h3ab8e7be6c408713E
   2:     0x55d1c3c8 - <unknown>
`);
    expect(r.threads[0]!.frames.map((f) => f.rawFunction)).toEqual(['core::panicking::panic', '<mangle::Wrapper<T> as core::fmt::Display>::fmt', '??']);
  });

  // TODO(normalize/skip-list.ts): a name starting with "<" is taken for a debugger marker
  // ("<signal handler called>") and skipped, but Rust's trait-impl frames are "<T as Trait>::method".
  // Drop `.fails` once skipReason tells them apart.
  it('signs by a trait-impl frame "<T as Trait>::method"', () => {
    const r = one(`thread 'main' panicked at src/main.rs:3:5:
boom
stack backtrace:
   0:     0x55d1c3a2 - _ZN4core9panicking5panic17h0123456789abcdefE
   1:     0x55d1c3b7 - _ZN63_$LT$mangle..Wrapper$LT$T$GT$$u20$as$u20$core..fmt..Display$GT$3fmt17h3ab8e7be6c408713E
`);
    expect(r.signatureFrames[0]).toMatch(/^<mangle::Wrapper<.*> as core::fmt::Display>::fmt$/);
  });
});

describe('Rust backtraces across FFI', () => {
  it("marks a C++ caller's Itanium name for demangling (a Rust library called from C++)", () => {
    const r = analyze([
      "thread '<unnamed>' panicked at src/ffi.rs:88:42:",
      'called `Option::unwrap()` on a `None` value',
      'stack backtrace:',
      '   0: rust_begin_unwind',
      '   1: core::option::unwrap_failed',
      '   2: imgcore::ffi::imgcore_decode',
      '             at ./src/ffi.rs:88:42',
      '   3: _ZN9ImageView6reloadEv',
      '   4: _ZN9ImageView10paintEventEP11QPaintEvent',
      '',
    ].join('\n')).reports[0]!;
    expect(r.signatureFrames).toEqual(['imgcore::ffi::imgcore_decode', 'ImageView::reload', 'ImageView::paintEvent']);
  });
});
