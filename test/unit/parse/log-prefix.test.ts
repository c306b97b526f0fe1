// Log prefixes the cleaner does not know by form (parse/log-prefix.ts): read off longest first, a
// bare time only first, one blank taken after each part so a trace's own indentation stays.
import { describe, expect, it } from 'vitest';
import { logPrefixSplits, shapeOf, shapeSplits, stripLogPrefix, stripShape } from '../../../src/parse/log-prefix.js';
import { analyze } from '../../../src/pipeline.js';

describe('logPrefixSplits', () => {
  it.each([
    ['api-1    | #0  0x1 in f () at a.c:3', ['pipe'], '#0  0x1 in f () at a.c:3'],
    ['[planner_node-3] #0  0x1 in f ()', ['bracket'], '#0  0x1 in f ()'],
    ['[2024-05-01 12:00:00.311] [crash] [error] ./prog(main+0x2c4) [0x55d1a2b2f9f4]', ['bracket', 'bracket', 'bracket'], './prog(main+0x2c4) [0x55d1a2b2f9f4]'],
    ['[   12.345678] Thread 1 "x" received signal SIGSEGV', ['dmesg'], 'Thread 1 "x" received signal SIGSEGV'],
    ['  12 | frame #0: 0x1 a.out`main', ['pipe'], 'frame #0: 0x1 a.out`main'],
    ['12:00:01 ERROR ==1==ERROR: AddressSanitizer: SEGV', ['time', 'level'], '==1==ERROR: AddressSanitizer: SEGV'],
    ['api-1    | > #0  0x1 in f ()', ['pipe'], '#0  0x1 in f ()'],
    // torchrun's rank before each line of a distributed job's output.
    ['[rank0]: frame #2: ops::fwd(at::Tensor const&) + 0x3a1 (0x7f8b91c0a3a1 in /venv/ops/_C.so)', ['bracket'], 'frame #2: ops::fwd(at::Tensor const&) + 0x3a1 (0x7f8b91c0a3a1 in /venv/ops/_C.so)'],
    // ctest -V: the test's number before each line of its output.
    ['12: ==40511==ERROR: AddressSanitizer: heap-buffer-overflow', ['test'], '==40511==ERROR: AddressSanitizer: heap-buffer-overflow'],
    ['7: #0  0x1 in f (this=0x0) at a.h:3', ['test'], '#0  0x1 in f (this=0x0) at a.h:3'],
    // grep -n: ':' after a matching line's number, '-' after a context line's (-A, -B, -C).
    ['5712:Program terminated with signal SIGSEGV, Segmentation fault.', ['grep'], 'Program terminated with signal SIGSEGV, Segmentation fault.'],
    ['5713-#0  0x1 in f (this=0x0) at a.h:3', ['grep'], '#0  0x1 in f (this=0x0) at a.h:3'],
  ])('%j', (line, kinds, rest) => {
    expect(logPrefixSplits(line)[0]).toEqual({ kinds, rest });
  });

  it("leaves a program's own timestamp after a prefix to its parser, and reads nothing off plain lines", () => {
    expect(logPrefixSplits('api-1 | 2024-03-05T10:46:36.123+0000 7f8d -1 *** Caught signal').map((s) => s.kinds)).toEqual([['pipe']]);
    expect(logPrefixSplits('#0  0x1 in f () at a.c:3')).toEqual([]);
    expect(logPrefixSplits('[Switching to Thread 0x7ffff7d8a740 (LWP 42)]')).toEqual([]);
    expect(logPrefixSplits('    x = 1')).toEqual([]);
    // A test number only first, never a time or a count in prose.
    expect(logPrefixSplits('12:00:01 started').map((s) => s.kinds)).toEqual([['time']]);
    expect(logPrefixSplits('[a] 12: x').map((s) => s.kinds)).toEqual([['bracket']]);
    // A date is no grep line number: a digit follows its dash.
    expect(logPrefixSplits('2024-06-03 build 7 failed')).toEqual([]);
  });
});

