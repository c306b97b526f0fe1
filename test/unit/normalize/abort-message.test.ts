// The message a program printed as it died, read out of the wrappings older runtimes put around it.
import { describe, expect, it } from 'vitest';
import { findAbortMessage } from '../../../src/normalize/abort-message.js';

const of = (...texts: string[]) => findAbortMessage(texts.map((text) => ({ text })));

describe('findAbortMessage: old glibc wrappings', () => {
  it.each([
    ["*** Error in `./tilegen': free(): invalid next size (fast): 0x0000000001e2c010 ***", 'free(): invalid next size (fast): 0x0000000001e2c010'],
    ["*** Error in `/usr/bin/python3': double free or corruption (!prev): 0x00000000022e1a40 ***", 'double free or corruption (!prev): 0x00000000022e1a40'],
    ['*** glibc detected *** ./strv: malloc(): memory corruption: 0x0000000000a3f2b0 ***', 'malloc(): memory corruption: 0x0000000000a3f2b0'],
  ])('%j -> %j', (line, message) => expect(of('loading 14211 ways', line, '======= Backtrace: =========')).toBe(message));

  it('leaves a current glibc message as printed', () => {
    expect(of('free(): invalid next size (normal)')).toBe('free(): invalid next size (normal)');
  });
});
