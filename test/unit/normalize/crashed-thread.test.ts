// Class: a paste with no signal line and no thread hint (gdb `thread apply all bt` without "received
// signal", eu-stack on a live process) lists idle threads first. The crashing thread is the first one
// that does not sit in a wait (normalize/hang.ts isWaitingThread); hinted cases keep their hint.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const first = (text: string) => analyze(text, { rules: null }).reports[0]!;

const idleThenBusy = `(gdb) thread apply all bt

Thread 3 (Thread 0x7f01d8ffd640 (LWP 3103) "timer"):
#0  0x00007f01dde91117 in __futex_abstimed_wait_common () from /lib64/libc.so.6
#1  0x00007f01dde93e9b in pthread_cond_timedwait@@GLIBC_2.3.2 () from /lib64/libc.so.6
#2  0x0000000000412a10 in sched::Timer::wait_next (this=0x9c20a0) at timer.cc:33
#3  0x00007f01dde94802 in start_thread () from /lib64/libc.so.6

Thread 2 (Thread 0x7f01d97fe640 (LWP 3102) "io"):
#0  0x00007f01dde2e1e4 in epoll_wait () from /lib64/libc.so.6
#1  0x0000000000415c22 in net::Poller::poll (this=0x9c2140) at poller.cc:58
#2  0x00007f01dde94802 in start_thread () from /lib64/libc.so.6

Thread 4 (Thread 0x7f01d9fff640 (LWP 3104) "parse"):
#0  0x0000000000418b31 in csv::Row::field (this=0x7f01cc000b70, i=12) at row.cc:44
#1  0x0000000000419002 in csv::Reader::next (this=0x9c21e0) at reader.cc:101
#2  0x00007f01dde94802 in start_thread () from /lib64/libc.so.6

Thread 1 (Thread 0x7f01ddd6e740 (LWP 3100) "app"):
#0  0x00007f01dde9d1aa in __GI___clock_nanosleep (clock_id=0, flags=0, req=0x7ffd8e0, rem=0x7ffd8e0) at ../sysdeps/unix/sysv/linux/clock_nanosleep.c:78
#1  0x00007f01ddea1c63 in __GI___nanosleep (req=<optimized out>, rem=<optimized out>) at nanosleep.c:25
#2  0x0000000000409e18 in main () at main.cc:20
`;

describe('crashed thread when nothing says which', () => {
  it('skips threads idle in a condition variable, epoll or a sleep: the first running thread', () => {
    const r = first(idleThenBusy);
    expect(r.crashedThreadReason).toBe('first-running-thread');
    expect(r.threads[r.crashedThread!]!.name).toBe('parse');
    expect(r.signatureFrames[0]).toBe('csv::Row::field');
  });

  it('eu-stack on a live process gives no hint: the worker that runs, not the main thread in epoll_wait', () => {
    const r = first('PID 7120 - process\nTID 7120:\n#0  0x00007f2a1c29c1e4 epoll_wait\n#1  0x000055d0e10a1a22 srv::EventLoop::run\n#2  0x000055d0e109f111 main\nTID 7123:\n#0  0x000055d0e10a3b12 lru::List::unlink\n#1  0x000055d0e10a4010 lru::Cache::drop\n#2  0x00007f2a1c294ac3 start_thread\n');
    expect(r.crashedThreadReason).toBe('first-running-thread');
    expect(r.signatureFrames[0]).toBe('lru::List::unlink');
  });

  it('eu-stack on a core keeps its order (the kernel dumps the crashing thread first)', () => {
    const r = first('PID 7120 - core\nTID 7120:\n#0  0x00007f2a1c29c1e4 epoll_wait\n#1  0x000055d0e10a1a22 srv::EventLoop::run\n#2  0x000055d0e109f111 main\nTID 7123:\n#0  0x000055d0e10a3b12 lru::List::unlink\n#1  0x000055d0e10a4010 lru::Cache::drop\n');
    expect(r.crashedThreadReason).toBe('stop-reason');
    expect(r.crashedThread).toBe(0);
  });

  it('a hint wins over a waiting thread: gdb\'s [Current thread is N]', () => {
    const r = first(`${idleThenBusy}\n[Current thread is 3 (Thread 0x7f01d8ffd640 (LWP 3103))]\n`.replace('(gdb) thread apply all bt', '[Current thread is 3 (Thread 0x7f01d8ffd640 (LWP 3103))]\n(gdb) thread apply all bt'));
    expect(r.crashedThreadReason).toBe('current-thread');
    expect(r.threads[r.crashedThread!]!.name).toBe('timer');
  });

  it('the first thread is kept when it runs, and when every thread waits the hang decides', () => {
    const running = first(idleThenBusy.replace(/Thread 3 \(Thread[\s\S]*?(?=Thread 4)/, ''));
    expect(running.threads[running.crashedThread!]!.name).toBe('parse');
    expect(running.crashedThreadReason).toBe('first-thread');
    const hang = first(idleThenBusy.replace(/Thread 4 \(Thread[\s\S]*?(?=Thread 1)/, ''));
    expect(hang.crashKind).toBe('hang');
    expect(hang.crashedThreadReason).toBe('lock-wait');
  });
});
