// Valgrind's thread checkers (class: a race or a lock-order cycle found by Helgrind or DRD rather
// than TSan): their errors are read like memcheck's, with TSan's words as the crash kind and the
// other access as a second stack. Written in each tool's shape; names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const v = (lines: string[]) => lines.map((l) => `==9120== ${l}`.trimEnd()).join('\n');

describe('Helgrind', () => {
  const race = v([
    'Possible data race during write of size 4 at 0x10C014 by thread #3',
    'Locks held: none',
    '   at 0x1092F1: ring_push (ring.c:38)',
    '   by 0x109401: producer (bench.c:22)',
    '',
  ]);
  it('a possible data race is a data race, blamed on the writer', () => {
    const r = analyze(race).reports[0]!;
    expect([r.format, r.crashKind, r.signatureFrames[0]]).toEqual(['valgrind', 'data race', 'ring_push']);
    expect(r.diagnoses[0]?.category).toBe('data-race');
  });
  it("keeps the conflicting access as a second stack", () => {
    const r = analyze(v([
      'Possible data race during write of size 4 at 0x10C014 by thread #3',
      'Locks held: none',
      '   at 0x1092F1: ring_push (ring.c:38)',
      '',
      'This conflicts with a previous read of size 4 by thread #2',
      'Locks held: none',
      '   at 0x109355: ring_pop (ring.c:51)',
      ' Address 0x10c014 is 4 bytes inside data symbol "g_ring"',
      '',
    ])).reports[0]!;
    expect(r.threads.map((t) => [t.role, t.frames[0]?.rawFunction])).toEqual([['access', 'ring_push'], ['previous-access', 'ring_pop']]);
  });
  it('a lock-order violation is a potential deadlock', () => {
    const r = analyze(v(['Thread #1: lock order "0x4C3E040 before 0x4C3E0A0" violated', '   at 0x4C32145: pthread_mutex_lock (hg_intercepts.c:909)', '   by 0x10930A: transfer (bank.c:40)', ''])).reports[0]!;
    expect(r.crashKind).toBe('lock-order-inversion (potential deadlock)');
    expect(r.diagnoses[0]?.category).toBe('deadlock');
  });
  it("a lock-order violation's acquisitions, in their blank-separated parts", () => {
    const r = analyze(v([
      'Thread #1: lock order "0x10C0A0 before 0x10C0E0" violated',
      '',
      'Observed (incorrect) order is: acquisition of lock at 0x10C0E0',
      '   at 0x4850CCF: pthread_mutex_lock (hg_intercepts.c:909)',
      '   by 0x1092B1: ledger_post (ledger.c:41)',
      '',
      ' followed by a later acquisition of lock at 0x10C0A0',
      '   at 0x4850CCF: pthread_mutex_lock (hg_intercepts.c:909)',
      '   by 0x1092C9: ledger_post (ledger.c:42)',
      '',
      'ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)',
    ])).reports[0]!;
    expect([r.crashKind, r.signatureFrames[0]]).toEqual(['lock-order-inversion (potential deadlock)', 'ledger_post']);
    expect(r.threads.map((t) => t.role)).toEqual(['access', 'stack']);
  });
  it("a thread announcement alone is no error", () => {
    expect(analyze(v(['---Thread-Announcement------------------------------------------', '', 'Thread #3 was created', '   at 0x4B1E9F3: clone (clone.S:76)', '   by 0x10963A: main (bench.c:61)', ''])).reports).toEqual([]);
  });
});

describe('DRD', () => {
  it('a conflicting store is a data race', () => {
    const r = analyze(v(['Thread 3:', 'Conflicting store by thread 3 at 0x0010c0f8 size 8', '   at 0x109D52: pool::Stats::record(unsigned long) (stats.cc:19)', '   by 0x10A1E4: pool::Worker::loop() (worker.cc:52)', 'Allocation context: BSS section of /build/poolbench', 'Other segment start (thread 2)', '   (thread finished and joined)', 'Other segment end (thread 2)', '   (thread finished and joined)', ''])).reports[0]!;
    expect([r.crashKind, r.signatureFrames[0]]).toEqual(['data race', 'pool::Stats::record']);
  });
});
