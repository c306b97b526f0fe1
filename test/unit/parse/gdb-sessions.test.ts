// gdb parser unit tests on shapes gdb 13 prints (taken from real sessions, paths shortened).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const LIVE_MT = `[Thread debugging using libthread_db enabled]
Using host libthread_db library "/lib/x86_64-linux-gnu/libthread_db.so.1".
[New Thread 0x7ffff7a1d6c0 (LWP 3101)]
[New Thread 0x7ffff6a1b6c0 (LWP 3103)]

Thread 3 "mt" received signal SIGSEGV, Segmentation fault.
[Switching to Thread 0x7ffff6a1b6c0 (LWP 3103)]
0x0000555555555431 in app::(anonymous namespace)::Box<int>::get (this=0x7ffff6a1ad28) at mt.cpp:7
7\ttemplate <typename T> struct Box { T* p; int get() const { return *p; } };
#0  0x0000555555555431 in app::(anonymous namespace)::Box<int>::get (this=0x7ffff6a1ad28) at mt.cpp:7
#1  0x0000555555555252 in app::(anonymous namespace)::deref (b=...) at mt.cpp:8
#2  0x0000555555555278 in operator() (__closure=0x7ffff6a1ad90, k=2) at mt.cpp:12
#3  0x0000555555555305 in app::work (n=2) at mt.cpp:13
#4  0x00007ffff7cd44a3 in ?? () from /lib/x86_64-linux-gnu/libstdc++.so.6
#5  0x00007ffff7aa71f5 in start_thread (arg=<optimized out>) at ./nptl/pthread_create.c:442
#6  0x00007ffff7b278ec in clone3 () at ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81

Thread 3 (Thread 0x7ffff6a1b6c0 (LWP 3103) "mt"):
#0  0x0000555555555431 in app::(anonymous namespace)::Box<int>::get (this=0x7ffff6a1ad28) at mt.cpp:7
#1  0x0000555555555252 in app::(anonymous namespace)::deref (b=...) at mt.cpp:8
#2  0x0000555555555278 in operator() (__closure=0x7ffff6a1ad90, k=2) at mt.cpp:12
#3  0x0000555555555305 in app::work (n=2) at mt.cpp:13
#4  0x00007ffff7cd44a3 in ?? () from /lib/x86_64-linux-gnu/libstdc++.so.6
#5  0x00007ffff7aa71f5 in start_thread (arg=<optimized out>) at ./nptl/pthread_create.c:442
#6  0x00007ffff7b278ec in clone3 () at ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81

Thread 2 (Thread 0x7ffff7a1d6c0 (LWP 3101) "mt"):
#0  0x00007ffff7aed545 in __GI___clock_nanosleep (clock_id=clock_id@entry=0, flags=flags@entry=0, req=req@entry=0x7ffff7a1cd40, rem=rem@entry=0x7ffff7a1cd40) at ../sysdeps/unix/sysv/linux/clock_nanosleep.c:48
#1  0x00007ffff7af1d8a in __sleep (seconds=0) at ../sysdeps/posix/sleep.c:55
#2  0x000055555555530f in app::work (n=0) at mt.cpp:14

