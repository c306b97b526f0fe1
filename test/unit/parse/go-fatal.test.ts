// Go's fatal errors. samples/go-*.txt are go 1.19's output for test/programs/go_fatal.go (built with
// -trimpath): a deadlock (also with GOTRACEBACK=system), concurrent map writes (GOTRACEBACK=system,
// so every frame has "fp= sp= pc="), and a goroutine stack overflow from unbounded recursion.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const sample = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', '..', 'samples', name), 'utf8');
const one = (text: string) => {
  const { reports } = analyze(text, { rules: null });
  expect(reports).toHaveLength(1);
  return reports[0]!;
};

describe('Go fatal errors', () => {
  it('reads a deadlock: kind deadlock, the main goroutine blocked in a channel send', () => {
    const r = one(sample('go-deadlock.txt'));
    expect(r).toMatchObject({ format: 'go', signal: null, crashKind: 'deadlock', crashedThread: 0 });
    expect(r.threads[0]!.name).toBe('goroutine 1 [chan send]');
    expect(r.threads[0]!.frames[0]).toMatchObject({ function: 'main.publish', file: './gofatal.go', line: 19 });
    expect(r.signatureFrames).toEqual(['main.publish', 'main.main']);
  });

  it("reads a deadlock with the runtime's stack first: goroutine 1's first program frame signs", () => {
    const r = one(sample('go-deadlock-gotraceback-system.txt'));
    expect(r.crashKind).toBe('deadlock');
    expect(r.threads[0]!.role).toBe('runtime');
    expect(r.threads[r.crashedThread!]!.id).toBe('1');
    expect(r.threads[r.crashedThread!]!.frames[0]!.function).toBe('runtime.gopark');
    expect(r.signatureFrames[0]).toBe('main.publish');
    // Every goroutine is read: "fp= sp= pc=" after each location.
    expect(r.threads.map((t) => t.id)).toEqual(['runtime', '1', '2', '3', '4', '5']);
    expect(r.source.endLine).toBe(89);
  });

  it('reads concurrent map writes: the goroutine that wrote, frames with fp/sp/pc', () => {
    const r = one(sample('go-concurrent-map-writes.txt'));
    expect(r).toMatchObject({ crashKind: 'concurrent-map-access', signal: null, crashedThread: 0 });
    expect(r.signalDescription).toBe('fatal error: concurrent map writes');
    const t = r.threads[0]!;
    expect(t.name).toBe('goroutine 18 [running]');
    expect(t.frames.map((f) => f.function)).toEqual(['runtime.fatal', 'runtime.mapassign_fast64', 'main.fill', 'main.main.func1', 'runtime.goexit']);
    expect(t.frames[2]).toMatchObject({ file: './gofatal.go', line: 24 });
    expect(r.signatureFrames[0]).toBe('main.fill');
  });

  it('reads a stack overflow: kind stack-overflow, the recursion in the goroutine, not runtime.morestack', () => {
    const r = one(sample('go-stack-overflow.txt'));
    expect(r).toMatchObject({ crashKind: 'stack-overflow', signal: null, source: { line: 3, endLine: 268 } });
    expect(r.threads[0]!.frames.map((f) => f.function)).toEqual(['runtime.throw', 'runtime.newstack', 'runtime.morestack']);
    const g = r.threads[r.crashedThread!]!;
    expect(g.name).toBe('goroutine 1 [running]');
    expect(g.frames[0]).toMatchObject({ function: 'main.walk', line: 12 });
    expect(r.signatureFrames[0]).toBe('main.walk');
    // "runtime: goroutine stack exceeds 1000000000-byte limit" before the header stays as context.
    expect(r.context.some((c) => c.position === 'before' && /stack exceeds 1000000000-byte limit/.test(c.text))).toBe(true);
  });

  it('reads Go 1.8-era locations ("fp= sp=" without pc=)', () => {
    const r = one(`fatal error: concurrent map read and map write

goroutine 21 [running]:
runtime.throw(0x6e1b5f, 0x21)
	/usr/local/go/src/runtime/panic.go:596 +0x95 fp=0xc42003fe80 sp=0xc42003fe60
runtime.mapaccess1_faststr(0x6a6b40, 0xc4200de030, 0x6dc6ec, 0x4, 0x1)
	/usr/local/go/src/runtime/hashmap_fast.go:193 +0x4f2 fp=0xc42003fee0 sp=0xc42003fe80
main.reader(0xc4200de030)
	/home/dev/race/main.go:14 +0x58 fp=0xc42003ffd8 sp=0xc42003fee0
runtime.goexit()
	/usr/local/go/src/runtime/asm_amd64.s:2197 +0x1 fp=0xc42003ffe0 sp=0xc42003ffd8
created by main.main
	/home/dev/race/main.go:20 +0x7a
`);
    expect(r).toMatchObject({ crashKind: 'concurrent-map-access' });
    expect(r.threads[0]!.frames.map((f) => [f.function, f.line])).toEqual([['runtime.throw', 596], ['runtime.mapaccess1_faststr', 193], ['main.reader', 14], ['runtime.goexit', 2197]]);
    expect(r.signatureFrames[0]).toBe('main.reader');
  });

  it('keeps panics and signals as before', () => {
    const r = one('panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4817f1]\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/a.go:5 +0x11\n');
    expect(r).toMatchObject({ crashKind: 'SIGSEGV', faultAddress: '0x0' });
  });
});
