// What people paste: the same trace copied out of an issue thread (quoted, indented by a code
// block, HTML-escaped), a log viewer (DebugView), syslog/journald, a Markdown fence, gdb's pager.
// Every committed sample, wrapped each way, must give the same reports (same signatures) as the
// sample itself: the wrapping is the paste's, never the trace's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze, analyzeFile } from '../../src/pipeline.js';
import { cleanLine } from '../../src/source/clean.js';
import { sampleNames, samplePath } from '../support/samples.js';

const lines = (s: string, f: (l: string, i: number) => string) => s.split('\n').map(f).join('\n');
const WRAPPINGS: Record<string, (s: string) => string> = {
  'Markdown quote "> "': (s) => lines(s, (l) => '> ' + l),
  'nested quote ">> "': (s) => lines(s, (l) => '>> ' + l),
  'code block indentation (4 spaces)': (s) => lines(s, (l) => '    ' + l),
  'code block indentation with trailing blanks': (s) => lines(s, (l) => '    ' + l + '  '),
  // Logs pasted as a Markdown code block: the block's indentation before the runner's or logger's prefix.
  'a CI log as a code block': (s) => lines(s, (l, i) => `    2026-03-01T10:00:${String(i % 60).padStart(2, '0')}.1234567Z ` + l),
  'a journal as a code block': (s) => lines(s, (l) => '    Jan 12 03:04:05 build-7 prog[1234]: ' + l),
  'a ctest -V log as a code block': (s) => lines(s, (l) => '    12: ' + l),
  // Container logs as a node keeps them: the CRI runtimes' file format, Docker's json-file driver,
  // and GitLab's timestamped job log.
  "a container's log file (CRI: time, stream, F)": (s) => lines(s, (l, i) => `2026-03-01T10:00:00.${String(100000000 + i)}Z stderr F ` + l),
  "Docker's json-file log": (s) => lines(s, (l) => JSON.stringify({ log: l + '\n', stream: 'stderr', time: '2026-03-01T10:00:00.1Z' })),
  "GitLab's timestamped job log (00O)": (s) => lines(s, (l, i) => `2026-03-01T10:00:00.${String(100000 + i)}Z 00O ` + l),
  // A whole trace as a string in one log line (a structured logger's stack field, a test report's
  // message): its line feeds escaped, on a line of its own after the logger's words.
  'a trace escaped into one JSON log line': (s) => s.length > 32 * 1024 ? s : `{"level":"fatal","msg":"worker crashed","stack":"\\n${JSON.stringify(s).slice(1, -1)}"}`,
  // A viewer's line numbers copied with the text: `cat -n` (and `nl`), a number and a tab.
  '`cat -n` line numbers': (s) => lines(s, (l, i) => `${String(i + 1).padStart(6)}\t` + l),
  // A rendered page's copy of a code block: its indentation (and the program's) as no-break spaces.
  'no-break spaces for spaces': (s) => lines(s, (l) => ('    ' + l).replace(/^ +/, (m) => '\u00a0'.repeat(m.length))),
  'a journal printed in a CI log': (s) => lines(s, (l, i) => `2026-03-01T10:00:${String(i % 60).padStart(2, '0')}.1234567Z Jan 12 03:04:05 build-7 prog[1234]: ` + l),
  'a tab': (s) => lines(s, (l) => '\t' + l),
  'quoted code block': (s) => lines(s, (l) => '>     ' + l),
  'HTML-escaped': (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;'),
  'DebugView prefix': (s) => lines(s, (l, i) => `${String(i + 1).padStart(8, '0')}\t23:44:41\t[7340] ` + l),
  'syslog prefix': (s) => lines(s, (l) => 'Jan 12 03:04:05 build-7 prog[1234]: ' + l),
  'journald ISO prefix': (s) => lines(s, (l) => '2026-01-12T03:04:05+0000 build-7 systemd-coredump[88]: ' + l),
  'Markdown fence around it': (s) => '```gdb\n' + s + '\n```',
  // A chat client's or a quick reply's fence glued to the first and last lines.
  'a fence glued to the first and last lines': (s) => '```' + s.replace(/\n*$/, '') + '```',
  'stray backtick on the first line': (s) => '`' + s,
  'CRLF line ends': (s) => s.replaceAll('\n', '\r\n'),
  // A rendered page's or an editor's copy pads lines (spaces, a tab, no-break spaces); an editor's
  // save strips the blanks a tool wrote ("==PID== ", "(gdb) ").
  'trailing blanks on every line': (s) => lines(s, (l, i) => l + ['   ', '\t', ' \u00a0'][i % 3]),
  'trailing blanks stripped': (s) => lines(s, (l) => l.replace(/[ \t]+$/, '')),
  // CI runners' in-band escapes: Buildkite timestamps every line with an APC sequence.
  'Buildkite "ESC _bk;t=... BEL" timestamps': (s) => lines(s, (l, i) => `\x1b_bk;t=${1714000000000 + i}\x07` + l),
  // rsyslog forwarding a multi-line journal message: one line, its line feeds written "#012" (a
  // message longer than a line is kept whole, MAX_LINE_LENGTH, is no syslog message: left as is).
  'rsyslog "#012" line feeds': (s) => (s.length > 32 * 1024 ? s : '2026-04-11T08:14:22.518311+02:00 ws17 systemd-coredump[30142]: ' + s.replaceAll('\n', '#012')),
  // Markdown source pasted as text, and what web pages put in: backslash escapes, entities, zero-width spaces.
  'Markdown source (backslash escapes)': (s) => lines(s, (l) => l.replace(/([*#`_])/g, '\\$1')),
  'numeric entities ("&#35;", "&#x3c;")': (s) => s.replaceAll('#', '&#35;').replaceAll('<', '&#x3c;'),
  'zero-width space after "#"': (s) => lines(s, (l) => l.replace(/#(\d)/g, '#\u200b$1')),
  // Loggers and supervisors whose prefixes the cleaner does not know by form (parse/log-prefix.ts).
  'docker compose "api-1    | "': (s) => lines(s, (l) => 'api-1    | ' + l),
  // A container printing an indented paste (a code block, a test runner's indented output): the
  // indentation is under the prefix.
  'docker compose over an indented paste': (s) => lines(s, (l) => 'api-1    |     ' + l),
  'ROS launch "[planner_node-3] "': (s) => lines(s, (l) => '[planner_node-3] ' + l),
  'spdlog "[time] [logger] [level] "': (s) => lines(s, (l, i) => `[2024-05-01 12:00:${String(i % 60).padStart(2, '0')}.311] [crash] [error] ` + l),
  'dmesg "[   12.345678] "': (s) => lines(s, (l, i) => `[${String(12 + i).padStart(5)}.345678] ` + l),
  'numbered lines "12 | "': (s) => lines(s, (l, i) => `${String(i + 1).padStart(3)} | ` + l),
  'bare time and level "12:00:01 ERROR "': (s) => lines(s, (l, i) => `12:00:${String(i % 60).padStart(2, '0')} ERROR ` + l),
  // Prefixes of forms no kind of log-prefix.ts knows: learned from the start line as a shape.
  'TeamCity "[10:00:01]W:\t [Step 2/3] "': (s) => lines(s, (l, i) => `[10:00:${String(i % 60).padStart(2, '0')}]W:\t [Step 2/3] ` + l),
  "Python's logging \"2026-03-01 10:00:01,123 ERROR \"": (s) => lines(s, (l, i) => `2026-03-01 10:00:${String(i % 60).padStart(2, '0')},123 ERROR ` + l),
  'Heroku "app[web.1]: "': (s) => lines(s, (l, i) => `2026-03-01T10:00:00.${String(100000 + i)}+00:00 app[web.1]: ` + l),
  'pm2 "0|api      | "': (s) => lines(s, (l) => '0|api      | ' + l),
  'Rust tracing "... ERROR api: "': (s) => lines(s, (l) => '2026-03-01T10:00:00.123456Z ERROR api: ' + l),
  'glog on every line "E0301 10:00:00.123456  1234 main.cc:42] "': (s) => lines(s, (l, i) => `E0301 10:00:${String(i % 60).padStart(2, '0')}.123456  1234 main.cc:42] ` + l),
  'Bazel "(10:00:01) "': (s) => lines(s, (l, i) => `(10:00:${String(i % 60).padStart(2, '0')}) ` + l),
  // grep -n over a whole log: every line's number, a digit after it on some ("3:0.\tProgram arguments").
  'grep -n "12:"': (s) => lines(s, (l, i) => `${i + 1}:` + l),
  'Jenkins Timestamper "[2026-03-01T10:00:01.123Z] "': (s) => lines(s, (l, i) => `[2026-03-01T10:00:${String(i % 60).padStart(2, '0')}.123Z] ` + l),
};

const samples = sampleNames()
  .map((name) => ({ name, text: readFileSync(samplePath(name), 'utf8') }))
  .map((s) => ({ ...s, expected: analyze(s.text, { rules: null }).reports.map((r) => r.signatureText) }))
  .filter((s) => s.expected.length > 0);

describe('a paste wrapped the ways people paste reads as the trace itself', () => {
  it('has samples to wrap', () => expect(samples.length).toBeGreaterThan(40));
  for (const [wrapping, wrap] of Object.entries(WRAPPINGS)) {
    it(wrapping, () => {
      const differ = samples
        .map((s) => ({ name: s.name, expected: s.expected, got: analyze(wrap(s.text), { rules: null }).reports.map((r) => r.signatureText) }))
        .filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.expected))
        .map((r) => `${r.name}: ${r.expected[0]} -> ${r.got[0] ?? 'nothing'} (${r.expected.length} -> ${r.got.length} reports)`);
      expect(differ).toEqual([]);
    });
  }
});

describe('a double-spaced paste (an empty line after each line: a page or mail client copy)', () => {
  const double = (s: string) => s.split('\n').join('\n\n');
  it('reads as the paste itself', () => {
    const differ = samples
      .map((s) => ({ name: s.name, expected: s.expected, got: analyze(double(s.text), { rules: null }).reports.map((r) => r.signatureText) }))
      .filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.expected))
      .map((r) => `${r.name}: ${r.expected[0]} -> ${r.got[0] ?? 'nothing'}`);
    expect(differ).toEqual([]);
  });
  it('reads a file as a text: no line is skipped while the opening lines are held', async () => {
    // A paste whose frames gdb coloured hold no marker the reader's skip looks for ("#1  ESC[34m0x...").
    const file = join(import.meta.dirname, '..', 'pastes', 'cases', 'gdb25_ansi.txt');
    const text = analyze(readFileSync(file), { rules: null }).reports.map((r) => r.signatureText);
    expect(text).toEqual(['SIGSEGV | filter::blur_row | filter::blur | main']);
    expect((await analyzeFile(file, { rules: null })).reports.map((r) => r.signatureText)).toEqual(text);
  });
  it("keeps the paste's own empty lines (two in a row) and ends where two lines meet", () => {
    const two = 'Thread 2 (Thread 0x7f1 (LWP 12)):\n#0  0x1 in __lll_lock_wait () from /lib/libc.so.6\n#1  0x2 in worker () at w.c:9\n\nThread 1 (Thread 0x7f2 (LWP 11)):\n#0  0x3 in __lll_lock_wait () from /lib/libc.so.6\n#1  0x4 in main () at m.c:3\n';
    const plain = analyze(two, { rules: null }).reports.map((r) => r.threads.map((t) => t.frames.length));
    expect(plain).toEqual([[2, 2]]);
    expect(analyze(double(two), { rules: null }).reports.map((r) => r.threads.map((t) => t.frames.length))).toEqual(plain);
  });
});

describe('gdb output hard-wrapped by a terminal (cut at the column, mid-word)', () => {
  const cut = (s: string, width: number) => lines(s, (l) => (l.match(new RegExp(`.{1,${width}}`, 'g')) ?? ['']).join('\n'));
  // `bt full` locals cut mid-value are not read back (a value's rest looks like any text); GDB/MI
  // records are one long line each, logged by programs, never wrapped by a terminal.
  const gdb = samples.filter((s) => s.name.startsWith('gdb-') && !s.name.startsWith('gdb-mi-') && !/^\s{8}\w+ = /m.test(s.text));
  it.each([80, 100, 132, 160])('every gdb sample without bt full locals signs as itself at %i columns', (width) => {
    expect(gdb.length).toBeGreaterThan(5);
    const differ = gdb.filter((s) => JSON.stringify(analyze(cut(s.text, width), { rules: null }).reports.map((r) => r.signatureText)) !== JSON.stringify(s.expected)).map((s) => s.name);
    expect(differ).toEqual([]);
  });
});

describe('sanitizer and Valgrind output hard-wrapped by a terminal', () => {
  const cut = (s: string, width: number) => lines(s, (l) => (l.match(new RegExp(`.{1,${width}}`, 'g')) ?? ['']).join('\n'));
  // Signatures (the frames' functions) of the reports whose frame lines hold no blank where the
  // terminal cut them: the rest of a cut frame is one word, or ends in the location a frame lacked.
  const wrapped = samples.filter((s) => /^(?:asan|lsan|valgrind)-/.test(s.name));
  it.each([100, 132, 160])('every ASan, LSan and Valgrind sample signs as itself at %i columns', (width) => {
    expect(wrapped.length).toBeGreaterThan(8);
    const differ = wrapped.filter((s) => JSON.stringify(analyze(cut(s.text, width), { rules: null }).reports.map((r) => r.signatureText)) !== JSON.stringify(s.expected)).map((s) => s.name);
    expect(differ).toEqual([]);
  });
});

describe('gdb output wrapped by a mail client (72 columns, indentation lost)', () => {
  const wrap = (s: string, width: number) =>
    s.split('\n').flatMap((l) => {
      const out: string[] = [];
      while (l.length > width) {
        let i = l.lastIndexOf(' ', width);
        if (i <= 0) i = l.indexOf(' ', width);
        if (i < 0) break;
        out.push(l.slice(0, i));
        l = l.slice(i + 1);
      }
      out.push(l);
      return out;
    }).join('\n');
  // `bt full` wrapped this way (a local's value continued on an unindented line) is not read yet.
  const gdb = samples.filter((s) => s.name.startsWith('gdb-') && !s.name.startsWith('gdb-mi-') && !/^\s{8}\w+ = /m.test(s.text));
  it('every gdb sample without bt full locals signs as itself', () => {
    expect(gdb.length).toBeGreaterThan(5);
    const differ = gdb.filter((s) => JSON.stringify(analyze(wrap(s.text, 72), { rules: null }).reports.map((r) => r.signatureText)) !== JSON.stringify(s.expected)).map((s) => s.name);
    expect(differ).toEqual([]);
  });
  it('a location moved to the next line after "at" stays with its frame', () => {
    const [r] = analyze('Program received signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555169 in parse_header (buf=0x0, len=42) at\nsrc/http/parser.c:120\n#1  0x00005555555551c2 in main () at\nsrc/main.c:14\n', { rules: null }).reports;
    expect(r!.threads[0]!.frames.map((f) => [f.function, f.file, f.line])).toEqual([['parse_header', 'src/http/parser.c', 120], ['main', 'src/main.c', 14]]);
    expect(r!.unreadableFrames).toBeUndefined();
  });
});

describe('cleanLine', () => {
  it('removes gdb\'s pager prompt and keeps the frame printed after it', () => {
    expect(cleanLine('--Type <RET> for more, q to quit, c to continue without paging--#12 0x0000 in main () at a.c:3')).toBe('#12 0x0000 in main () at a.c:3');
    expect(cleanLine('---Type <return> to continue, or q <return> to quit---')).toBe('');
  });
  it('drops a fence glued to a line, and keeps a fence line\'s language tag out of the text', () => {
    expect(cleanLine('```Program received signal SIGSEGV, Segmentation fault.')).toBe('Program received signal SIGSEGV, Segmentation fault.');
    expect(cleanLine('#3  0x4011 in main () at m.c:7```')).toBe('#3  0x4011 in main () at m.c:7');
    expect(cleanLine('```gdb')).toBe('');
    expect(cleanLine('frame #0: 0x1 a.out`main at m.c:3')).toBe('frame #0: 0x1 a.out`main at m.c:3');
  });
  it('unescapes HTML entities, drops fences, keeps lldb backticks', () => {
    expect(cleanLine('#0 f (v=std::vector&lt;int&gt; &amp;) at a.cc:1')).toBe('#0 f (v=std::vector<int> &) at a.cc:1');
    expect(cleanLine('```')).toBe('');
    expect(cleanLine('  frame #0: 0x1 prog`main at a.c:3')).toBe('  frame #0: 0x1 prog`main at a.c:3');
  });
  it('leaves a comparison in a log line alone', () => {
    expect(cleanLine('x > 3 failed')).toBe('x > 3 failed');
  });
});

describe('partial and cut traces', () => {
  const frames = [
    '#8  0x000055555555a1b2 in Session::flush (this=0x0) at session.cc:88',
    '#9  0x000055555555a2c3 in Server::tick (this=0x5555555a0eb0) at server.cc:140',
    '#10 0x000055555555a3d4 in main () at main.cc:12',
  ];
  it('a bt that starts at #8 is read', () => {
    const [r] = analyze(['Program received signal SIGSEGV, Segmentation fault.', ...frames].join('\n'), { rules: null }).reports;
    expect(r!.threads[0]!.frames.map((f) => f.function)).toEqual(['Session::flush', 'Server::tick', 'main']);
  });
  it('a reporter\'s "..." and "[...]" elisions and a pager prompt do not end the trace', () => {
    const text = ['#0  0x00007ffff7a42e2c in __pthread_kill_implementation () from /lib/x86_64-linux-gnu/libc.so.6', '...', '[...]',
      '--Type <RET> for more, q to quit, c to continue without paging--', ...frames].join('\n');
    const [r] = analyze(text, { rules: null }).reports;
    expect(r!.threads[0]!.frames.map((f) => f.index)).toEqual([0, 8, 9, 10]);
    expect(r!.signatureFrames[0]).toBe('Session::flush');
  });
  it('a trace cut mid-line at the end keeps its whole frames', () => {
    const [r] = analyze([...frames, '#11 0x000055555555a4e5 in __libc_start_call_ma'].join('\n'), { rules: null }).reports;
    expect(r!.threads[0]!.frames.slice(0, 3).map((f) => f.function)).toEqual(['Session::flush', 'Server::tick', 'main']);
  });
  it('frames that lost their "#" (an IDE console) are read, with "at libc.so.6" as the module', () => {
    const text = ['Program received signal SIGABRT, Aborted.', '0  0x00007ffff54178a0 in raise () at /usr/lib/libc.so.6',
      '1  0x00007ffff5418f09 in abort () at /usr/lib/libc.so.6', '2  0x0000555555585da8 in main(int, char**) (argc=2, argv=0x7fffffffea78)',
      '    at /home/dev/app/main.cpp:23'].join('\n');
    const [r] = analyze(text, { rules: null }).reports;
    expect(r!.threads[0]!.frames.map((f) => [f.function, f.module])).toEqual([['raise', '/usr/lib/libc.so.6'], ['abort', '/usr/lib/libc.so.6'], ['main', null]]);
    expect(r!.signatureFrames).toEqual(['main']);
  });
});

describe('a crash handler\'s own ==PID== prefix (not Valgrind)', () => {
  it('is learned at the trace and removed, and the handler above the signal trampoline is skipped', () => {
    const text = ['==4242== myserver 2.1 crashed by signal 11', '==4242==', '==4242== STACK TRACE:',
      '==4242== 0 myserver(on_sigsegv+0x168) [0x408408]', '==4242== 1 /lib/x86_64-linux-gnu/libpthread.so.0(+0x10340) [0x7f07c4025340]',
      '==4242== 2 /lib/x86_64-linux-gnu/libc.so.6(+0x140d54) [0x7f07c3d90d54]', '==4242== 3 myserver(parse_header+0x3c) [0x40761c]',
      '==4242== 4 myserver(main+0xbcf) [0x40602f]'].join('\n');
    const [r] = analyze(text, { rules: null }).reports;
    expect(r!.format).toBe('backtrace_symbols');
    expect(r!.signal).toBe('SIGSEGV');
    expect(r!.signatureFrames).toEqual(['parse_header', 'main']);
    expect(r!.skipped.find((s) => s.frame === 0)!.reason).toMatch(/crash handler/);
  });

  it("is learned behind a logger's prefix too (the handler's dump in a container's log)", () => {
    const text = ['==4242== myserver 2.1 crashed by signal 11', '==4242== STACK TRACE:', '==4242== 0 myserver(on_sigsegv+0x168) [0x408408]',
      '==4242== 1 /lib/x86_64-linux-gnu/libc.so.6(+0x42520) [0x7f07c3c42520]', '==4242== 2 myserver(parse_header+0x3c) [0x40761c]',
      '==4242== 3 myserver(main+0xbcf) [0x40602f]'].map((l) => `web-1  | ${l}`).join('\n');
    const [r] = analyze(text, { rules: null }).reports;
    expect(r!.format).toBe('backtrace_symbols');
    expect(r!.signal).toBe('SIGSEGV');
    expect(r!.signatureFrames).toEqual(['parse_header', 'main']);
  });
});

describe("a frame line's rest after a terminal's cut, and what is not one", () => {
  it("joins an ASan frame's cut location, and leaves a shell's word after the stack alone", () => {
    const head = '==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1 bp 0x2 sp 0x3\nREAD of size 4 at 0x602000000010 thread T0\n';
    const cut = head + '    #0 0x55d0c0a1b2cd in store::Table::lookup(unsigned long) const /src/store/tab\nle.cc:41:9\n    #1 0x55d0c0a1b3de in main /src/main.cc:5:3\n';
    const [r] = analyze(cut, { rules: null }).reports;
    expect(r!.threads[0]!.frames.map((f) => [f.function, f.file, f.line])).toEqual([['store::Table::lookup', '/src/store/table.cc', 41], ['main', '/src/main.cc', 5]]);
    const after = head + '    #0 0x55d0c0a1b2cd in store::Table::lookup(unsigned long) const /src/store/table.cc:41:9\nAborted\n';
    expect(analyze(after, { rules: null }).reports[0]!.threads[0]!.frames[0]!.file).toBe('/src/store/table.cc');
  });
});