Thread 1 (Thread 0x7ffff7eb2740 (LWP 3098) "mt"):
#0  __futex_abstimed_wait_common64 (private=128, cancel=true, abstime=0x0, op=265, expected=3101, futex_word=0x7ffff7a1d990) at ./nptl/futex-internal.c:57
#1  __futex_abstimed_wait_common (futex_word=futex_word@entry=0x7ffff7a1d990, expected=3101, clockid=clockid@entry=0, abstime=abstime@entry=0x0, private=private@entry=128, cancel=cancel@entry=true) at ./nptl/futex-internal.c:87
#2  0x00007ffff7aa3f7b in __GI___futex_abstimed_wait_cancelable64 (futex_word=futex_word@entry=0x7ffff7a1d990, expected=<optimized out>, clockid=clockid@entry=0, abstime=abstime@entry=0x0, private=private@entry=128) at ./nptl/futex-internal.c:139
#3  0x00007ffff7aa8ce3 in __pthread_clockjoin_ex (threadid=140737347966656, thread_return=0x0, clockid=0, abstime=0x0, block=<optimized out>) at ./nptl/pthread_join_common.c:102
#4  0x00007ffff7cd4517 in std::thread::join() () from /lib/x86_64-linux-gnu/libstdc++.so.6
#5  0x00005555555553cc in main () at mt.cpp:20
`;

describe('gdb live session: bt then thread apply all bt', () => {
  const { reports } = analyze(LIVE_MT);
  const r = reports[0]!;
  it('is one report with merged threads', () => {
    expect(reports).toHaveLength(1);
    expect(r.threads.map((t) => t.id)).toEqual(['3', '2', '1']);
  });
  it('knows the crashing thread from "received signal"', () => {
    expect(r.signal).toBe('SIGSEGV');
    expect(r.signalDescription).toBe('Segmentation fault');
    expect(r.crashedThread).toBe(0);
    expect(r.crashedThreadReason).toBe('received-signal');
    expect(r.threads[0]).toMatchObject({ name: 'mt', lwp: 3103, crashed: true });
  });
  it('reads modules, files and addressless (inlined) frames', () => {
    const t = r.threads[0]!;
    expect(t.frames).toHaveLength(7);
    expect(t.frames[4]).toMatchObject({ function: '??', module: '/lib/x86_64-linux-gnu/libstdc++.so.6', file: null, address: '0x00007ffff7cd44a3' });
    const main = r.threads[2]!;
    // gdb prints no address for #1: its callee #0 was inlined into it (one physical frame, #1's pc).
    expect(main.frames[0]).toMatchObject({ function: '__futex_abstimed_wait_common64', inlined: true });
    expect(main.frames[1]).toMatchObject({ function: '__futex_abstimed_wait_common', address: null, inlined: false, line: 87 });
    expect(main.frames[4]).toMatchObject({ function: 'std::thread::join', module: '/lib/x86_64-linux-gnu/libstdc++.so.6' });
  });
  it('builds the signature from meaningful frames only', () => {
    expect(r.signatureFrames).toEqual(['app::(anonymous namespace)::Box<>::get', 'app::(anonymous namespace)::deref', 'operator()']);
    expect(r.skippedFrames).toEqual([4, 5, 6]);
  });
  it('keeps the lines before the trace as context', () => {
    expect(r.context.some((c) => c.position === 'before' && c.text.startsWith('[New Thread 0x7ffff6a1b6c0'))).toBe(true);
  });
});

describe('gdb bt full and wrapped arguments', () => {
  const text = `Program received signal SIGABRT, Aborted.
__pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=6, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44
44\t./nptl/pthread_kill.c: No such file or directory.
#0  __pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=6, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44
        tid = <optimized out>
        ret = 0
#1  0x00007ffff7a8ff1f in __pthread_kill_internal (signo=6, threadid=<optimized out>) at ./nptl/pthread_kill.c:78
No locals.
#2  0x00007ffff7a40472 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26
        ret = <optimized out>
#3  0x00007ffff7a2a4b2 in __GI_abort () at ./stdlib/abort.c:79
        save_stage = 1
        act = {__sigaction_handler = {sa_handler = 0x20, sa_sigaction = 0x20}, sa_mask = {__val = {0 <repeats 16 times>}},
          sa_flags = 0, sa_restorer = 0x0}
#4  0x00007ffff7a2a3d5 in __assert_fail_base (fmt=0x7ffff7b9edc8 "%s%s%s:%u: %s%sAssertion \`%s' failed.\\n%n", assertion=0x555555556004 "x > 0",
    file=0x555555556008 "assert.c", line=5, function=<optimized out>) at ./assert/assert.c:92
        str = 0x5555555592a0 ""
#5  0x00007ffff7a39dd2 in __GI___assert_fail (assertion=0x555555556004 "x > 0", file=0x555555556008 "assert.c", line=5,
    function=0x555555556018 <__PRETTY_FUNCTION__.0> "check") at ./assert/assert.c:101
No locals.
#6  0x0000555555555163 in check (x=0) at assert.c:5
No locals.
#7  0x0000555555555180 in main () at assert.c:9
No locals.
`;
  const r = analyze('prog: assert.c:5: check: Assertion `x > 0\' failed.\n' + text).reports[0]!;
  const t = r.threads[0]!;
  it('keeps locals with their frame and never takes them for frames', () => {
    expect(t.frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(t.frames[0]!.locals).toEqual(['tid = <optimized out>', 'ret = 0']);
    expect(t.frames[3]!.locals).toHaveLength(3);
    expect(t.frames[1]!.locals).toBeUndefined(); // "No locals." means there are none
  });
  it('joins arguments gdb wrapped onto the next line and still reads the location', () => {
    expect(t.frames[4]).toMatchObject({ function: '__assert_fail_base', file: './assert/assert.c', line: 92 });
    expect(t.frames[4]!.rawFunction).toContain('function=<optimized out>)');
    expect(t.frames[5]).toMatchObject({ function: '__GI___assert_fail', file: './assert/assert.c', line: 101 });
  });
  it('skips abort/assert machinery and picks the abort message', () => {
    expect(r.signal).toBe('SIGABRT');
    expect(r.signatureFrames).toEqual(['check', 'main']);
    expect(r.abortMessage).toBe("prog: assert.c:5: check: Assertion `x > 0' failed.");
    expect(r.crashedThreadReason).toBe('received-signal');
  });
});

