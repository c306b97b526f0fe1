import { describe, expect, it } from 'vitest';
import { normalizeFunctionName } from '../../../src/normalize/function-name.js';
import { cleanLine } from '../../../src/source/clean.js';
import { isSkippedFrame } from '../../../src/normalize/skip-list.js';
import { computeSignature } from '../../../src/normalize/signature.js';
import { analyze } from '../../../src/pipeline.js';
import type { Frame } from '../../../src/model.js';

describe('normalizeFunctionName', () => {
  const cases: [string, string, string][] = [
    // [as printed, full, short]
    ['crash (p=0x0)', 'crash', 'crash'],
    ['main ()', 'main', 'main'],
    ['?? ()', '??', '??'],
    ['std::thread::join() ()', 'std::thread::join', 'std::thread::join'],
    ['app::(anonymous namespace)::Box<int>::get (this=0x7ffff6a1ad28)', 'app::(anonymous namespace)::Box<int>::get', 'app::(anonymous namespace)::Box<>::get'],
    ['(anonymous namespace)::helper (x=1)', '(anonymous namespace)::helper', '(anonymous namespace)::helper'],
    ['operator() (__closure=0x7ffff6a1ad90, k=2)', 'operator()', 'operator()'],
    // A lambda keeps its linkage name in full; matching uses what gdb prints from DWARF.
    ['main::{lambda(int)#1}::operator()(int) const', 'main::{lambda(int)#1}::operator()', 'operator()'],
    ['run()::{lambda()#1}::operator()() const', 'run()::{lambda()#1}::operator()', 'operator()'],
    ['std::__invoke_impl<void, void (*)(int), int> (__f=@0x55: 0x5 <app::work(int)>)', 'std::__invoke_impl<void, void (*)(int), int>', 'std::__invoke_impl<>'],
    ['void std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>(iterator, int const&)', 'std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>', 'std::vector<>::_M_realloc_insert<>'],
    ['foo(int) [clone .isra.0]', 'foo', 'foo'],
    ['bar.constprop.0 (x=3)', 'bar', 'bar'],
    ['baz.part.0.cold ()', 'baz', 'baz'],
    ['std::__cxx11::basic_string<char>::_M_create[abi:cxx11](unsigned long&, unsigned long)', 'std::__cxx11::basic_string<char>::_M_create', 'std::__cxx11::basic_string<>::_M_create'],
    ['std::operator<< <std::char_traits<char> > (__out=..., __s=0x0)', 'std::operator<< <std::char_traits<char> >', 'std::operator<< <>'],
    ['Foo::operator< (this=0x1, o=...)', 'Foo::operator<', 'Foo::operator<'],
    ['operator new (sz=8)', 'operator new', 'operator new'],
    ['operator delete[](void*) ()', 'operator delete[]', 'operator delete[]'],
    ['f (s=0x4006 "a) (b", c=60 \'<\')', 'f', 'f'],
    ['<signal handler called>', '<signal handler called>', '<signal handler called>'],
    ['std::function<void (int)>::operator()(int) const', 'std::function<void (int)>::operator()', 'std::function<>::operator()'],
  ];
  for (const [raw, full, short] of cases) {
    it(`normalizes ${raw}`, () => {
      expect(normalizeFunctionName(raw)).toEqual({ full, short });
    });
  }
});

describe('cleanLine', () => {
  it('strips CI timestamps, ANSI colours, CR and pid prefixes', () => {
    expect(cleanLine('2025-01-02T03:04:05.1234567Z #0  main () at a.c:3\r')).toBe('#0  main () at a.c:3');
    expect(cleanLine('\x1b[31m#0\x1b[0m  main ()')).toBe('#0  main ()');
    expect(cleanLine('[pid 1234] #1  0x1 in f ()')).toBe('#1  0x1 in f ()');
    expect(cleanLine('[2025-01-02 03:04:05] Thread 1 (LWP 5):')).toBe('Thread 1 (LWP 5):');
  });
  it('leaves ordinary lines alone', () => {
    expect(cleanLine('[Current thread is 1 (LWP 5)]')).toBe('[Current thread is 1 (LWP 5)]');
    expect(cleanLine('5\t  *p = 1;')).toBe('5\t  *p = 1;');
  });
});

describe('skip list', () => {
  it('skips glibc machinery by function and location', () => {
    expect(isSkippedFrame({ function: 'raise', module: '/lib/x86_64-linux-gnu/libc.so.6', file: null })).toBe(true);
    expect(isSkippedFrame({ function: '__GI_abort', module: null, file: './stdlib/abort.c' })).toBe(true);
    expect(isSkippedFrame({ function: 'raise', module: null, file: null })).toBe(true);
  });
  it('does not skip a user function of the same name', () => {
    expect(isSkippedFrame({ function: 'raise', module: null, file: 'src/alarm.c' })).toBe(false);
    expect(isSkippedFrame({ function: 'free', module: '/usr/lib/libmyalloc.so', file: null })).toBe(false);
  });
  it('skips by location alone only with a location: C++ library headers, harness sources', () => {
    expect(isSkippedFrame({ function: 'operator[]', module: null, file: '/usr/include/c++/12/bits/stl_vector.h' })).toBe(true);
    expect(isSkippedFrame({ function: 'size', module: null, file: 'third_party/libc++/src/include/__hash_table' })).toBe(true);
    expect(isSkippedFrame({ function: 'Run', module: null, file: 'third_party/googletest/src/googletest/src/gtest.cc' })).toBe(true);
    expect(isSkippedFrame({ function: 'size', module: null, file: null })).toBe(false);
    expect(isSkippedFrame({ function: 'size', module: null, file: 'src/include/buffer.h' })).toBe(false);
  });
});

