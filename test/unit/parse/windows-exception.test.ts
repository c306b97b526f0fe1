// Windows exception codes in the crash model's words (parse/windows-exception.ts): the signal that
// means the same fault, and the crash kind where the signal would lose what Windows said.
import { describe, expect, it } from 'vitest';
import { fastFailDescription, fastFailKind, hexAddress, windbgModuleFile, windowsException } from '../../../src/parse/windows-exception.js';
import { isKnownCrashKind, isKnownSignal } from '../../../src/model/vocabulary.js';

describe('Windows exception codes', () => {
  it.each([
    ['0xC0000005', 'SIGSEGV', null], ['c0000005', 'SIGSEGV', null], ['0xc00000fd', 'SIGSEGV', 'stack-overflow'], ['C0000409', 'SIGABRT', null],
    ['0xC0000374', 'SIGABRT', 'heap-corruption'], ['0xC0000094', 'SIGFPE', null], ['0xC000001D', 'SIGILL', null], ['0x80000003', 'SIGTRAP', null],
    ['0xE06D7363', 'SIGABRT', null], ['0x40000015', 'SIGABRT', null], ['0xC0000006', 'SIGBUS', null],
  ])('%s is %s (%s)', (code, signal, kind) => {
    const e = windowsException(code)!;
    expect([e.signal, e.crashKind]).toEqual([signal, kind]);
    expect(isKnownSignal(e.signal)).toBe(true);
    if (e.crashKind) expect(isKnownCrashKind(e.crashKind)).toBe(true);
  });

  it('knows no fault in other codes and other text', () => {
    expect(windowsException('0x00000000')).toBeNull();
    expect(windowsException('0xC0000135')).toBeNull();
    expect(windowsException('access violation')).toBeNull();
  });

  it("tells a /GS cookie failure from abort()'s fast fail", () => {
    expect([fastFailKind(2), fastFailKind(7)]).toEqual(['stack-buffer-overflow', null]);
    expect(fastFailDescription(7)).toBe('STATUS_STACK_BUFFER_OVERRUN (fast fail 7, FAST_FAIL_FATAL_APP_EXIT)');
    expect(fastFailDescription(99)).toBe('STATUS_STACK_BUFFER_OVERRUN (fast fail 99)');
  });

  it("writes addresses as the model does and names Windows' own DLLs by their file", () => {
    expect([hexAddress('0x0000000000000010'), hexAddress('00000000`00000000'), hexAddress('7FFD3C4E7034')]).toEqual(['0x10', '0x0', '0x7ffd3c4e7034']);
    expect(['ntdll', 'KERNELBASE', 'ucrtbase', 'VCRUNTIME140', 'render_core'].map(windbgModuleFile)).toEqual(['ntdll.dll', 'KERNELBASE.dll', 'ucrtbase.dll', 'VCRUNTIME140.dll', 'render_core']);
  });
});
