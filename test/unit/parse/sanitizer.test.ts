// The sanitizers' parser on its own: committed ASan and TSan reports (real runtime output) and short
// UBSan texts, fed straight to the parser. Stacks become labelled threads; the verdict is the kind.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sanitizerParser } from '../../../src/parse/sanitizer.js';
import { MAX_FRAMES_PER_THREAD } from '../../../src/parse/types.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith, where } from './feed.js';

const sample = (name: string) => readFileSync(samplePath(name), 'utf8');

describe('sanitizer parser', () => {
  it('reads ASan heap-use-after-free: verdict, fault address and the three stacks with their roles', () => {
    const t = parseOne(sanitizerParser, sample('asan-heap-use-after-free.txt'));
    expect(t.format).toBe('asan');
    expect(t.crashKind).toBe('heap-use-after-free');
    expect(t.signal).toBeNull();
    expect(t.faultAddress).toBe('0x602000000014');
    expect(t.threads.map((th) => [th.role, th.name])).toEqual([['access', 'T0'], ['freed-by', 'T0'], ['allocated-by', 'T0']]);
    expect(where(t.threads[0]!.frames).slice(0, 2)).toEqual([
      ['net::account(net::Session const*)', './asan_uaf.cpp', 9],
      ['main', './asan_uaf.cpp', 15],
    ]);
    expect(where(t.threads[1]!.frames)[1]).toEqual(['net::close_session(net::Session*)', './asan_uaf.cpp', 8]);
    expect(t.hints).toEqual([{ threadId: '1', reason: 'stop-reason' }]);
  });

  it('reads a TSan data race: the access, the previous access and the threads created', () => {
    const t = parseOne(sanitizerParser, sample('tsan-data-race.txt'));
    expect(t.format).toBe('tsan');
    expect(t.crashKind).toBe('data race');
    expect(t.threads.map((th) => th.role)).toEqual(['access', 'previous-access', 'thread-created', 'thread-created']);
    expect(where(t.threads[0]!.frames)[0]).toEqual(['stats::record()', './tsan_race.cpp', 6]);
  });

  it('maps a deadly signal in the header to the signal, as the crash kind', () => {
    const t = parseOne(sanitizerParser, lines(
      '==1234==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x55d1 bp 0x7ffd sp 0x7ffd T0)',
      '==1234==The signal is caused by a READ memory access.',
      '    #0 0x55d1c3a2 in parse_header src/http.c:120:7',
      '    #1 0x55d1c3b0 in main src/main.c:9:3',
      'SUMMARY: AddressSanitizer: SEGV src/http.c:120:7 in parse_header',
      '==1234==ABORTING',
    ));
    expect(t.signal).toBe('SIGSEGV');
    expect(t.crashKind).toBe('SIGSEGV');
    expect(t.faultAddress).toBe('0x000000000000');
    expect(where(t.threads[0]!.frames)).toEqual([['parse_header', 'src/http.c', 120], ['main', 'src/main.c', 9]]);
  });

  it('reads a UBSan runtime error without a stack as a one-frame report at its location', () => {
    const t = parseOne(sanitizerParser, lines('src/calc.c:12:14: runtime error: division by zero', 'result: 0'));
    expect(t.format).toBe('ubsan');
    expect(t.crashKind).toBe('ubsan: division-by-zero');
    expect(where(t.threads[0]!.frames)).toEqual([['??', 'src/calc.c', 12]]);
    expect(t.endLine).toBe(1);
  });

  it('splits two reports in a row into two traces', () => {
    const one = ['==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T0)', '    #0 0x55d1c3a2 in a a.c:1:1'];
    const two = ['==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000018 at pc 0x1 bp 0x2 sp 0x3', '    #0 0x55d1c3a2 in b b.c:2:1'];
    expect(parseWith(sanitizerParser, lines(...one, ...two)).map((t) => t.crashKind)).toEqual(['SIGSEGV', 'heap-buffer-overflow']);
  });

  it('caps a runaway stack and counts the frames past the cap', () => {
    const frames = Array.from({ length: MAX_FRAMES_PER_THREAD + 7 }, (_, i) => `    #${i} 0x55d1c3a2 in recurse r.c:3:5`);
    const t = parseOne(sanitizerParser, lines('==9==ERROR: AddressSanitizer: stack-overflow on address 0x7ffd (pc 0x1 bp 0x2 sp 0x3 T0)', ...frames));
    // A stack overflow is a SIGSEGV the sanitizer names: its own word is the kind.
    expect([t.signal, t.crashKind]).toEqual(['SIGSEGV', 'stack-overflow']);
    expect(t.threads[0]!.frames).toHaveLength(MAX_FRAMES_PER_THREAD);
    expect(t.threads[0]!.droppedFrames).toBe(7);
  });

  it('tolerates program output inside a report up to its budget (120 lines)', () => {
    const head = ['==9==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T0)', '    #0 0x55d1c3a2 in a a.c:1:1'];
    const junk = (n: number) => Array.from({ length: n }, (_, i) => `app log line ${i}`);
    const tail = ['    #1 0x55d1c3b0 in main a.c:9:1'];
    expect(parseOne(sanitizerParser, lines(...head, ...junk(120), ...tail)).threads[0]!.frames).toHaveLength(2);
    expect(parseWith(sanitizerParser, lines(...head, ...junk(121), ...tail))[0]!.threads[0]!.frames).toHaveLength(1);
  });
});