describe('stripLogPrefix', () => {
  it("takes the learned shape off, one blank after it, and leaves other lines as they are", () => {
    expect(stripLogPrefix('[n-3]         x = 0x0', ['bracket'])).toBe('        x = 0x0');
    expect(stripLogPrefix('[Inferior 1 (process 9) exited]', ['bracket', 'bracket'])).toBe('[Inferior 1 (process 9) exited]');
    expect(stripLogPrefix('#1  0x2 in g ()', ['pipe'])).toBe('#1  0x2 in g ()');
  });
});

describe('a trace behind a log prefix', () => {
  const gdb = [
    'Thread 1 "spool" received signal SIGSEGV, Segmentation fault.',
    '0x0000555555559a1f in spool::Job::priority (this=0x0) at job.cc:33',
    '33\t  return job->prio;',
    '(gdb) bt',
    '#0  0x0000555555559a1f in spool::Job::priority (this=0x0) at job.cc:33',
    '#1  0x000055555555a2c0 in spool::Queue::pick (this=0x5555555c1eb0) at queue.cc:120',
    '#2  0x0000555555556f3d in main () at main.cc:29',
  ];
  const plain = analyze(gdb.join('\n'), { rules: null }).reports.map((r) => r.signatureText);
  it.each([
    ['interleaved docker compose services', gdb.flatMap((l, i) => [`api-1    | ${l}`, ...(i === 2 ? ['db-1     | LOG:  checkpoint starting: time'] : [])])],
    ['ROS launch with launch lines between', ['[INFO] [launch]: process started with pid [41822]', ...gdb.map((l) => `[spool-3] ${l}`)]],
    ['grep -n -A: the first line matched, the others its context', ['$ grep -n -A6 received run.log', ...gdb.map((l, i) => `${812 + i}${i ? '-' : ':'}${l}`), '--']],
  ])('%s', (_what, lines) => {
    expect(plain).toEqual(['SIGSEGV | spool::Job::priority | spool::Queue::pick | main']);
    expect(analyze(lines.join('\n'), { rules: null }).reports.map((r) => r.signatureText)).toEqual(plain);
  });
});

describe('a learned dmesg time (class: a kernel oops, then another program\'s numbered frames)', () => {
  it('strips dmesg times only, never a "[1] " frame number', () => {
    expect(stripLogPrefix('[  388.901180]  dump_stack_lvl+0x48/0x70', ['dmesg'])).toBe(' dump_stack_lvl+0x48/0x70');
    expect(stripLogPrefix('[1] /lib/libc.so.6(+0x42520) [0x7f2e6c842520] (??:0)', ['dmesg'])).toBe('[1] /lib/libc.so.6(+0x42520) [0x7f2e6c842520] (??:0)');
  });
});

describe('ctest -V output (class: every line carries its test number)', () => {
  it('reads the sanitizer report and the gdb backtrace under the prefix', () => {
    const asan = analyze([
      '12: [ RUN      ] Codec.RoundTrip',
      '12: ==4051==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000051 at pc 0x55f2b4c1e9a2 bp 0x1 sp 0x2',
      '12: READ of size 1 at 0x602000000051 thread T0',
      '12:     #0 0x55f2b4c1e9a1 in codec::Varint::decode(unsigned char const*) /src/varint.cc:57:18',
      '12:     #1 0x55f2b4c0a5e1 in main /src/main.cc:40:3',
      '12: ',
      '12: SUMMARY: AddressSanitizer: heap-buffer-overflow /src/varint.cc:57:18 in codec::Varint::decode(unsigned char const*)',
    ].join('\n')).reports;
    expect(asan[0]?.signatureFrames[0]).toBe('codec::Varint::decode');
    const gdb = analyze([
      '7: Program received signal SIGSEGV, Segmentation fault.',
      '7: #0  0x0000555555569e31 in rpc::Frame::size (this=0x0) at /src/rpc/frame.h:33',
      '7: #1  0x000055555556b0a2 in rpc::Decoder::feed (this=0x7fffffffd9c0) at /src/rpc/decoder.cc:71',
    ].join('\n')).reports;
    expect(gdb[0]?.signatureFrames[0]).toBe('rpc::Frame::size');
  });

  it('a numbered list in prose starts nothing', () => {
    expect(analyze('1: open the file\n2: press F5\n3: it hangs').reports).toEqual([]);
  });
});

