// The ".so" paths of log lines (module evidence for rules), found in linear time: a 70 KB line of
// path characters took 20-45 s with the old scanning regex.
import { describe, expect, it } from 'vitest';
import { sharedObjects } from '../../../src/rules/conditions.js';

describe('sharedObjects', () => {
  it.each([
    ['loaded /usr/lib/x86_64-linux-gnu/libtcmalloc.so.4 ok', ['/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4']],
    ['libc.so.6(+0x1234) [0x7f]', ['libc.so.6']],
    ['two: libfoo.so and ./lib/libbar.so.1.2', ['libfoo.so', './lib/libbar.so.1.2']],
    ['a.sock is a socket, nothing.something', []],
  ])('%s', (line, expected) => expect(sharedObjects(line)).toEqual(expected));

  it('reads a 400 KB line of path characters (the quadratic scan did not finish within the test timeout)', () => {
    const line = 'a/'.repeat(200_000) + ' x';
    expect(sharedObjects(line)).toEqual([]);
    expect(sharedObjects(line + ' libz.so.1')).toEqual(['libz.so.1']);
  });
});