describe('signature of a stack overflow', () => {
  const frame = (name: string, index: number): Frame => ({ index, address: null, function: name, fullFunction: name, rawFunction: name, module: null, file: 'src/p.c', line: 1, column: null, inlined: false, raw: name });
  const stack = (...names: string[]) => names.map(frame);
  it('signs by the recursion, not by what ran when the stack ran out', () => {
    const cycle = ['parse_list', 'parse_item', 'parse_list', 'parse_item', 'parse_list', 'parse_item', 'parse_list'];
    const a = computeSignature('stack-overflow', stack('memcmp_helper', 'is_keyword', ...cycle));
    const b = computeSignature('stack-overflow', stack('alloc_token', ...cycle));
    expect(a.signatureFrames).toEqual(['parse_list', 'parse_item', 'parse_list']);
    expect(b.signature).toBe(a.signature);
  });
  it('leaves other crash kinds and stacks without a cycle alone', () => {
    expect(computeSignature('SEGV', stack('f', 'g', 'g', 'g', 'g')).signatureFrames).toEqual(['f', 'g', 'g']);
    expect(computeSignature('stack-overflow', stack('f', 'g', 'h', 'main')).signatureFrames).toEqual(['f', 'g', 'h']);
  });
});

describe('globs', () => {
  // Reference: the obvious regex translation. The matcher takes a faster path for `*`-only globs.
  const reference = (glob: string, text: string, ci: boolean) =>
    new RegExp('^' + [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('') + '$', ci ? 'is' : 's').test(text);

  it('agree with the regex translation on random globs and texts', async () => {
    const fc = (await import('fast-check')).default;
    const { compileGlob } = await import('../../../src/normalize/glob.js');
    const glob = fc.array(fc.constantFrom('a', 'b', 'A', ':', '*', '?', '.'), { maxLength: 8 }).map((a) => a.join(''));
    const text = fc.array(fc.constantFrom('a', 'b', 'A', ':', '.'), { maxLength: 10 }).map((a) => a.join(''));
    fc.assert(
      fc.property(glob, text, fc.boolean(), (g, t, ci) => compileGlob(g, { caseInsensitive: ci })(t) === reference(g, t, ci)),
      { numRuns: 5000 },
    );
  });

  it('match log patterns by their literal runs', async () => {
    const { compileGlob } = await import('../../../src/normalize/glob.js');
    const m = compileGlob('*Got EOF of Socket{*');
    expect(m('E1125 shard_client.cpp:88] [E1014]Got EOF of Socket{id=1 fd=2}')).toBe(true);
    expect(m('Got EOF of Socket')).toBe(false);
    expect(compileGlob('a*a')('a')).toBe(false);
    expect(compileGlob('ab*ba')('aba')).toBe(false);
  });
});

describe('Windows spellings', () => {
  it('reads "`anonymous namespace\'" as (anonymous namespace)', () => {
    expect(normalizeFunctionName("v8::internal::`anonymous namespace'::GenerateSourceString(int)").short).toBe('v8::internal::(anonymous namespace)::GenerateSourceString');
  });
});

describe('very long names', () => {
  it('keep their ends: two 10,000-character instantiations that differ at the end stay apart', () => {
    const prefix = `ns::Big<${'std::vector<int>, '.repeat(600)}`;
    const a = normalizeFunctionName(`${prefix}int>::read(int) const`);
    const b = normalizeFunctionName(`${prefix}long>::write(char*)`);
    expect([a.short, b.short]).toEqual(['ns::Big<>::read', 'ns::Big<>::write']);
    expect(a.full).not.toBe(b.full);
    expect(a.full.endsWith('int>::read')).toBe(true);
  });
});

describe('signal handler frames (real gdb 13 stacks)', () => {
  it('skips a crash handler that aborts: the fault is below <signal handler called>', () => {
    const text = `Program received signal SIGABRT, Aborted.
#0  __pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=6, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44
#1  0x00007ffff7e5ff4f in __pthread_kill_internal (signo=6, threadid=<optimized out>) at ./nptl/pthread_kill.c:78
#2  0x00007ffff7e10fb2 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26
#3  0x00007ffff7dfb472 in __GI_abort () at ./stdlib/abort.c:79
#4  0x00005555555551ab in on_fatal (s=11) at h2.c:4
#5  <signal handler called>
#6  0x00005555555551b7 in crash (p=0x0) at h2.c:5
#7  0x00005555555551e2 in main () at h2.c:6
`;
    expect(analyze(text, { rules: null }).reports[0]!.signatureFrames).toEqual(['crash', 'main']);
  });
  it('keeps a handler that faulted itself (no abort, raise or logging in it): its frames are the bug', () => {
    const text = `Program received signal SIGSEGV, Segmentation fault.
#0  label () at h.c:4
#1  0x000055555555516d in handler (s=10) at h.c:5
#2  <signal handler called>
#3  __pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=10, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44
#4  0x00007ffff7e5ff4f in __pthread_kill_internal (signo=10, threadid=<optimized out>) at ./nptl/pthread_kill.c:78
#5  0x00007ffff7e10fb2 in __GI_raise (sig=10) at ../sysdeps/posix/raise.c:26
#6  0x0000555555555192 in main () at h.c:6
`;
    expect(analyze(text, { rules: null }).reports[0]!.signatureFrames).toEqual(['label', 'handler', 'main']);
  });
});
