// Linux kernel oopses and KASAN reports (class: a driver's crash pasted from dmesg or the journal):
// the faulting instruction is frame 0, the call trace's certain entries follow ("?" guesses are
// not calls), the fault address and KASAN's verdict are read. Names and addresses are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const dmesg = (lines: string[]) => lines.map((l, i) => `[ 4211.${String(123400 + i)}] ${l}`).join('\n');

describe('kernel oops', () => {
  it('a NULL dereference in a module, under dmesg timestamps', () => {
    const r = analyze(dmesg([
      'BUG: kernel NULL pointer dereference, address: 0000000000000008',
      '#PF: supervisor read access in kernel mode',
      'Oops: 0000 [#1] PREEMPT SMP NOPTI',
      'CPU: 3 PID: 1822 Comm: camd Tainted: G           OE      6.5.0-14-generic #14-Ubuntu',
      'RIP: 0010:vcam_buf_queue+0x2c/0x120 [vcam]',
      'RSP: 0018:ffffb1a2c0e4bc98 EFLAGS: 00010246',
      'Call Trace:',
      ' <TASK>',
      ' ? __die+0x24/0x80',
      ' ? vcam_buf_queue+0x2c/0x120 [vcam]',
      ' __enqueue_in_driver+0x4a/0x60 [videobuf2_common]',
      ' vb2_core_qbuf+0x2f1/0x3c0 [videobuf2_common]',
      ' </TASK>',
    ])).reports[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['linux-kernel', 'SIGSEGV', '0x8']);
    expect(r.threads[0]!.frames.map((f) => [f.rawFunction, f.module])).toEqual([['vcam_buf_queue', 'vcam'], ['__enqueue_in_driver', 'videobuf2_common'], ['vb2_core_qbuf', 'videobuf2_common']]);
    expect(r.diagnoses[0]?.category).toBe('null-deref');
  });

  it("KASAN's use-after-free, with its report path skipped and its free stack kept", () => {
    const r = analyze([
      '==================================================================',
      'BUG: KASAN: slab-use-after-free in vcam_release+0x4a/0x90 [vcam]',
      'Read of size 8 at addr ffff888103a4c010 by task camd/1822',
      '',
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x48/0x70',
      ' print_report+0xcf/0x630',
      ' kasan_report+0xb8/0xf0',
      ' vcam_release+0x4a/0x90 [vcam]',
      ' v4l2_release+0x10a/0x1a0 [videodev]',
      ' </TASK>',
      '',
      'Freed by task 1822:',
      ' kasan_save_stack+0x20/0x40',
      ' vcam_stop+0x31/0x70 [vcam]',
    ].join('\n')).reports[0]!;
    expect(r.crashKind).toBe('heap-use-after-free');
    expect(r.signatureFrames[0]).toBe('vcam_release');
    expect(r.threads.map((t) => t.role)).toEqual(['access', 'freed-by']);
    expect(r.diagnoses[0]?.category).toBe('use-after-free');
  });

  it('a kernel warning or a userspace segfault line is not an oops', () => {
    expect(analyze('[  12.3] WARNING: CPU: 2 PID: 1 at drivers/x/y.c:12 f+0x1/0x2 [m]\n[  12.4] Call Trace:\n[  12.5]  g+0x1/0x2').reports.filter((r) => r.format === 'linux-kernel')).toEqual([]);
    expect(analyze('[  12.3] camd[1822]: segfault at 8 ip 000055d0 sp 00007ffd error 4 in camd[55d0+2000]').reports.filter((r) => r.format === 'linux-kernel')).toEqual([]);
  });
});

describe('older and symbolized oops shapes', () => {
  it("syzkaller's symbolized frames, inlined calls and KASAN's user-memory-access address", () => {
    const r = analyze([
      'BUG: KASAN: user-memory-access on address 0000000000000040',
      'Write of size 4 by task fuzz/2525',
      'Call trace:',
      '[<ffffffc0002099e8>] dump_backtrace+0x0/0x148 arch/arm64/kernel/traps.c:90',
      '[<     inline     >] __dump_stack lib/dump_stack.c:15',
      '[<ffffffc000364ae8>] kasan_report_user_access+0x80/0xa8 mm/kasan/report.c:209',
      '[<     inline     >] fifo_reset sound/core/fifo.c:120',
      '[<ffffffc000b1e0c4>] fifo_clear+0x5c/0x90 sound/core/fifo.c:131',
      '[<ffffffc000b1f2a8>] fifo_ioctl+0x7c/0xa0 sound/core/ioctl.c:88',
    ].join('\n')).reports[0]!;
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x40']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['fifo_reset', 'fifo_clear']);
    const f = r.threads[0]!.frames.find((x) => x.rawFunction === 'fifo_clear')!;
    expect([f.file, f.line, f.address]).toEqual(['sound/core/fifo.c', 131, '0xffffffc000b1e0c4']);
  });
  it("BUG_ON()'s 'kernel BUG at' is the kernel asserting", () => {
    const r = analyze(['kernel BUG at drivers/misc/ring.c:88!', 'invalid opcode: 0000 [#1] PREEMPT SMP', 'RIP: 0010:ring_advance+0x61/0x70 [ring]', 'Call Trace:', ' ring_poll+0x2a/0x50 [ring]'].join('\n')).reports[0]!;
    expect([r.signal, r.signatureFrames[0]]).toEqual(['SIGABRT', 'ring_advance']);
  });
  it('a line of prose with an offset-less word is no frame', () => {
    const r = analyze(['BUG: kernel NULL pointer dereference, address: 0000000000000000', 'RIP: 0010:f+0x1/0x2 [m]', 'Call Trace:', ' g+0x1/0x2 [m]', ' then it rebooted'].join('\n')).reports[0]!;
    expect(r.threads[0]!.frames.map((x) => x.rawFunction)).toEqual(['f', 'g']);
  });
});
