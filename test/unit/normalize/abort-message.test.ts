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

describe("findAbortMessage: V8's FATAL ERROR, not an application's", () => {
  it.each([
    'FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal',
    'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory',
    'FATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory',
    'FATAL ERROR: invalid array length Allocation failed - JavaScript heap out of memory',
    'FATAL ERROR: MarkCompactCollector: young object promotion failed Allocation failed - JavaScript heap out of memory',
    'FATAL ERROR: HandleScope::HandleScope Entering the V8 API without proper locking in place',
    'FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw',
  ])('%j is the message', (line) => expect(of('<--- JS stacktrace --->', line)).toBe(line));

  it.each(['FATAL ERROR: database unreachable, giving up', 'FATAL ERROR: 2 migrations failed'])('%j is no abort message', (line) => {
    expect(of(line, 'Program received signal SIGSEGV, Segmentation fault.')).toBeNull();
  });
});

describe("findAbortMessage: libc++'s hardening assertions (class: libc++ 18+ names its mode)", () => {
  it.each([
    '/usr/lib/llvm-18/bin/../include/c++/v1/vector:1393: libc++ Hardening assertion __n < size() failed: vector[] index out of bounds',
    '/usr/include/c++/v1/optional:805: assertion this->has_value() failed: optional operator* called on a disengaged value',
  ])('%j', (line) => expect(of('started', line)).toBe(line));
  it('a log line that mentions an assertion is none', () => {
    expect(of('note: assertion checks are on; none failed so far')).toBeNull();
  });
});
