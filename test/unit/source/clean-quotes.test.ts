// Quoting as pastes carry it: a quoted reply inside a code block ("    > "), after a tab, a code
// block inside a quote inside a code block, and an HTML-escaped quote ("&gt; "). A '>' that closes
// a wrapped template argument list is text.
import { describe, expect, it } from 'vitest';
import { cleanLine, splitEscapedNewlines, splitJsonEscapedNewlines } from '../../../src/source/clean.js';

describe('cleanLine: quote markers wherever the paste put them', () => {
  it.each([
    ['> #0  0x1 in f ()', '#0  0x1 in f ()'],
    ['    > #0  0x1 in f ()', '#0  0x1 in f ()'],
    ['\t> #0  0x1 in f ()', '#0  0x1 in f ()'],
    ['>     > Thread 7 Crashed:', 'Thread 7 Crashed:'],
    ['> > > frame #2: 0x1 a.out`main', 'frame #2: 0x1 a.out`main'],
    ['&gt; #0  0x1 in f (p=0x0) at a.c:3', '#0  0x1 in f (p=0x0) at a.c:3'],
    ['    &gt; #1  0x2 in std::vector&lt;int&gt;::at ()', '#1  0x2 in std::vector<int>::at ()'],
    ['>', ''],
  ])('%j -> %j', (line, clean) => expect(cleanLine(line)).toBe(clean));

  it.each([
    '    >::find (this=0x0) at map.h:12',
    '>::operator() () at f.cc:3',
    '#0  0x1 in operator> (a=..., b=...) at cmp.h:9',
  ])('keeps %j', (line) => expect(cleanLine(line)).toBe(line));
});

describe('cleanLine: text as web pages and Markdown sources carry it', () => {
  it.each([
    ['* thread #&#8203;3, name = \'io\', stop reason = EXC_BAD_ACCESS', "* thread #3, name = 'io', stop reason = EXC_BAD_ACCESS"],
    ['  * frame #\u200b0: 0x1 netd`io::Socket::close(this=0x0) at socket.cc:201:9', '  * frame #0: 0x1 netd`io::Socket::close(this=0x0) at socket.cc:201:9'],
    ['\\* frame \\#0: 0x1 vmrun\\`vm::exec(this=0x0) at interp.cpp:301', '* frame #0: 0x1 vmrun`vm::exec(this=0x0) at interp.cpp:301'],
    ['\\#3  0x4 in \\_\\_libc\\_start\\_main () from /lib/libc.so.6', '#3  0x4 in __libc_start_main () from /lib/libc.so.6'],
    ['&#x23;1  0x2 in std::vector&#60;int&#62;::at ()', '#1  0x2 in std::vector<int>::at ()'],
  ])('%j -> %j', (line, clean) => expect(cleanLine(line)).toBe(clean));

  it('keeps a Windows path, and an entity that is not a character', () => {
    expect(cleanLine('#0  0x1 in f () at C:\\src\\net\\sock.cpp:12')).toBe('#0  0x1 in f () at C:\\src\\net\\sock.cpp:12');
    expect(cleanLine('value &#99999999; left')).toBe('value &#99999999; left');
  });

  // Class: Windows paths with a backslash before punctuation (GitHub Actions' D:\a\_temp, D:\a\_work,
  // CMake's .\_deps, a share's \\build\_out) lost it as a Markdown escape.
  it.each([
    'D:\\a\\_temp\\build\\src\\main.cpp(42): fatal error C1083',
    '#3  0x7ff6 in app::run () at D:\\a\\_work\\app\\src\\run.cpp:88',
    '   viewer.exe!Render::draw() Line 42\tC++ .\\_deps\\fmt-src\\format.h',
    'frame #2: 0x1 in f at \\\\build01\\_out\\x\\f.cpp:3',
  ])('keeps the backslashes of a Windows path before punctuation: %j', (line) => expect(cleanLine(line)).toBe(line));

  it('still unescapes Markdown outside a Windows path on the same line', () => {
    expect(cleanLine('\\#0  0x1 in \\_\\_run () at D:\\a\\_work\\x.cpp:3')).toBe('#0  0x1 in __run () at D:\\a\\_work\\x.cpp:3');
  });
});

describe("rsyslog's escaped line feeds", () => {
  it('a line whose "#012"s all start numbers ("#0123") after a space, a bracket or a comma is no escaped message', () => {
    expect(splitEscapedNewlines('msg: a#012b#012c')).toEqual(['msg: a', 'b', 'c']);
    expect(splitEscapedNewlines('fixed in #0123 and #0124, see #0125')).toBeNull();
    expect(splitEscapedNewlines('changelog (#0123),#0124; #0125')).toBeNull();
    // Glued to the line before it, a "#012" is a line feed even before a digit (a time, an address).
    expect(splitEscapedNewlines('Stack trace of thread 5160)#01211-30 09:41:07.603 F libc#0120x7f2a1c41b2e4 fill_slot')).toEqual(['Stack trace of thread 5160)', '11-30 09:41:07.603 F libc', '0x7f2a1c41b2e4 fill_slot']);
    expect(splitEscapedNewlines('Stack dump:#0120.\tProgram arguments: clang#012#0 0x55d0c1e2a3f4 main')).toEqual(['Stack dump:', '0.\tProgram arguments: clang', '#0 0x55d0c1e2a3f4 main']);
  });
});

