import { describe, expect, it } from 'vitest';
import { hasNulOrControl, looksBinary } from '../../../src/source/sniff.js';

// The bytes sniff.ts counts as "not text" (NUL, and controls other than bell, backspace, tab,
// line ends, vertical tab, form feed and ESC), as a plain regex: the word-wise scan must agree.
const NOT_TEXT = /[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f]/;
const byRegex = (b: Buffer) => NOT_TEXT.test(b.toString('latin1'));

describe('hasNulOrControl', () => {
  const line = Buffer.from('2025-01-02T03:04:05Z [INFO] worker handled request\tid=1 é ✓ \x1b[0m\r\n');
  it('agrees with the regex for every byte value at every alignment and position', () => {
    const base = Buffer.concat(Array.from({ length: 4 }, () => line));
    for (let byte = 0; byte < 256; byte++) {
      for (const start of [0, 1, 2, 3]) {
        for (const at of [0, 1, 5, 17, base.length - start - 1]) {
          const view = Buffer.from(base).subarray(start);
          view[at] = byte;
          expect(hasNulOrControl(view), `byte 0x${byte.toString(16)} at ${at} (offset ${start})`).toBe(byRegex(view));
        }
      }
    }
  });
  it('agrees on random data and on text', () => {
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 200; n++) {
      const b = Buffer.from(Array.from({ length: 1 + (n % 37) }, () => 0x20 + (rand() % 0x5f)));
      if (n % 3 === 0) b[rand() % b.length] = rand() % 0x20;
      expect(hasNulOrControl(b)).toBe(byRegex(b));
    }
    expect(hasNulOrControl(line)).toBe(false);
  });
});

describe('looksBinary', () => {
  it('text with tabs, CRLF, ESC colours and UTF-8 is text; NUL-filled or control-dense bytes are not', () => {
    expect(looksBinary(Buffer.from('#0  0x1 in main () at a.c:3\r\n\tat \x1b[31mred\x1b[0m é\n'.repeat(50)))).toBe(false);
    expect(looksBinary(Buffer.alloc(4096))).toBe(true);
    expect(looksBinary(Buffer.from('\x01\x02\x03\x04abc'.repeat(500)))).toBe(true);
  });
  it('Latin-1 text (invalid UTF-8, no control bytes) stays text', () => {
    expect(looksBinary(Buffer.from('caf\xe9 cr\xe8me br\xfbl\xe9e\n'.repeat(200), 'latin1'))).toBe(false);
  });
});
