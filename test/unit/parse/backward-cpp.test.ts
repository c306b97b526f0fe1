// backward-cpp (parse/backward-cpp.ts): most recent call last or first, Object and Source lines,
// inlined callers after "|", code snippets, the signal handler's last line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backwardCppParser } from '../../../src/parse/backward-cpp.js';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith, where } from './feed.js';

describe('backward-cpp parser', () => {
  it('reads a most-recent-call-last trace: #0 first, inlined callers, snippets skipped, signal and address', () => {
    const t = parseOne(backwardCppParser, readFileSync(samplePath('backward-cpp-segv.txt'), 'utf8'));
    expect(t.format).toBe('backward-cpp');
    expect([t.signal, t.faultAddress]).toEqual(['SIGSEGV', '0x10']);
    expect(t.signalDescription).toBe('Address not mapped to object [0x10]');
    expect(t.threads.map((th) => [th.id, th.lwp])).toEqual([['28114', 28114]]);
    expect(t.hints).toEqual([{ threadId: '28114', reason: 'received-signal' }]);
    const frames = t.threads[0]!.frames;
    expect(where(frames)).toEqual([
      ['Texture::texel(int, int) const', null, null],
      ['Texture::sample(Vec2) const', '/home/dev/raytrace/src/texture.cpp', 19],
      ['Material::shade(Hit const&) const', '/home/dev/raytrace/src/material.cpp', 55],
      ['Bvh::Node::hit(Ray const&) const', '/home/dev/raytrace/src/bvh.h', 23],
      ['Bvh::intersect(Ray const&) const', '/home/dev/raytrace/src/bvh.h', 41],
      ['Renderer::trace(Ray const&, int)', '/home/dev/raytrace/src/renderer.cpp', 97],
      ['Renderer::render_frame()', '/home/dev/raytrace/src/renderer.cpp', 140],
      ['main', '/home/dev/raytrace/src/main.cpp', 64],
      ['__libc_start_main', null, null],
    ]);
    expect(frames.map((f) => f.inlined)).toEqual([false, false, false, true, true, false, false, false, false]);
    expect(frames[0]).toMatchObject({ module: '/home/dev/raytrace/build/raytrace', address: '0x5581f2a54e70' });
    expect(frames[3]!.address).toBe('0x5581f2a5104e');
    // The program's own log lines before the header are not the trace's.
    expect(t.startLine).toBe(3);
  });

  it('reads a most-recent-call-first trace, quoted in an e-mail reply, with an abort', () => {
    const t = parseOne(backwardCppParser, lines(
      '> Stack trace (most recent call first):',
      '> #0    Object "/lib64/libc.so.6", at 0x7f540b5595d7, in raise',
      '> #1    Object "/lib64/libc.so.6", at 0x7f540b55acc7, in abort',
      '> #2    Source "src/db.cpp", line 210, in db::Txn::commit() [0x4019d8]',
      '>        209:   if (!ok)',
      '>      > 210:     std::abort();',
      '> #3    Object "[0xffffffffffffffff]", at 0xffffffffffffffff, in',
      '> Aborted (Signal sent by tkill() 85950 1000)',
    ).replace(/^> /gm, ''));
    expect([t.signal, t.faultAddress]).toEqual(['SIGABRT', null]);
    // Quoted as a mail client quotes it: the pipeline's line cleaning removes the quoting.
    const quoted = analyze(lines(
      '> Stack trace (most recent call first):',
      '> #0    Object "/lib64/libc.so.6", at 0x7f540b5595d7, in raise',
      '> #1    Source "src/db.cpp", line 210, in db::Txn::commit() [0x4019d8]',
      '>      > 210:     std::abort();',
      '> #2    Source "src/main.cpp", line 12, in main [0x401a00]',
      '> Aborted (Signal sent by tkill() 85950 1000)',
    ), { rules: null }).reports;
    expect(quoted.map((r) => [r.format, r.signal, r.threads[0]!.frames.map((f) => f.function)])).toEqual([['backward-cpp', 'SIGABRT', ['raise', 'db::Txn::commit', 'main']]]);
    expect(where(t.threads[0]!.frames)).toEqual([['raise', null, null], ['abort', null, null], ['db::Txn::commit()', 'src/db.cpp', 210], ['??', null, null]]);
    expect(t.threads[0]!.frames[3]!.module).toBeNull();
    expect(t.threads[0]!.id).toBe('1');
  });

  it('reads a trace pasted without its header, and splits when numbering repeats', () => {
    const traces = parseWith(backwardCppParser, lines(
      '#1    Source "a.cpp", line 3, in f() [0x10]',
      '#0    Source "a.cpp", line 9, in g() [0x20]',
      'Floating point exception (Integer divide by zero [0x20])',
      '#0    Object "/bin/x", at 0x30, in h',
    ));
    expect(traces.map((t) => [t.signal, t.faultAddress, t.threads[0]!.frames.map((f) => f.rawFunction)])).toEqual([['SIGFPE', null, ['g()', 'f()']], [null, null, ['h']]]);
  });

  it('reads the Windows shape: the frame number alone, then "path(line): function", addresses without 0x', () => {
    const t = parseOne(backwardCppParser, lines(
      'Stack trace (most recent call last):',
      '#3    Object "", at 00007FFE109B7614, in BaseThreadInitThunk',
      '#2 ',
      '   C:\\build\\app\\src\\main.cpp(41): main',
      '         40:   auto n = parse(argv[1]);',
      '      >  41:   return run(n);',
      '#1 ',
      '   C:\\build\\app\\src\\run.cpp(12): run',
      '#0 ',
      '   C:\\build\\app\\src\\run.cpp(7): step',
    ));
    expect(where(t.threads[0]!.frames)).toEqual([
      ['step', 'C:\\build\\app\\src\\run.cpp', 7], ['run', 'C:\\build\\app\\src\\run.cpp', 12],
      ['main', 'C:\\build\\app\\src\\main.cpp', 41], ['BaseThreadInitThunk', null, null],
    ]);
    expect(t.threads[0]!.frames[3]!.address).toBe('0x7ffe109b7614');
  });

  it('reads nothing from prose that mentions a stack trace or a Source line', () => {
    expect(parseWith(backwardCppParser, lines('Stack trace (most recent call last):', 'nothing was captured', '', 'See Source "x.cpp" for details'))).toEqual([]);
  });
});
