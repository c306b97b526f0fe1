// The parsers' shared frame (src/parse/framework.ts): span, foreign-line budget, frame cap, the merge
// of a stack a debugger printed twice, and the diagnostics of frame-like lines no parser read.
import { describe, expect, it } from 'vitest';
import { CappedStack, cappedStackNotes, ForeignBudget, mergeHeaderlessCopy, pushCapped, ThreadBook, TraceSpan, unreadableFrameLines } from '../../../src/parse/framework.js';
import { MAX_FRAMES_PER_THREAD, type CrashedThreadHint, type ParsedFrame, type ParsedThread } from '../../../src/parse/types.js';

const frame = (index: number, rawFunction: string, address: string | null = `0x${(0x1000 + index).toString(16)}`): ParsedFrame => ({
  index, address, rawFunction, module: null, file: null, line: null, column: null, inlined: false, raw: `#${index} ${rawFunction}`,
});
const thread = (id: string, ...names: string[]): ParsedThread => ({ id, name: null, lwp: null, frames: names.map((n, i) => frame(i, n)) });

describe('TraceSpan and ForeignBudget', () => {
  it('spans from the first line fed to the last taken; maybe lines spend the budget, a taken line restores it', () => {
    const span = new TraceSpan(new ForeignBudget(2));
    span.open(10);
    expect(span.account('take', 10)).toBe('take');
    expect(span.account('maybe', 11)).toBe('maybe');
    expect(span.account('maybe', 12)).toBe('maybe');
    expect(span.account('take', 13)).toBe('take');
    expect(span.account('maybe', 14)).toBe('maybe');
    expect(span.account('maybe', 15)).toBe('maybe');
    expect(span.account('maybe', 16)).toBe('end');
    expect([span.start, span.end]).toEqual([10, 13]);
  });
  it('without a budget a foreign line stays maybe; split and end pass through', () => {
    const span = new TraceSpan();
    for (let i = 0; i < 1000; i++) expect(span.account('maybe', i + 1)).toBe('maybe');
    expect(span.account('split', 1001)).toBe('split');
    expect(span.account('end', 1002)).toBe('end');
    expect(span.start).toBe(0); // nothing taken, nothing opened
  });
});

describe('the frame cap', () => {
  it('keeps MAX_FRAMES_PER_THREAD frames and counts the rest', () => {
    const t: ParsedThread = { id: '1', name: null, lwp: null, frames: [] };
    for (let i = 0; i < MAX_FRAMES_PER_THREAD + 5; i++) pushCapped(t, frame(i, 'f'));
    expect([t.frames.length, t.droppedFrames]).toEqual([MAX_FRAMES_PER_THREAD, 5]);
    const s = new CappedStack();
    for (let i = 0; i < MAX_FRAMES_PER_THREAD + 2; i++) s.push((index) => frame(index, 'g'));
    expect([s.frames.length, s.dropped, s.count, s.thread(7).droppedFrames, s.thread(7).lwp]).toEqual([MAX_FRAMES_PER_THREAD, 2, MAX_FRAMES_PER_THREAD + 2, 2, 7]);
  });
  it('gives the note a capped stack carries, one per capped thread', () => {
    expect(cappedStackNotes([{ id: '3', frames: [1, 2], droppedFrames: 1 }, { id: '', frames: [1], droppedFrames: 4 }, { id: '4', frames: [] }])).toEqual([
      'thread 3: 1 frame beyond the 2 kept were not read (the stack was capped)',
      'the stack: 4 frames beyond the 1 kept were not read (the stack was capped)',
    ]);
  });
});