describe('cleanLine: a line pasted as one inline-code span (class: frames as Markdown list items)', () => {
  it.each([
    ['   - `#0  0x1 in sheet::Cell::text (this=0x10) at cell.cpp:27`', '#0  0x1 in sheet::Cell::text (this=0x10) at cell.cpp:27'],
    ['* `#1  0x2 in main () at main.cpp:11`', '#1  0x2 in main () at main.cpp:11'],
    ['2. `frame #3: 0x3 a.out`', 'frame #3: 0x3 a.out'],
    ['`#0  0x1 in f ()`', '#0  0x1 in f ()'],
  ])('%j -> %j', (line, clean) => expect(cleanLine(line)).toBe(clean));

  it.each([
    '  * frame #0: 0x1 netd`io::Socket::close(this=0x0) at socket.cc:201:9',
    '- run `make check` first',
    '    frame #1: 0x2 libc++abi.dylib`std::__terminate(void (*)()) + 16',
  ])('keeps %j (a module`function pair, or code inside prose)', (line) => expect(cleanLine(line)).toBe(line));
});

describe('cleanLine: syslog prefixes', () => {
  it.each([
    ['Jan 12 03:04:05 build-7 prog[1234]: #0  0x1 in f ()', '#0  0x1 in f ()'],
    ['Jan  2 03:04:05 host kernel: app[12]: segfault at 0', 'app[12]: segfault at 0'],
    // journalctl -o short-iso, rsyslog's RFC 3339 times: a numeric offset.
    ['2024-05-01T10:00:00+0000 host kernel: app[12]: segfault at 0', 'app[12]: segfault at 0'],
    ['2024-05-01T10:00:00.123456+00:00 myhost app[77]: #0  0x1 in f ()', '#0  0x1 in f ()'],
    ['2024-05-01T10:00:00Z myhost app[77]: #0  0x1 in f ()', '#0  0x1 in f ()'],
  ])('%j -> %j', (line, clean) => expect(cleanLine(line)).toBe(clean));

  // Class: a CI runner's time, then a message starting with two words and a colon, read as a host
  // and a program ("Fatal error", "Assertion failed"): the message lost its first words.
  it.each([
    ['2024-05-01T10:00:00.1234567Z Fatal error: signal 11 received', 'Fatal error: signal 11 received'],
    ['2024-05-01T10:00:00Z Assertion failed: n > 0, file src/a.c, line 12', 'Assertion failed: n > 0, file src/a.c, line 12'],
    ['2024-05-01T10:00:00.1234567Z test failed: expected 3, got 4', 'test failed: expected 3, got 4'],
  ])('keeps the message after a CI time: %j', (line, clean) => expect(cleanLine(line)).toBe(clean));
});


describe('a multi-line text escaped into one line (splitJsonEscapedNewlines)', () => {
  it('splits a structured logger\'s stack field at its escaped line feeds and unescapes it', () => {
    const line = '{"msg":"crash","stack":"Program received signal SIGSEGV.\\n#0  0x0000555555555131 in f (p=0x0) at \\"a.c\\":5\\n#1  0x000055555555514f in main () at a.c:9\\n\\tnote"}';
    expect(splitJsonEscapedNewlines(line)).toEqual([
      '{"msg":"crash","stack":"Program received signal SIGSEGV.',
      '#0  0x0000555555555131 in f (p=0x0) at "a.c":5',
      '#1  0x000055555555514f in main () at a.c:9',
      '\tnote"}',
    ]);
  });

  it('leaves a line with one or two escaped line feeds, or a Windows path\'s "\\n", as it is', () => {
    expect(splitJsonEscapedNewlines('retrying: "timeout\\nreset\\nagain"')).toBeNull();
    expect(splitJsonEscapedNewlines('C:\\Program Files\\nodejs\\node.exe[21344]: c:\\ws\\src\\node_buffer.cc:254: \\new\\n')).toBeNull();
    // An escaped backslash before an "n" is a path's "\\n" in an escaped string, not a line feed.
    expect(splitJsonEscapedNewlines('"C:\\\\nodejs\\\\nw\\\\node.exe a\\nb\\nc\\nd"')).toEqual(['"C:\\nodejs\\nw\\node.exe a', 'b', 'c', 'd"']);
  });
});
