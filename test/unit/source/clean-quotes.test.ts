// Quoting as pastes carry it: a quoted reply inside a code block ("    > "), after a tab, a code
// block inside a quote inside a code block, and an HTML-escaped quote ("&gt; "). A '>' that closes
// a wrapped template argument list is text.
import { describe, expect, it } from 'vitest';
import { cleanLine } from '../../../src/source/clean.js';

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