describe('gdb sessions and logs', () => {
  const thread = (n: number, top: string) => `Thread ${n} (LWP ${100 + n}):\n#0  0x0000000000401136 in ${top} () at x.c:${n}\n#1  0x0000000000401150 in main () at x.c:20\n`;
  it('merges `thread apply all bt` followed by `thread apply all bt full` into one report', () => {
    const text = thread(2, 'wait') + '\n' + thread(1, 'crash') + '\n' + thread(2, 'wait').replace('\n#1', '\n        x = 1\n#1') + thread(1, 'crash');
    const { reports } = analyze(text);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.threads.map((t) => t.id)).toEqual(['2', '1']);
    expect(reports[0]!.threads[0]!.frames[0]!.locals).toEqual(['x = 1']);
  });
  it('splits two different crashes, each with its own start line', () => {
    const text = ['Program terminated with signal SIGSEGV, Segmentation fault.', '#0  0x1 in a () at a.c:1', 'unrelated', 'Program terminated with signal 6, Aborted.', '#0  0x2 in b () at b.c:2'].join('\n');
    const { reports } = analyze(text);
    expect(reports.map((r) => [r.source.line, r.signal, r.signatureFrames[0]])).toEqual([[1, 'SIGSEGV', 'a'], [4, 'SIGABRT', 'b']]);
  });
  it('tolerates unrelated lines between threads', () => {
    const text = thread(2, 'wait') + 'INFO some log line\nWARN another one\n\n' + thread(1, 'crash') + '[Current thread is 1 (LWP 101)]\n';
    const { reports } = analyze(text);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.threads).toHaveLength(2);
    expect(reports[0]!.threads[reports[0]!.crashedThread!]!.id).toBe('1');
    expect(reports[0]!.context.filter((c) => c.position === 'inside').map((c) => c.text)).toEqual(['INFO some log line', 'WARN another one']);
  });
  it('reads the LWP of "Thread N (LWP n):" headers (gdb without libthread_db, e.g. another machine\'s core)', () => {
    const r = analyze(thread(2, 'wait') + thread(1, 'crash')).reports[0]!;
    expect(r.threads.map((t) => [t.id, t.lwp])).toEqual([['2', 102], ['1', 101]]);
  });
  it('picks the thread with the signal frame when nothing else says', () => {
    const text = thread(1, 'main_loop') + 'Thread 2 (LWP 7):\n#0  0x1 in raise () from /lib/libc.so.6\n#1  0x2 in abort () from /lib/libc.so.6\n#2  0x3 in fail () at f.c:3\n';
    const r = analyze(text).reports[0]!;
    expect(r.crashedThreadReason).toBe('signal-frame');
    expect(r.threads[r.crashedThread!]!.id).toBe('2');
    expect(r.signatureFrames[0]).toBe('fail');
  });
  it('reads "Backtrace stopped" and frames of a stripped binary', () => {
    const text = '#0  0x0000555555555131 in ?? ()\n#1  0x00007ffff7a2a24a in __libc_start_call_main () from /lib/x86_64-linux-gnu/libc.so.6\n#2  0x0000555555555065 in ?? ()\nBacktrace stopped: previous frame inner to this frame (corrupt stack?)\n';
    const r = analyze(text).reports[0]!;
    expect(r.threads[0]!.frames).toHaveLength(3);
    expect(r.signatureFrames).toEqual([]);
    expect(r.signatureText).toBe('UNKNOWN | libc.so.6!??');
    expect(r.source.endLine).toBe(4);
  });
  it('ignores lines that merely look like frames', () => {
    expect(analyze('#1 priority: ship it\n#0 of 3 (done)\n#0 item\nThread 1 is fine\n').reports).toEqual([]);
  });
});
