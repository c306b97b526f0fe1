// A sanitizer's stack pasted without its report (people paste "the stack" from its "#0" on): read
// as format sanitizer-stack, its kind unknown, unless the report's SUMMARY line came with it.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { sanitizerParser } from '../../../src/parse/sanitizer.js';

const ASAN_STACK = `Here is the stack I get:

    #0 0x4c2f1a in __interceptor_memcpy /src/llvm/compiler-rt/lib/asan/../sanitizer_common/sanitizer_common_interceptors.inc:827:5
    #1 0x593019 in tile_decode /home/dev/imgkit/src/tile.c:300:16
    #2 0x593a44 in image_load /home/dev/imgkit/src/image.c:88:9
    #3 0x7f3a1c2290b2 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x270b2)

Any idea?
`;

describe('a sanitizer stack without its report', () => {
  it('is read, its first meaningful frame the program’s, its kind unknown', () => {
    const [r, ...rest] = analyze(ASAN_STACK, { rules: null }).reports;
    expect(rest).toEqual([]);
    expect(r!.format).toBe('sanitizer-stack');
    expect(r!.crashKind).toBe('UNKNOWN');
    expect(r!.threads[0]!.frames.map((f) => f.function)).toEqual(['__interceptor_memcpy', 'tile_decode', 'image_load', '__libc_start_main']);
    expect(r!.signatureFrames[0]).toBe('tile_decode');
  });

  it('takes the tool and its verdict from a SUMMARY line pasted after the stack', () => {
    const r = analyze(`${ASAN_STACK.trimEnd()}\nSUMMARY: AddressSanitizer: heap-buffer-overflow /home/dev/imgkit/src/tile.c:300:16 in tile_decode\n`, { rules: null }).reports[0]!;
    expect(r.format).toBe('asan');
    expect(r.crashKind).toBe('heap-buffer-overflow');
    const segv = analyze('    #0 0x5ac20e  (/opt/tool/bin/tool+0x5ac20e)\n    #1 0x501725  (/opt/tool/bin/tool+0x501725)\n\nAddressSanitizer can not provide additional info.\nSUMMARY: AddressSanitizer: SEGV (/opt/tool/bin/tool+0x5ac20e)\n', { rules: null }).reports[0]!;
    expect([segv.format, segv.signal, segv.crashKind]).toEqual(['asan', 'SIGSEGV', 'SIGSEGV']);
    const leak = analyze('    #0 0x7f19 in malloc (/lib/libasan.so.8+0xf09cf)\n    #1 0x5604 in make_buffer /src/buf.c:40\n\nSUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s).\n', { rules: null }).reports[0]!;
    expect([leak.format, leak.crashKind]).toEqual(['lsan', 'memory-leak']);
  });

  it("reads TSan's frames without addresses, and a freed-by stack after the first", () => {
    const r = analyze(' #0 event_del third_party/libevent/src/event.c:2288:2\n #1 Loop::~Loop() src/loop.cc:9:3\n #2 main src/main.cc:30\n\nfreed by thread T0 here:\n    #0 0x7f12 in operator delete(void*) (/lib/libasan.so.8+0xdc5c8)\n    #1 0x55d1 in Server::stop() src/server.cc:77:5\n', { rules: null }).reports[0]!;
    expect(r.format).toBe('sanitizer-stack');
    expect(r.threads.map((t) => [t.role, t.frames.length])).toEqual([['access', 3], ['freed-by', 2]]);
    expect(r.signatureFrames[0]).toBe('event_del');
    // An interceptor without a location ("<null>"), the report's SUMMARY after the stacks.
    const cycle = analyze('    #0 pthread_mutex_lock <null> (bank+0x4a3f1d)\n    #1 bank::Account::transfer_to(bank::Account&, long) /src/account.cc:40:9 (bank+0x4d21a0)\n\nSUMMARY: ThreadSanitizer: lock-order-inversion (potential deadlock) (/out/bank+0x4a3f1d) in pthread_mutex_lock\n', { rules: null }).reports[0]!;
    expect([cycle.format, cycle.crashKind, cycle.signatureFrames[0]]).toEqual(['tsan', 'lock-order-inversion', 'bank::Account::transfer_to']);
  });

  it('leaves gdb’s frames, butil’s and log lines that begin with "#0" to others', () => {
    for (const line of ['#0  0x0000555555555131 in Parser::next (this=0x0) at parser.cc:12', '#0 0x0000555555555131 in Parser::next (this=0x0) at parser.cc:12', '#0 main () at a.c:3', '#0 0x55d0c0a1b2cd butil::debug::StackTrace::StackTrace()', '#0 0x7f1e2c43bfd0 (/lib/x86_64-linux-gnu/libc.so.6+0x3bd60)', '#0 building with "default" instance using docker driver', '#0 see notes.md for details']) {
      expect(sanitizerParser.startsTrace(line), line).toBe(false);
    }
    expect(sanitizerParser.startsTrace('    #0 0x593019 in tile_decode /home/dev/imgkit/src/tile.c:300:16')).toBe(true);
  });
});
