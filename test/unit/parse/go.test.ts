// Go's parser on its own: a committed panic and short dumps in the runtime's shapes, fed straight to
// the parser. Goroutines are threads; the first printed one panicked; fatal errors name their kind.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goParser } from '../../../src/parse/go.js';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, where } from './feed.js';

describe('go parser', () => {
  it('reads a nil-pointer panic: signal, fault address, frames with their locations', () => {
    const t = parseOne(goParser, readFileSync(samplePath('go-panic-nil-pointer.txt'), 'utf8'));
    expect(t.format).toBe('go');
    expect(t.signal).toBe('SIGSEGV');
    expect(t.crashKind).toBe('SIGSEGV');
    expect(t.faultAddress).toBe('0x0');
    expect(t.signalDescription).toBe('panic: runtime error: invalid memory address or nil pointer dereference');
    expect(t.threads.map((th) => th.id)).toEqual(['6']);
    // "created by" is where the goroutine was started, not one of its frames.
    expect(where(t.threads[0]!.frames)).toEqual([['main.account', './go_panic.go', 12], ['main.main.func1', './go_panic.go', 20]]);
    expect(t.hints).toEqual([{ threadId: '6', reason: 'stop-reason' }]);
  });

  it('reads every goroutine of a GOTRACEBACK=all dump; a deadlock points at goroutine 1', () => {
    const t = parseOne(goParser, lines(
      'fatal error: all goroutines are asleep - deadlock!',
      '',
      'goroutine 1 [chan send]:',
      'main.main()',
      '\t/src/deadlock.go:8 +0x36',
      '',
      'goroutine 7 [chan receive]:',
      'main.worker(0xc000012345)',
      '\t/src/deadlock.go:14 +0x2b',
      'created by main.main in goroutine 1',
      '\t/src/deadlock.go:6 +0x1d',
      'exit status 2',
    ));
    expect(t.crashKind).toBe('deadlock');
    expect(t.signal).toBeNull();
    expect(t.threads.map((th) => [th.id, th.name])).toEqual([['1', 'goroutine 1 [chan send]'], ['7', 'goroutine 7 [chan receive]']]);
    expect(where(t.threads[1]!.frames)).toEqual([['main.worker', '/src/deadlock.go', 14]]);
    expect(t.hints).toEqual([{ threadId: '1', reason: 'stop-reason' }]);
    expect(t.endLine).toBe(12);
  });

  it('names a panic without a signal go-panic, and ends at the first line that is not the dump', () => {
    const t = parseOne(goParser, lines(
      'panic: boom',
      '',
      'goroutine 1 [running]:',
      'main.explode(...)',
      '\t/src/p.go:5',
      'main.main()',
      '\t/src/p.go:9 +0x25',
      'some unrelated log line',
    ));
    expect(t.crashKind).toBe('go-panic');
    expect(t.endLine).toBe(7);
    const r = analyze(lines('panic: boom', '', 'goroutine 1 [running]:', 'main.explode(...)', '\t/src/p.go:5'), { rules: null }).reports[0]!;
    expect(r.signatureFrames).toEqual(['main.explode']);
  });

  it("keeps the runtime's own stack of a fatal error apart, the goroutine as the crashing one", () => {
    const t = parseOne(goParser, lines(
      'runtime: goroutine stack exceeds 1000000000-byte limit',
      'fatal error: stack overflow',
      '',
      'runtime stack:',
      'runtime.throw({0x4a1b2c, 0xe})',
      '\t/usr/local/go/src/runtime/panic.go:1023 +0x5c fp=0x7ffc sp=0x7ffb pc=0x4351dc',
      '',
      'goroutine 1 [running]:',
      'main.recurse(0x1)',
      '\t/src/r.go:4 +0x1d fp=0xc0200e0390 sp=0xc0200e0388 pc=0x45d13d',
    ));
    expect(t.crashKind).toBe('stack-overflow');
    expect(t.threads.map((th) => [th.id, th.role])).toEqual([['runtime', 'runtime'], ['1', undefined]]);
    expect(t.hints).toEqual([{ threadId: '1', reason: 'stop-reason' }]);
    expect(where(t.threads[1]!.frames)).toEqual([['main.recurse', '/src/r.go', 4]]);
  });
});
