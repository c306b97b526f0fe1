// ABRT's truncated backtrace (parse/abrt.ts): frames without addresses, the signal from the report's
// "reason:" line, GLib's assertion machinery skipped.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe('abrt parser', () => {
  it("reads the crashing thread's frames and the signal of the reason line", () => {
    const [r, ...more] = analyze(`reason:         scribe killed by SIGABRT
type:           CCpp

Truncated backtrace:
Thread no. 1 (6 frames)
 #0 __pthread_kill_implementation at pthread_kill.c:44
 #2 __GI_raise at ../sysdeps/posix/raise.c:26
 #3 __GI_abort at abort.c:79
 #4 g_assertion_message_expr at ../glib/gtestutils.c:3279
 #5 tree_add_child at ../src/tree.c:221
 #6 ?? from /usr/lib64/libscribe.so.1
Thread no. 2 (1 frames)
 #0 poll at ../sysdeps/unix/sysv/linux/poll.c:29
`).reports;
    expect(more).toEqual([]);
    expect([r!.format, r!.signal]).toEqual(['abrt', 'SIGABRT']);
    expect(r!.threads[0]!.frames.map((f) => [f.function, f.file, f.line, f.module])).toEqual([
      ['__pthread_kill_implementation', 'pthread_kill.c', 44, null], ['__GI_raise', '../sysdeps/posix/raise.c', 26, null],
      ['__GI_abort', 'abort.c', 79, null], ['g_assertion_message_expr', '../glib/gtestutils.c', 3279, null],
      ['tree_add_child', '../src/tree.c', 221, null], ['??', null, null, '/usr/lib64/libscribe.so.1'],
    ]);
    expect(r!.signatureFrames[0]).toBe('tree_add_child');
    expect(r!.diagnoses[0]?.category).toBe('assertion');
  });
});
