// The frame tails ("name file:line", "name [file:line]") are found from the last word instead of
// one regex over the line: the results must be exactly what the regexes they replace give.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bracketLocation, fileTail, isSpaceCode } from '../../../src/parse/sanitizer-frame.js';

const FILE_TAIL = /^(.*\S)\s+(\S+?):(\d+)(?::(\d+))?$/;
const BRACKET_LOCATION = /^(.*\S)\s+\[([^[\]\s]+?):(\d+)(?::(\d+))?\]$/;
const asArray = (m: RegExpExecArray | null) => (m ? [...m] : null);

// Characters that make the regexes branch: separators, digits, brackets, every kind of space and break.
const CHARS = ['a', 'Z', '.', '/', ':', ':', '1', '2', '0', '[', ']', '(', ')', ' ', ' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u200b'];
// Endings that match often, after any start.
const ENDINGS = ['', ' a:1', '\tb.c:12:3', ' [x:1]', ' [x:1:2]', ':3', ']', ' (m+0x1)'];
const text = fc.tuple(fc.array(fc.constantFrom(...CHARS), { maxLength: 24 }), fc.constantFrom(...ENDINGS)).map(([cs, end]) => cs.join('') + end);

describe('sanitizer frame tails', () => {
  it('fileTail gives what ^(.*\\S)\\s+(\\S+?):(\\d+)(?::(\\d+))?$ gives', () => {
    fc.assert(fc.property(text, (t) => {
      expect(fileTail(t)).toEqual(asArray(FILE_TAIL.exec(t)));
    }), { numRuns: 5000 });
    for (const t of ['f a.cc:12:3', 'C:\\b\\v8\\api.cc:2060', 'f  x:1:2:3', 'f\u00a0a.c:1', 'a\nb c:1', 'f a.c:1 ', 'f (m+0x1):2']) {
      expect(fileTail(t)).toEqual(asArray(FILE_TAIL.exec(t)));
    }
  });

  it('bracketLocation gives what the bracket regex gives', () => {
    fc.assert(fc.property(text, (t) => {
      expect(bracketLocation(t)).toEqual(asArray(BRACKET_LOCATION.exec(t)));
    }), { numRuns: 5000 });
    for (const t of ['main [server.cc:12:3]', 'main [a b:1]', 'main\t[x:1]', '[x:1]', 'm [x:1:2:3]']) {
      expect(bracketLocation(t)).toEqual(asArray(BRACKET_LOCATION.exec(t)));
    }
  });

  it('isSpaceCode is \\s, for every UTF-16 code unit', () => {
    const differ: string[] = [];
    for (let c = 0; c < 0x10000; c++) if (isSpaceCode(c) !== /\s/.test(String.fromCharCode(c))) differ.push(`U+${c.toString(16)}`);
    expect(differ).toEqual([]);
  });
});
