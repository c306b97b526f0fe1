// Xcode's Debug navigator copied as text (src/parse/xcode.ts), and the banner above it
// (src/parse/context-signal.ts).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { xcodeParser } from '../../../src/parse/xcode.js';
import { appleCrashParser } from '../../../src/parse/apple-crash.js';
import { parseWith, where } from './feed.js';

const NAVIGATOR = [
  'Thread 1 Queue : com.apple.main-thread (serial)',
  '#0\t0x0000000100003f2c in Parser::next() at /Users/dev/calc/Parser.cpp:42:7',
  '#1\t0x0000000100003e10 in main at /Users/dev/calc/main.cpp:10',
  '#2\t0x000000019a0e7e50 in start ()',
  'Thread 3#0\t0x00000001a7b33ab4 in __workq_kernreturn ()',
  'worker.pool (6)#0\t0x00000001a7b33278 in __semwait_signal ()',
  '#1\t0x00000001a79df748 in nanosleep ()',
];

describe('xcode parser', () => {
  it('reads threads by their queue line, joined to their first frame, or named "name (N)"', () => {
    const [t, ...more] = parseWith(xcodeParser, NAVIGATOR.join('\n'));
    expect(more).toEqual([]);
    expect(t!.threads.map((th) => [th.id, th.name, th.frames.length])).toEqual([['1', 'com.apple.main-thread (serial)', 3], ['3', null, 1], ['6', 'worker.pool', 2]]);
    expect(where(t!.threads[0]!.frames)).toEqual([['Parser::next()', '/Users/dev/calc/Parser.cpp', 42], ['main', '/Users/dev/calc/main.cpp', 10], ['start', null, null]]);
    expect(t!.threads[0]!.frames[0]!.column).toBe(7);
    expect([t!.signal, t!.hints]).toEqual([null, []]);
  });

  it("takes the signal, fault address and crashed thread from Xcode's banner above it; dyld's start and macOS' assert are machinery", () => {
    const segv = analyze(['Thread 3: EXC_BAD_ACCESS (code=1, address=0x10)', '', ...NAVIGATOR].join('\n')).reports;
    expect(segv.map((r) => [r.format, r.signal, r.faultAddress, r.threads[r.crashedThread!]!.id])).toEqual([['xcode', 'SIGSEGV', '0x10', '3']]);
    const abort = analyze(['Thread 1: signal SIGABRT', 'Thread 1 Queue : com.apple.main-thread (serial)', '#0\t0x1 in __pthread_kill ()', '#1\t0x2 in abort ()', '#2\t0x3 in __assert_rtn ()', '#3\t0x4 in Grid::cell(int) at /src/Grid.cpp:9', '#4\t0x5 in main at /src/main.cpp:3', '#5\t0x6 in start ()'].join('\n')).reports;
    expect(abort.map((r) => [r.signal, r.signatureFrames, r.diagnoses[0]!.ruleId])).toEqual([['SIGABRT', ['Grid::cell', 'main'], 'generic/assertion']]);
  });

  it("the banner does not start a macOS crash report; the copy's tabs turned into spaces after its thread header are still read", () => {
    expect(appleCrashParser.startsTrace('Thread 1: EXC_BAD_ACCESS (code=1, address=0x0)')).toBe(false);
    expect(appleCrashParser.startsTrace('Thread 1: Fatal error: Unexpectedly found nil while unwrapping an Optional value')).toBe(false);
    expect(appleCrashParser.startsTrace('Thread 0 Crashed:: Dispatch queue: com.apple.main-thread')).toBe(true);
    expect(appleCrashParser.startsTrace('Thread 1:  Dispatch queue: com.apple.libdispatch-manager')).toBe(true);
    // Swift's trap under its banner: SIGTRAP, the message the abort message.
    const swift = analyze(['Thread 1: Fatal error: Unexpectedly found nil while unwrapping an Optional value', '', ...NAVIGATOR.slice(0, 4)].join('\n')).reports;
    expect(swift.map((r) => [r.format, r.signal, r.abortMessage !== null])).toEqual([['xcode', 'SIGTRAP', true]]);
    const spaced = analyze(NAVIGATOR.slice(0, 4).map((l) => l.replace('\t', '  ')).join('\n')).reports;
    expect(spaced.map((r) => [r.format, r.signatureFrames])).toEqual([['xcode', ['Parser::next', 'main']]]);
  });
});
