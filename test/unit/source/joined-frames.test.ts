// A stack whose line breaks were lost (pasted into rendered Markdown without a code block, where a
// line break is a space; a single-line field; a logger joining a message's lines with blanks) is
// split back into its lines before anything reads it.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { splitJoinedFrames } from '../../../src/source/clean.js';

const GDB = [
  'Program received signal SIGSEGV, Segmentation fault.',
  '0x0000555555555131 in Parser::next (this=0x0) at parser.cc:12',
  '12\t  return cur_->tok;',
  '(gdb) bt',
  '#0  0x0000555555555131 in Parser::next (this=0x0) at parser.cc:12',
  '#1  0x000055555555516a in Parser::parse_all (this=0x7fffffffe0c0) at parser.cc:40',
  '#2  0x000055555555517a in main () at main.cc:5',
];
const LLDB = [
  '* thread #1, name = \'ingest\', stop reason = EXC_BAD_ACCESS (code=1, address=0x8)',
  '  * frame #0: 0x0000000100003f2c ingest`Queue::pop(this=0x0) at queue.cc:22:10',
  '    frame #1: 0x0000000100003e80 ingest`Worker::run(this=0x16fdff0a8) at worker.cc:51:7',
  '    frame #2: 0x0000000100003d10 ingest`main at main.cc:9:3',
];

const VALGRIND = [
  '==4121== Invalid read of size 4',
  '==4121==    at 0x10919E: Ring::peek() (ring.cc:31)',
  '==4121==    by 0x1092B1: Consumer::drain() (consumer.cc:18)',
  '==4121==    by 0x109401: main (main.cc:12)',
  '==4121==  Address 0x4a8d048 is 8 bytes inside a block of size 64 free\'d',
];

describe('a stack joined into one line', () => {
  it.each([['gdb', GDB], ['lldb', LLDB], ['Valgrind', VALGRIND]])('%s: reads as the stack itself', (_name, lines) => {
    const expected = analyze(lines.join('\n'), { rules: null }).reports.map((r) => r.signatureText);
    expect(expected).toHaveLength(1);
    // (A reporter's words after Valgrind's last line are glued to it: that line is not a frame's.)
    const after = lines === VALGRIND ? '' : ' Any idea?';
    expect(analyze(`I get this when the input is empty: ${lines.join(' ')}${after}`, { rules: null }).reports.map((r) => r.signatureText)).toEqual(expected);
  });

  it('is cut before each frame and before the debugger lines around it', () => {
    expect(splitJoinedFrames(`crashes: ${GDB.join(' ')}`)).toEqual(['crashes:', GDB[0] + ' ' + GDB[1] + ' ' + GDB[2], ...GDB.slice(3)]);
  });

  it('needs three frames counting up, each an address or a function and its parenthesis', () => {
    expect(splitJoinedFrames('#0  0x1 in f () at a.c:1 #1  0x2 in main () at m.c:2')).toBeNull();
    expect(splitJoinedFrames('#0  0x1 in f () at a.c:1 #2  0x2 in g () at m.c:2 #1  0x3 in main () at m.c:3')).toBeNull();
    expect(splitJoinedFrames('fixes #1 #2 and #3, see #4 for the rest')).toBeNull();
    expect(splitJoinedFrames('[build 3/7] #1 0.3s #2 0.5s #3 0.9s')).toBeNull();
    // Tags: three of the same.
    expect(splitJoinedFrames('a ==1== b ==2== c ==3== d')).toBeNull();
  });
});
