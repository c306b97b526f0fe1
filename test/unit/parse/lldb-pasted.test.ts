// lldb output from other systems and as people paste it. Written here in the shapes lldb prints on
// macOS (libsystem_* frames, EXC_* and signal stop reasons) and on Windows (ntdll.dll/KERNELBASE.dll
// frames, "Exception 0x... encountered at address" stop reasons), and with frames summarized by hand.
// Addresses and program names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const one = (text: string) => {
  const { reports } = analyze(text, { rules: null });
  expect(reports).toHaveLength(1);
  return reports[0]!;
};

const MACOS_ABORT = `* thread #1, queue = 'com.apple.main-thread', stop reason = signal SIGABRT
  * frame #0: 0x0000000189a1a5e0 libsystem_kernel.dylib\`__pthread_kill + 8
    frame #1: 0x0000000189a52f70 libsystem_pthread.dylib\`pthread_kill + 288
    frame #2: 0x000000018995f908 libsystem_c.dylib\`abort + 180
    frame #3: 0x0000000189a09358 libc++abi.dylib\`abort_message + 132
    frame #4: 0x00000001899f8a7c libc++abi.dylib\`demangling_terminate_handler() + 344
    frame #5: 0x00000001896a32e4 libobjc.A.dylib\`_objc_terminate() + 144
    frame #6: 0x0000000189a08710 libc++abi.dylib\`std::__terminate(void (*)()) + 16
    frame #7: 0x0000000189a0b9bc libc++abi.dylib\`__cxxabiv1::failed_throw(__cxxabiv1::__cxa_exception*) + 36
    frame #8: 0x0000000189a0b998 libc++abi.dylib\`__cxa_throw + 140
    frame #9: 0x0000000100003e2c parser\`Config::load(this=0x000000016fdff0a8, path="app.toml") at config.cpp:42:5
    frame #10: 0x0000000100003f1c parser\`main(argc=1, argv=0x000000016fdff2f0) at main.cpp:9:3
    frame #11: 0x00000001896d80e0 dyld\`start + 2360
`;

describe('lldb on macOS', () => {
  it('reads system frames with their module: libsystem_kernel, libsystem_c, libc++abi, dyld', () => {
    const r = one(MACOS_ABORT);
    expect(r).toMatchObject({ format: 'lldb', signal: 'SIGABRT', crashedThread: 0 });
    const f = r.threads[0]!.frames;
    expect(f.map((x) => [x.function, x.module])).toEqual([
      ['__pthread_kill', 'libsystem_kernel.dylib'], ['pthread_kill', 'libsystem_pthread.dylib'], ['abort', 'libsystem_c.dylib'],
      ['abort_message', 'libc++abi.dylib'], ['demangling_terminate_handler', 'libc++abi.dylib'], ['_objc_terminate', 'libobjc.A.dylib'],
      ['std::__terminate', 'libc++abi.dylib'], ['__cxxabiv1::failed_throw', 'libc++abi.dylib'], ['__cxa_throw', 'libc++abi.dylib'],
      ['Config::load', 'parser'], ['main', 'parser'], ['start', 'dyld'],
    ]);
    expect(f[9]).toMatchObject({ file: 'config.cpp', line: 42, column: 5 });
  });

  it('signs a macOS abort by the program frame', () => {
    expect(one(MACOS_ABORT).signatureFrames).toEqual(['Config::load', 'main']);
  });

  it('reads EXC_BAD_ACCESS in _platform_memmove', () => {
    const r = one(`* thread #3, name = 'io-worker', stop reason = EXC_BAD_ACCESS (code=1, address=0x10)
  * frame #0: 0x00000001899d2a44 libsystem_platform.dylib\`_platform_memmove + 52
    frame #1: 0x0000000100004a10 server\`Buffer::append(this=0x0000600000c04000, data=0x0000000000000010, n=64) at buffer.cpp:31:5
`);
    expect(r).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x10' });
    expect(r.threads[0]!.frames[0]).toMatchObject({ function: '_platform_memmove', module: 'libsystem_platform.dylib' });
    expect(r.threads[0]!.frames[1]!.function).toBe('Buffer::append');
  });
});

