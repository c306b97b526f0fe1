// Clues in arguments and `bt full` locals: null, empty smart pointers, unreadable and freed-pattern
// values, each with why it matters; and the library name two copies of a library share.
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../src/model.js';
import { classifyValue, fillPattern, findClues, frameArguments, frameLocals, splitTopLevel } from '../../../src/rules/clues.js';
import { libraryStem } from '../../../src/rules/conditions.js';

const frame = (raw: string, locals: string[] = []): Frame => ({
  index: 0, address: null, function: raw.slice(0, raw.indexOf(' ')), fullFunction: raw, rawFunction: raw, module: null, file: null, line: null, column: null, inlined: false, raw, locals,
});

describe('clues', () => {
  it('splits argument lists at top-level commas only', () => {
    expect(splitTopLevel('a=1, b={x = 2, y = 3}, s=0x55 "a, b", m=0x5 <main::sock>')).toEqual(['a=1', 'b={x = 2, y = 3}', 's=0x55 "a, b"', 'm=0x5 <main::sock>']);
  });

  it('reads gdb and lldb arguments, @entry values included', () => {
    expect(frameArguments(frame('f (this=0x0, p=p@entry=0x0, n=3)')).map((a) => [a.name, a.value])).toEqual([['this', '0x0'], ['p', '0x0'], ['n', '3']]);
    expect(frameArguments(frame('apply_config(cfg=0x0000000000000000)')).map((a) => a.value)).toEqual(['0x0000000000000000']);
    expect(frameLocals(frame('f ()', ['cfg = 0x0', 'No locals.'])).map((l) => l.name)).toEqual(['cfg']);
  });

  it("reads Microsoft's debuggers' arguments after their types (Visual Studio, WinDbg kp)", () => {
    expect(frameArguments(frame('net::Session::port(net::Session * this=0x0000000000000000, const char * & name=0x00007ff6a1b2c3d4 "x=1", int n=3)')).map((a) => [a.name, a.value])).toEqual([
      ['this', '0x0000000000000000'], ['name', '0x00007ff6a1b2c3d4 "x=1"'], ['n', '3'],
    ]);
    const kp = frameArguments(frame('scene::Mesh::upload(class scene::Buffer * buf = 0x00000000`00000000, int pass = 0n2)'));
    expect(kp.map((a) => [a.name, a.value])).toEqual([['buf', '0x0000000000000000'], ['pass', '0n2']]);
    expect(classifyValue(kp[0]!, 'scene::Mesh::upload')?.kind).toBe('null');
  });

  it('classifies values', () => {
    const kind = (value: string, where: 'argument' | 'local' = 'local') => classifyValue({ name: 'p', value, text: value, where }, 'f')?.kind ?? null;
    expect(kind('0x0')).toBe('null');
    expect(kind('0x0000000000000000')).toBe('null');
    expect(kind('std::shared_ptr<Engine> (empty) = {get() = 0x0}')).toBe('empty-smart-pointer');
    expect(kind('std::unique_ptr<Conn> = {get() = 0x0}')).toBe('empty-smart-pointer');
    expect(kind('std::shared_ptr<Engine> (use count 1, weak count 0) = {get() = 0x55d0a2c3d500}')).toBeNull();
    expect(kind('<error reading variable: Cannot access memory at address 0x7fffff7fef8c>')).toBe('stack-unreadable');
    expect(kind('<error: Cannot access memory at address 0x18>')).toBe('unreadable');
    expect(kind('0x5a5a5a5a5a5a5a5a')).toBe('freed-pattern');
    expect(kind('0xdeadbeefdeadbf07')).toBe('freed-pattern');
    expect(kind('0xfeeefeee')).toBe('freed-pattern');
    expect(kind('{next = 0x0, len = 3}')).toBe('null-member');
    expect(kind('0x55d1c3a5a5b0')).toBeNull();
    expect(kind('0')).toBeNull();
    expect(classifyValue({ name: 'this', value: '0x0', text: 'this=0x0', where: 'argument' }, 'Cache::lookup')?.why).toMatch(/called on a null object/);
    // A near-null this (class: a method called on a member of a null pointer); other small values are no pointers.
    expect(classifyValue({ name: 'this', value: '0x10', text: 'this=0x10', where: 'argument' }, 'Cell::text')?.kind).toBe('null');
    expect(classifyValue({ name: 'this', value: '0x0000000000000018', text: 'this=0x0000000000000018', where: 'argument' }, 'Cell::text')?.kind).toBe('null');
    expect(classifyValue({ name: 'this', value: '0x55d1c3a5a5b0', text: 'this=0x55d1c3a5a5b0', where: 'argument' }, 'Cell::text')).toBeNull();
    expect(classifyValue({ name: 'n', value: '0x10', text: 'n=0x10', where: 'argument' }, 'Cell::text')).toBeNull();
  });

  it('names each fill pattern', () => {
    expect(fillPattern('0xbebebebebebebebe')).toMatch(/tcmalloc/);
    expect(fillPattern('0xdddddddd')).toMatch(/MSVC/);
    expect(fillPattern('0xa5a5a5a5a5a5a5a5')).toMatch(/jemalloc/);
    expect(fillPattern('0x7ffff7a1b2c3')).toBeNull();
    expect(fillPattern('0x5555555555555565')).toMatch(/MallocScribble/);
    expect(fillPattern('0x555555555169')).toBeNull(); // a PIE program's code under gdb
    expect(fillPattern('0x6b6b6b6b6b6b6b7b')).toMatch(/POISON_FREE/);
    // The kernel's list poison, either link (a list entry used after list_del()); not any 0xdead... address.
    expect(fillPattern('0xdead000000000122')).toMatch(/LIST_POISON/);
    expect(fillPattern('0xdead000000000100')).toMatch(/LIST_POISON/);
    expect(fillPattern('0xdead00000badc0de')).toBeNull();
  });

  it('finds clues in the crashing frame and its caller with the frame they were on', () => {
    const t = { id: '1', name: null, lwp: null, crashed: true, frames: [frame('apply_config (cfg=0x0)'), { ...frame('load_config (path=0x5555 "x")', ['cfg = 0x0']), index: 1 }] };
    expect(findClues(t, [0, 1]).map((c) => [c.frame, c.text, c.kind])).toEqual([[0, 'cfg=0x0', 'null'], [1, 'cfg = 0x0', 'null']]);
  });

  it('gives two versions of one library the same name', () => {
    expect(libraryStem('/usr/lib/libprotobuf.so.32')).toBe('libprotobuf');
    expect(libraryStem('/opt/x/libprotobuf.so.3.21.12')).toBe('libprotobuf');
    expect(libraryStem('libssl.so.1.1')).toBe('libssl');
    expect(libraryStem('libfoo-2.1.so')).toBe('libfoo');
  });
});
