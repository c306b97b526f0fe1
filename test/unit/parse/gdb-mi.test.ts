// GDB/MI records in IDE logs (src/parse/gdb-mi.ts); the real gdb's MI output is test/e2e/gdb-mi.test.ts.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { gdbMiParser } from '../../../src/parse/gdb-mi.js';
import { parseWith, where } from './feed.js';

const STOP = '*stopped,reason="signal-received",signal-name="SIGABRT",signal-meaning="Aborted",frame={addr="0x0000555555555100",func="__pthread_kill_implementation",args=[{name="no_tid",value="0"},{name="signo",value="6"}],from="/lib/x86_64-linux-gnu/libc.so.6",arch="i386:x86-64"},thread-id="3",stopped-threads="all",core="1"';
const frame = (level: number, func: string, rest: string) => `frame={level="${level}",addr="0x00005555555551${level}0",func="${func}",${rest}arch="i386:x86-64"}`;

describe('gdb/mi parser', () => {
  it("reads a VS Code engine log: prefixed records, the JSON-escaped copies left alone, each thread's listing by its request", () => {
    const text = [
      `1: (4812) ->${STOP}`,
      `--> E (output): {"type":"event","event":"output","body":{"category":"console","output":"1: (4812) ->${STOP.replace(/"/g, '\\"')}\\n"},"seq":301}`,
      '1: (4812) ->(gdb)',
      '1: (4830) <-1022-stack-list-frames --thread 3 0 1000',
      `1: (4833) ->1022^done,stack=[${frame(0, '__pthread_kill_implementation', 'from="/lib/x86_64-linux-gnu/libc.so.6",')},${frame(1, 'abort', 'from="/lib/x86_64-linux-gnu/libc.so.6",')},${frame(2, 'cache::evict', 'file="cache.cpp",fullname="/src/cache.cpp",line="41",')}]`,
      '1: (4840) <-1023-stack-list-frames --thread 1 0 1000',
      `1: (4841) ->1023^done,stack=[${frame(0, 'main', 'file="main.cpp",fullname="/src/main.cpp",line="9",')}]`,
      '1: (4842) ->(gdb)',
    ].join('\n');
    const [t, ...more] = parseWith(gdbMiParser, text);
    expect(more).toEqual([]);
    expect([t!.signal, t!.signalDescription, t!.hints]).toEqual(['SIGABRT', 'Aborted', [{ threadId: '3', reason: 'received-signal' }]]);
    expect(t!.threads.map((th) => th.id)).toEqual(['3', '1']);
    expect(where(t!.threads[0]!.frames)).toEqual([
      ['__pthread_kill_implementation (no_tid=0, signo=6)', null, null],
      ['abort', null, null],
      ['cache::evict', '/src/cache.cpp', 41],
    ]);
    expect(t!.threads[0]!.frames[0]!.module).toBe('/lib/x86_64-linux-gnu/libc.so.6');
    expect(analyze(text).reports[0]!.signatureFrames[0]).toBe('cache::evict');
  });

  it("without a listing, the stop's own frame is the stack; a stop at a breakpoint starts nothing; a second stop by a signal is a second trace", () => {
    const segv = '*stopped,reason="signal-received",signal-name="SIGSEGV",signal-meaning="Segmentation fault",frame={addr="0x0000555555555189",func="tokenize",args=[{name="src",value="0x0"}],file="lexer.c",fullname="/src/lexer.c",line="27"},thread-id="1"';
    const traces = parseWith(gdbMiParser, [segv, '(gdb)', segv.replace('tokenize', 'parse_expr')].join('\n'));
    expect(traces.map((t) => where(t.threads[0]!.frames))).toEqual([[['tokenize (src=0x0)', '/src/lexer.c', 27]], [['parse_expr (src=0x0)', '/src/lexer.c', 27]]]);
    expect(parseWith(gdbMiParser, '*stopped,reason="breakpoint-hit",disp="keep",bkptno="1",frame={addr="0x1",func="main"},thread-id="1"')).toEqual([]);
  });

  it('a record nested beyond any frame record is no stack, and never exhausts the call stack', () => {
    const stop = '*stopped,reason="signal-received",signal-name="SIGSEGV",frame={addr="0x1",func="f"},thread-id="1"';
    for (const listing of [`^done,stack=[${'['.repeat(5000)}${']'.repeat(5000)}]`, `^done,stack=[frame=${'{a='.repeat(200000)}"x"${'}'.repeat(200000)}]`]) {
      const r = analyze([stop, listing].join('\n')).reports;
      expect(r.map((x) => x.threads[0]!.frames.map((f) => f.rawFunction))).toEqual([['f']]);
    }
  });

  it('a malformed record is no stack; a C string keeps its escaped quotes', () => {
    const stop = '*stopped,reason="signal-received",signal-name="SIGSEGV",frame={addr="0x10",func="load",args=[{name="path",value="0x4006 \\"a.conf\\""}]},thread-id="1"';
    const [t] = parseWith(gdbMiParser, [stop, '^done,stack=[frame={level="0",addr="0x10",func="load"'].join('\n'));
    expect(t!.threads.map((th) => th.frames.map((f) => f.rawFunction))).toEqual([['load (path=0x4006 "a.conf")']]);
    // ... and the listing it could not read is reported, not dropped.
    expect(analyze([stop, '^done,stack=[frame={level="0",addr="0x10",func="load"'].join('\n')).reports[0]!.unreadableFrames).toEqual([{ line: 2, text: '^done,stack=[frame={level="0",addr="0x10",func="load"' }]);
  });
});