describe('lldb on Windows', () => {
  it('reads ntdll/KERNELBASE frames and the access violation in the stop reason', () => {
    const r = one(`* thread #1, stop reason = Exception 0xc0000005 encountered at address 0x7ff6a1b21042: Access violation writing location 0x00000000
  * frame #0: 0x00007ff6a1b21042 app.exe\`store(p=0x0000000000000000) at main.c:4
    frame #1: 0x00007ff6a1b2107e app.exe\`main at main.c:9
    frame #2: 0x00007ff6a1b21314 app.exe\`__scrt_common_main_seh at exe_common.inl:288
    frame #3: 0x00007ff8f2a27344 kernel32.dll\`BaseThreadInitThunk + 20
    frame #4: 0x00007ff8f4b626b1 ntdll.dll\`RtlUserThreadStart + 33
  thread #2
    frame #0: 0x00007ff8f4baf3f4 ntdll.dll\`NtWaitForAlertByThreadId + 20
    frame #1: 0x00007ff8f4b7c5d8 ntdll.dll\`RtlSleepConditionVariableSRW + 264
    frame #2: 0x00007ff8f1e5a1d9 KERNELBASE.dll\`SleepConditionVariableSRW + 41
`);
    expect(r).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x0', crashedThread: 0 });
    expect(r.signalDescription).toMatch(/^Exception 0xc0000005/);
    expect(r.threads[1]!.frames.map((f) => [f.function, f.module])).toEqual([
      ['NtWaitForAlertByThreadId', 'ntdll.dll'], ['RtlSleepConditionVariableSRW', 'ntdll.dll'], ['SleepConditionVariableSRW', 'KERNELBASE.dll'],
    ]);
    expect(r.signatureFrames[0]).toBe('store');
  });

  it('reads __fastfail (0xc0000409) as SIGABRT', () => {
    const r = one(`* thread #1, stop reason = Exception 0xc0000409 encountered at address 0x7ff8f1e9a1b2
  * frame #0: 0x00007ff8f1e9a1b2 ucrtbase.dll\`abort + 78
    frame #1: 0x00007ff6a1b21050 app.exe\`check at main.c:12
`);
    expect(r).toMatchObject({ signal: 'SIGABRT', faultAddress: null });
  });
});

describe('lldb frames summarized by hand', () => {
  it('keeps a frame range and an elision as frames, and frames without an address', () => {
    const r = one(`* thread #1, name = 'main', stop reason = signal SIGABRT
  * frame #0: 0x00007fff2033e462 libsystem_kernel.dylib\`__pthread_kill + 10
    frame #1-2: libsystem_c.dylib\`abort cascade
    frame #3-7: libc++abi.dylib\`terminate cascade
    frame #8: ... (5 frames elided)
    frame #9: parser\`Config::load(this=0x7ffee3b0, path="x") at config.cpp:42:5
    frame #10: 0x0000000100003f1c parser\`main at main.cpp:9:3
`);
    const f = r.threads[0]!.frames;
    expect(f.map((x) => [x.index, x.rawFunction, x.module, x.address])).toEqual([
      [0, '__pthread_kill', 'libsystem_kernel.dylib', '0x00007fff2033e462'],
      [1, 'abort cascade', 'libsystem_c.dylib', null],
      [3, 'terminate cascade', 'libc++abi.dylib', null],
      [8, '??', null, null],
      [9, 'Config::load(this=0x7ffee3b0, path="x")', 'parser', null],
      [10, 'main', 'parser', '0x0000000100003f1c'],
    ]);
    expect(f[4]!.function).toBe('Config::load');
    expect(r.signatureFrames[0]).toBe('Config::load');
    expect(f[4]).toMatchObject({ file: 'config.cpp', line: 42, column: 5 });
    expect(f[3]!.raw).toContain('(5 frames elided)');
  });
});
