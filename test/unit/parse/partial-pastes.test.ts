// Pastes cut at their top (people paste "the stack" from its first frame on): what the lines above
// said is gone, and the frames left must still be read and blamed as a human would.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const first = (text: string) => analyze(text).reports[0];

describe('partial pastes', () => {
  it("a 'thread apply all bt' cut above its first 'Thread N' header: the headerless waiting thread is not taken for the current one", () => {
    const r = first(`#0  0x00007f10a2c91117 in __futex_abstimed_wait_common () from /lib64/libc.so.6
#1  0x00007f10a2c93e9b in pthread_cond_timedwait@@GLIBC_2.3.2 () from /lib64/libc.so.6
#2  0x00000000004a11c0 in job::Timer::loop (this=0x1f2c0a0) at timer.cc:61
#3  0x00007f10a2c94802 in start_thread () from /lib64/libc.so.6

Thread 2 (Thread 0x7f10a17fa640 (LWP 811) "copy"):
#0  0x00007f10a2ca12c0 in __memcpy_avx_unaligned_erms () from /lib64/libc.so.6
#1  0x00000000004b2f7b in job::Chunk::copy_to (this=0x7f1094004b10, dst=0x7f1088000020 "", len=4096) at chunk.cc:95
#2  0x00007f10a2c94802 in start_thread () from /lib64/libc.so.6

Thread 1 (Thread 0x7f10a2b6e740 (LWP 809) "jobd"):
#0  0x00007f10a2c91117 in __futex_abstimed_wait_common () from /lib64/libc.so.6
#1  0x00007f10a2c96624 in __pthread_clockjoin_ex () from /lib64/libc.so.6
#2  0x0000000000409e18 in main () at main.cc:70
`)!;
    expect(r.signatureFrames[0]).toBe('job::Chunk::copy_to');
    expect(r.crashedThreadReason).toBe('first-running-thread');
  });

  it('a headerless bt followed by a thread listing that prints it again keeps it as the current thread', () => {
    const r = first(`#0  0x00007f10a2c91117 in __futex_abstimed_wait_common () from /lib64/libc.so.6
#1  0x00000000004a11c0 in job::Timer::loop (this=0x1f2c0a0) at timer.cc:61

Thread 2 (Thread 0x7f10a17fa640 (LWP 811) "copy"):
#0  0x00007f10a2ca12c0 in __memcpy_avx_unaligned_erms () from /lib64/libc.so.6
#1  0x00000000004b2f7b in job::Chunk::copy_to (this=0x7f1094004b10, dst=0x7f1088000020 "", len=4096) at chunk.cc:95

Thread 1 (Thread 0x7f10a2b6e740 (LWP 809) "jobd"):
#0  0x00007f10a2c91117 in __futex_abstimed_wait_common () from /lib64/libc.so.6
#1  0x00000000004a11c0 in job::Timer::loop (this=0x1f2c0a0) at timer.cc:61
`)!;
    expect(r.crashedThreadReason).toBe('current-thread');
    expect(r.threads[r.crashedThread!]!.id).toBe('1');
  });

  it("a gdb frame line wrapped by the terminal at the paste's first line starts the trace", () => {
    const r = first(`#0  0x000055a3c1e0b1f4 in geo::Grid::cell_at (this=0x0, x=12, y=40, opts=std::vector of length 2, capacity 2 = {3, 7}) a
t /home/dev/geo/src/grid.cc:211
#1  0x000055a3c1e0c9a0 in geo::Grid::fill (this=0x55a3c3f0e2a0, v=0) at /home/dev/geo/src/grid.cc:156
#2  0x000055a3c1df8a11 in main () at /home/dev/geo/src/main.cc:31
`)!;
    expect(r.source.line).toBe(1);
    expect(r.signatureFrames[0]).toBe('geo::Grid::cell_at');
  });

  it("a log line numbered like a frame but without gdb's argument list does not start a trace", () => {
    expect(analyze('#0 0x00007f10a2c91117 in the first run the values were ( all wrong and nothing else was printed in that log\n').reports).toHaveLength(0);
  });

  it("coredumpctl's frames pasted without 'Stack trace of thread N:' are read, the first thread listed as the crashed one", () => {
    const r = first(`                #0  0x00007f0e4a61c2b9 png_read_row (libpng16.so.16 + 0x1c2b9)
                #1  0x0000000000412c0e _ZN3img6Loader4rowsEv (viewer + 0x12c0e)
                #2  0x00007f0e49c95187 start_thread (libc.so.6 + 0x95187)

                Stack trace of thread 7001:
                #0  0x00007f0e49c91e09 __futex_abstimed_wait_common (libc.so.6 + 0x91e09)
                #1  0x0000000000409b12 main (viewer + 0x9b12)
`)!;
    expect(r.format).toBe('coredumpctl');
    expect(r.signatureFrames[0]).toBe('png_read_row');
    expect(r.crashKind).not.toBe('hang');
  });

  it('a member function named like a wait, called with this=0x0, is a crash and not a hang', () => {
    const r = first(`#0  0x000055d0a14b29f1 in db::Pool::acquire (this=0x0, timeout=100) at pool.cc:63
#1  0x000055d0a14a0e3a in main () at main.cc:25
`)!;
    expect(r.crashKind).toBe('UNKNOWN');
    expect(r.diagnoses[0]?.category).toBe('null-deref');
  });

  it('the same wait-named function with a real object is still a wait', () => {
    const r = first(`#0  0x000055d0a14b29f1 in db::Pool::acquire (this=0x55d0a2c1e010, timeout=100) at pool.cc:63
#1  0x000055d0a14a0e3a in main () at main.cc:25
`)!;
    expect(r.crashKind).toBe('hang');
  });
});
