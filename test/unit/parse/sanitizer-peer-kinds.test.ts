// bench/peer-kinds.js: ClusterFuzz's crash types next to coredx's crash kinds (issue 11).
import { describe, expect, it } from 'vitest';
// @ts-ignore: a plain JS module (bench/ holds the scripts), typed by use here
import { clusterfuzzKind, NULL_PAGE } from '../../../bench/peer-kinds.js';

const report = (crashKind: string, faultAddress: string | null = null, abortMessage: string | null = null) => ({ crashKind, faultAddress, abortMessage });
const agrees = (type: string, r: ReturnType<typeof report>) => clusterfuzzKind(type)!.agrees(r) as boolean;

describe("ClusterFuzz's crash types as coredx kinds", () => {
  it('reads the first line of a crash type', () => {
    expect(clusterfuzzKind('Heap-use-after-free\nREAD 8')!.type).toBe('Heap-use-after-free');
    expect(agrees('Heap-use-after-free\nREAD 8', report('heap-use-after-free'))).toBe(true);
  });
  it('tells a null dereference from an unknown address by the null page', () => {
    expect(NULL_PAGE).toBe(0x1000);
    expect(agrees('Null-dereference READ', report('SIGSEGV', '0x000000000008'))).toBe(true);
    expect(agrees('Null-dereference READ', report('SIGSEGV', '0x000000010008'))).toBe(false);
    expect(agrees('UNKNOWN WRITE', report('SIGSEGV', '0x000000010008'))).toBe(true);
    expect(agrees('Null-dereference', report('ubsan: null-pointer-use'))).toBe(true);
  });
  it('compares UBSan checks by their names', () => {
    expect(agrees('Unsigned-integer-overflow', report('ubsan: unsigned-integer-overflow'))).toBe(true);
    expect(agrees('Integer-overflow', report('ubsan: unsigned-integer-overflow'))).toBe(false);
    expect(agrees('Non-positive-vla-bound-value', report('ubsan: vla-bound'))).toBe(true);
    expect(agrees('Bad-cast', report('ubsan: cfi-bad-cast'))).toBe(true);
  });
  it('compares message types by the signal and the abort message', () => {
    expect(agrees('CHECK failure', report('SIGABRT', null, '[1:1:0417/224500.881615:FATAL:text_iterator.cc(207)] Check failed: start <= end'))).toBe(true);
    expect(agrees('CHECK failure', report('SIGABRT'))).toBe(false);
    expect(agrees('ASSERT', report('SIGABRT', null, "prog: tree.c:860: insert: Assertion `node' failed."))).toBe(true);
    expect(agrees('ASSERT', report('go-panic'))).toBe(true);
    expect(agrees('Out-of-memory', report('SIGABRT', null, 'memory allocation of 4096 bytes failed'))).toBe(true);
  });
  it("leaves ClusterFuzz's own bug classes out, and compares a type it does not list as the same word", () => {
    expect(clusterfuzzKind('Command injection')).toBeNull();
    expect(clusterfuzzKind('')).toBeNull();
    expect(clusterfuzzKind(null)).toBeNull();
    expect(agrees('Dynamic-stack-buffer-overflow\nWRITE 1', report('dynamic-stack-buffer-overflow'))).toBe(true);
  });
});