describe('ThreadBook', () => {
  const same = (name: string) => (first: ParsedFrame) => first.rawFunction === name;
  it('a repeated header with the same top frame replaces the earlier copy', () => {
    const book = new ThreadBook({ restartUnderHeader: 'split' });
    book.header({ id: '1', name: 'a', lwp: null, frames: [] });
    pushCapped(book.threadFor(0, same('f')) as ParsedThread, frame(0, 'f'));
    expect(book.header({ id: '1', name: 'a', lwp: null, frames: [] })).toBe(book.threads[0]);
    const again = book.threadFor(0, same('f'));
    expect(again).toBe(book.threads[0]);
    expect((again as ParsedThread).frames).toEqual([]);
    expect(book.threads).toHaveLength(1);
  });
  it('a repeated header with another stack, or starting past #0, is another trace', () => {
    const book = new ThreadBook({ restartUnderHeader: 'split' });
    book.header({ id: '1', name: null, lwp: null, frames: [] });
    pushCapped(book.threadFor(0, same('f')) as ParsedThread, frame(0, 'f'));
    book.header({ id: '1', name: null, lwp: null, frames: [] });
    expect(book.threadFor(0, same('g'))).toBe('split');
    book.header({ id: '1', name: null, lwp: null, frames: [] });
    expect(book.threadFor(2, same('f'))).toBe('split');
  });
  it("frames restarting at #0 under a header: lldb's rule splits, gdb's goes to the headerless copy", () => {
    for (const rule of ['split', 'headerless'] as const) {
      const book = new ThreadBook({ restartUnderHeader: rule });
      book.header({ id: '1', name: null, lwp: null, frames: [] });
      pushCapped(book.threadFor(0, same('f')) as ParsedThread, frame(0, 'f'));
      const next = book.threadFor(0, same('f'));
      if (rule === 'split') expect(next).toBe('split');
      else expect((next as ParsedThread).id).toBe('');
    }
  });
  it('frame numbers going back without a #0 split', () => {
    const book = new ThreadBook({ restartUnderHeader: 'headerless' });
    const t = book.threadFor(0, same('x')) as ParsedThread;
    pushCapped(t, frame(0, 'a'));
    pushCapped(t, frame(1, 'b'));
    expect(book.threadFor(1, same('a'))).toBe('split');
  });
});

describe('mergeHeaderlessCopy', () => {
  const sameTop = (a: ParsedThread, b: ParsedThread) => a.frames[0]?.rawFunction === b.frames[0]?.rawFunction;
  it('drops the headerless copy of a numbered thread (lldb)', () => {
    const merged = mergeHeaderlessCopy([thread('', 'crash', 'main'), thread('1', 'crash', 'main'), thread('2', 'wait')], { same: sameTop });
    expect(merged.map((t) => t.id)).toEqual(['1', '2']);
  });
  it("gdb's merge: the twin becomes the current thread and keeps the richer copy", () => {
    const hints: CrashedThreadHint[] = [];
    const headerless = thread('', 'crash', 'main', 'start');
    const twin = thread('1', 'crash', 'main');
    const merged = mergeHeaderlessCopy([headerless, twin], { same: sameTop, hints });
    expect(merged).toEqual([twin]);
    expect(twin.frames).toHaveLength(3);
    expect(hints).toEqual([{ threadId: '1', reason: 'current-thread' }]);
  });
  it("gdb's merge: without a twin the headerless stack takes the number gdb said was current", () => {
    const hints: CrashedThreadHint[] = [{ threadId: '3', reason: 'received-signal' }];
    const merged = mergeHeaderlessCopy([thread('', 'crash'), thread('1', 'wait')], { same: sameTop, hints });
    expect(merged.map((t) => t.id)).toEqual(['3', '1']);
  });
});

describe('unreadableFrameLines', () => {
  it('finds frame-shaped lines inside a trace and in the first three lines after it, with their numbers', () => {
    const inside = [{ line: 4, text: '#3  0x00007f in' }, { line: 5, text: 'program output' }];
    const after = [{ line: 9, text: 'log' }, { line: 10, text: '    frame #7: 0x0000000100003f64' }, { line: 11, text: 'x' }, { line: 12, text: '#9 0x1 in f' }];
    expect(unreadableFrameLines(inside, after)).toEqual([{ line: 4, text: '#3  0x00007f in' }, { line: 10, text: '    frame #7: 0x0000000100003f64' }]);
  });
});