describe('a learned prefix only the start line carried (class: a pid before a runtime\'s signal line)', () => {
  it("is forgotten after that trace, so a later crash handler's '[1] ' frame numbers stay", () => {
    const reports = analyze([
      '[28817] signal (11.1): Segmentation fault',
      'in expression starting at /home/u/run.jl:41',
      'qp_update at /opt/lib/libqp.so (unknown line)',
      'optimize! at /home/u/.julia/packages/QP/a/src/model.jl:302',
      'Allocations: 4821 (Pool: 4800; Big: 21); GC: 3',
      'handle_crash: Program crashed with signal 11',
      '[1] /lib/x86_64-linux-gnu/libc.so.6(+0x42520) [0x7f2e6c842520] (??:0)',
      '[2] Scene::Node::notify(int) (/src/scene/node.cpp:412)',
      '-- END OF BACKTRACE --',
    ].join('\n')).reports;
    expect(reports.map((r) => [r.format, r.signatureFrames[0]])).toEqual([['julia', 'qp_update'], ['godot', 'Scene::Node::notify']]);
  });
});

// Loggers' prefixes of forms log-prefix.ts does not know by kind: learned from the line a trace
// starts on as a shape, and removed from the lines after it that have that shape.
describe('shapeSplits and shapeOf', () => {
  it('generalises numbers, level words and inner padding, and keeps the rest as written', () => {
    const shape = shapeOf('0|api      | ');
    expect(shape.test('12|api  | #1 ...')).toBe(true);
    expect(shape.test('0|web      | #1 ...')).toBe(false);
    const level = shapeOf('ERROR api: ');
    expect(stripShape('WARN api: #1  0x2 in g ()', level)).toBe('#1  0x2 in g ()');
    // The last blank exactly: the program's own indentation after it stays.
    expect(stripShape('INFO api:     #1 0x2 in g', level)).toBe('    #1 0x2 in g');
    // An empty line of the program's: the prefix alone (its blank gone with the line's end).
    expect(stripShape('INFO api:', level)).toBe('');
    expect(stripShape('#2  0x3 in h ()', level)).toBe('#2  0x3 in h ()');
    const glog = shapeOf('E0301 10:00:00.123456  1234 main.cc:42] ');
    expect(stripShape('F0301 10:00:01.5  1234 main.cc:7] *** Check failure stack trace: ***', glog)).toBe('*** Check failure stack trace: ***');
  });

  it('offers a cut only after words holding a logger’s marks, never after prose', () => {
    // Not prose, even with a colon (no number, bracket or level word; more than 3 words)...
    expect(shapeSplits('I get this crash: Program received signal SIGSEGV, Segmentation fault.', true)).toEqual([]);
    expect(shapeSplits('I get this crash: Program received signal SIGSEGV, Segmentation fault.', false)).toEqual([]);
    expect(shapeSplits('I get this crash when I run it', false)).toEqual([]);
    // ...nor a register dump's pairs before its last one; a short prefix without a logger's end is
    // offered after the line as it is (stern's pod and container).
    expect(shapeSplits('    x0: 0x0000000000000000   x1: 0x000000016f5f2e58   x2: 0x0000000000000003   x3: 0x0000000000000000', false).map((s) => s.prefix)).toEqual(['    x0: 0x0000000000000000   ']);
    expect(shapeSplits('api-7d9f5c-x2x api Program received signal SIGSEGV', false)[0]).toMatchObject({ prefix: 'api-7d9f5c-x2x ', marked: false });
    // After a bracket, bar, colon or '>' without a blank, where no more punctuation follows.
    expect(shapeSplits('##[error]Program received signal SIGSEGV', true).map((s) => s.prefix)).toEqual(['##[error]']);
    expect(shapeSplits('app[web.1]: #0  0x1 in f ()', true).map((s) => s.prefix)).toEqual(['app[web.1]: ']);
  });

  it('tries the prefixes that end as loggers end theirs first, longest first', () => {
    const splits = shapeSplits('0|api      | 2024-03-05T10:46:36.123+0000 7f8d -1 *** Caught signal (Segmentation fault) **', true);
    expect(splits[0]).toMatchObject({ prefix: '0|api      | ', marked: true });
    const journal = shapeSplits('Jan 12 03:04:05.123456 build-7 prog[1234]: #0  0x1 in f ()', true);
    expect(journal[0]).toMatchObject({ prefix: 'Jan 12 03:04:05.123456 build-7 prog[1234]: ', marked: true });
    // A debugger's own words with a number are never tried before the line as it is.
    expect(shapeSplits('Thread 1 "worker" received signal SIGSEGV, Segmentation fault.', true)).toEqual([]);
  });
});

