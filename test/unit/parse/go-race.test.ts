// Go's race detector (parse/go-race.ts): the access and the previous access, the goroutines'
// creation stacks, "main goroutine", the report's "==================" rules and the test output after.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goRaceParser } from '../../../src/parse/go-race.js';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith, where } from './feed.js';

describe('go-race parser', () => {
  it('reads a race: the access, the previous access and both creation stacks, as TSan roles', () => {
    const t = parseOne(goRaceParser, readFileSync(samplePath('go-race-data-race.txt'), 'utf8'));
    expect(t.format).toBe('go-race');
    expect(t.crashKind).toBe('data race');
    expect([t.signal, t.faultAddress]).toEqual([null, '0x00c0001b6028']);
    expect(t.threads.map((th) => [th.id, th.role, th.name, th.frames.length])).toEqual([
      ['1', 'access', 'goroutine 14', 2], ['2', 'previous-access', 'goroutine 13', 3],
      ['3', 'thread-created', 'goroutine 14 (running)', 2], ['4', 'thread-created', 'goroutine 13 (finished)', 2],
    ]);
    expect(t.hints).toEqual([{ threadId: '1', reason: 'stop-reason' }]);
    expect(where(t.threads[0]!.frames)).toEqual([
      ['example.org/ratelimit.(*Limiter).Allow', '/home/ci/ratelimit/limiter.go', 47],
      ['example.org/ratelimit.TestLimiterParallel.func1', '/home/ci/ratelimit/limiter_test.go', 31],
    ]);
    // The closing rule is the report's last line; "--- FAIL" and "testing.go:1398" are the test's output.
    expect(t.endLine).toBe(29);
  });

  it('is a data race to the rules: the generic data-race rule fires', () => {
    const [r] = analyze(readFileSync(samplePath('go-race-data-race.txt'), 'utf8')).reports;
    expect(r!.crashKind).toBe('data race');
    expect(r!.diagnoses.map((d) => d.ruleId)).toContain('generic/data-race');
  });

  it('reads "main goroutine" and atomic accesses, with the frames re-indented by a CI log', () => {
    const t = parseOne(goRaceParser, lines(
      'WARNING: DATA RACE',
      'Atomic write at 0x00c000016100 by goroutine 6:',
      '    sync/atomic.AddInt64()',
      '        /usr/lib/go/src/runtime/race_amd64.s:289 +0xb',
      '    main.bump()',
      '        /src/app/main.go:11 +0x44',
      'Previous read at 0x00c000016100 by main goroutine:',
      '    main.main()',
      '        /src/app/main.go:20 +0x1a5',
      '==================',
    ));
    expect(t.threads.map((th) => [th.role, th.name, th.lwp])).toEqual([['access', 'goroutine 6', 6], ['previous-access', 'main goroutine', null]]);
    expect(where(t.threads[1]!.frames)).toEqual([['main.main', '/src/app/main.go', 20]]);
  });

  it("reads nothing from a line that only names a race, nor from TSan's own C++ header", () => {
    expect(parseWith(goRaceParser, lines('WARNING: DATA RACE detection is slow', 'ok'))).toEqual([]);
    expect(parseWith(goRaceParser, lines('WARNING: ThreadSanitizer: data race (pid=1)', '  Write of size 4 at 0x1 by thread T1:', '    #0 f a.c:1 (a+0x1)'))).toEqual([]);
    expect(parseWith(goRaceParser, lines('WARNING: DATA RACE', 'Write at 0x1 by goroutine 2:', '==================', 'no frames'))).toEqual([]);
  });
});