describe('a trace behind a logger prefix of an unknown form', () => {
  const gdb = ['Program received signal SIGSEGV, Segmentation fault.', '0x0000555555555131 in Parser::next (this=0x0) at parser.cc:12', '12\t  return cur_->tok;', '#0  0x0000555555555131 in Parser::next (this=0x0) at parser.cc:12', '#1  0x000055555555516a in main () at main.cc:5'];
  const expected = analyze(gdb.join('\n'), { rules: null }).reports.map((r) => r.signatureText);
  it.each([
    ['TeamCity', (l: string, i: number) => `[10:00:${String(i).padStart(2, '0')}]W:\t [Step 2/3] ${l}`],
    ["Python's logging", (l: string, i: number) => `2026-03-01 10:00:0${i},123 ERROR ${l}`],
    ['Heroku', (l: string) => `2026-03-01T10:00:00.123456+00:00 app[web.1]: ${l}`],
    ['pm2', (l: string) => `0|api      | ${l}`],
    ['Bazel', (l: string, i: number) => `(10:00:0${i}) ${l}`],
    // Not a logger's: frames pasted as a Markdown list, each line an item.
    ['a Markdown list', (l: string) => `- ${l}`],
  ])('%s', (_name, wrap) => {
    expect(expected).toEqual(['SIGSEGV | Parser::next | main']);
    expect(analyze(gdb.map(wrap).join('\n'), { rules: null }).reports.map((r) => r.signatureText)).toEqual(expected);
  });
  it("learns a crash handler's ==PID== tag behind the shape too", () => {
    const dump = ['==4102== STACK TRACE:', '==4102==', '==4102== 0 tally(on_sigsegv+0x168) [0x408408]', '==4102== 1 /lib/x86_64-linux-gnu/libc.so.6(+0x42520) [0x7f07c3c42520]', '==4102== 2 tally(parse_row+0x3c) [0x40761c]', '==4102== 3 tally(main+0x91) [0x402a11]'];
    const plain = analyze(dump.join('\n'), { rules: null }).reports.map((r) => r.signatureFrames);
    expect(plain).toEqual([['parse_row', 'main']]);
    const wrapped = dump.map((l, i) => `[10:00:${String(i).padStart(2, '0')}]W:\t [Step 2/3] ${l}`).join('\n');
    expect(analyze(wrapped, { rules: null }).reports.map((r) => r.signatureFrames)).toEqual(plain);
  });
  it('leaves lines without the learned shape as they are', () => {
    const text = ['0|api      | Program received signal SIGSEGV, Segmentation fault.', '0|api      | #0  0x1 in Parser::next (this=0x0) at parser.cc:12', '1|web      | #1  0x2 in other () at o.cc:1', '0|api      | #1  0x2 in main () at main.cc:5'].join('\n');
    const report = analyze(text, { rules: null }).reports[0]!;
    expect(report.signatureText).toBe('SIGSEGV | Parser::next | main');
    expect(report.threads[0]!.frames.map((f) => f.function)).toEqual(['Parser::next', 'main']);
  });
});
