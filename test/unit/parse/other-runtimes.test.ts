// Other languages' runtimes' own crash output (pastes u01-u22 of test/pastes): each was not read
// before (no report, or a notice without frames), and the blamed frame is the program's, below the
// runtime's handler and throwing machinery.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

function first(text: string) {
  const r = analyze(text).reports[0];
  expect(r, 'a report').toBeDefined();
  return { format: r!.format, frame: r!.signatureFrames[0], signal: r!.signal, fault: r!.faultAddress, category: r!.diagnoses[0]?.category, message: r!.abortMessage };
}

describe("other languages' runtimes", () => {
  it("reads the Dart VM's crash dump (POSIX si_signo and Windows ExceptionCode)", () => {
    expect(first(`===== CRASH =====
si_signo=Segmentation fault(11), si_code=1, si_addr=0x20
version=3.4.0 (stable) on "linux_x64"
pid=1, thread=2, isolate_group=main(0x1), isolate=main(0x2)
  pc 0x00005601c26e41a5 fp 0x00007f3c9a1fd0f0 dart::Heap::Lookup(long) const+0x25
  pc 0x00007f3c9d20613b fp 0x00007f3c9a1fddd8 Unknown symbol
-- End of DumpStackTrace
`)).toMatchObject({ format: 'dart-vm', frame: 'dart::Heap::Lookup', signal: 'SIGSEGV', fault: '0x20', category: 'null-deref' });
    expect(first(`===== CRASH =====
ExceptionCode=-1073741819, ExceptionFlags=0, ExceptionAddress=00007FF7C3A81F2C
  [0x00007ff7c3a81f2c] dart::bin::File::Read
-- End of DumpStackTrace
`)).toMatchObject({ format: 'dart-vm', frame: 'dart::bin::File::Read', signal: 'SIGSEGV' });
  });

  it("reads Crystal's segfault handler and skips the handler, the proc and the trampoline", () => {
    expect(first(`Invalid memory access (signal 11) at address 0x0
[0x55f1c2a4b6e6] print_backtrace at /usr/share/crystal/src/exception/call_stack/libunwind.cr:117:5
[0x55f1c2a3c1d2] -> at /usr/share/crystal/src/crystal/system/unix/signal.cr:173:5
[0x7f2b41a42520] ?? +139823498109216 in /lib/x86_64-linux-gnu/libc.so.6
[0x55f1c2b7d0a4] parse_row at /app/src/csv.cr:88:17
[0x0] ???
`)).toMatchObject({ format: 'crystal', frame: 'parse_row', fault: '0x0', category: 'null-deref' });
    expect(first(`Invalid memory access (signal 11) at address 0x7ffee8
[0x10a2c19d7] *CallStack::print_backtrace:Int32 +39
[0x109f0f9d0] __crystal_sigfault_handler +96
[0x7fff6a0c2f5a] _sigtramp +26
[0x109ef165a] *Store::Index#lookup:Nil +266
`).frame).toBe('Store::Index#lookup');
  });

  it("reads Nim's traceback (outermost call first) with the signal line after it", () => {
    expect(first(`Traceback (most recent call last)
app.nim(20)              app
store.nim(44)            loadIndex
SIGSEGV: Illegal storage access. (Attempt to read from nil?)
`)).toMatchObject({ format: 'nim', frame: 'loadIndex', signal: 'SIGSEGV', category: 'null-deref' });
  });

  it("reads druntime's uncaught Errors below its throwing frames", () => {
    expect(first(`core.exception.AssertError@source/ring.d(41): Assertion failure
----------------
??:? _d_assertp [0x55d0c1a2b3c4]
source/ring.d:41 nothrow @nogc void ring.Ring!(int).Ring.push(int) [0x55d0c19f0a11]
source/app.d:9 _Dmain [0x55d0c19ef020]
`)).toMatchObject({ format: 'd-runtime', frame: 'ring.Ring!(int).Ring.push', signal: 'SIGABRT', category: 'assertion' });
    expect(first(`etc.linux.memoryerror.NullPointerError@src/etc/linux/memoryerror.d(322)
----------------
??:? void etc.linux.memoryerror.sigsegvDataHandler() [0x55d1c7a3df12]
source/broker.d:188 void broker.Broker.dispatch(broker.Message) [0x55d1c79f4a2c]
`)).toMatchObject({ frame: 'broker.Broker.dispatch', signal: 'SIGSEGV', category: 'null-deref' });
  });

  it("reads Kotlin/Native's uncaught exception below the exception's construction, not its cause", () => {
    expect(first(`Uncaught Kotlin exception: kotlin.IllegalStateException: closed
    at 0   app.kexe   0x000000010c0f7a2b kfun:kotlin.Throwable#<init>(kotlin.String?){} + 107
    at 1   app.kexe   0x000000010c0f2b11 kfun:kotlin.IllegalStateException#<init>(kotlin.String?){} + 91
    at 2   app.kexe   0x000000010c1a0c3d kfun:net.Channel#send(kotlin.ByteArray){} + 300 (/src/net/Channel.kt:51:13)
Caused by: kotlin.Exception: other
    at 0   app.kexe   0x000000010c0f7a2b kfun:io.Other#x(){} + 1
`)).toMatchObject({ format: 'kotlin-native', frame: 'net.Channel#send', signal: 'SIGABRT', category: 'uncaught-exception' });
  });

  it("reads HashLink's SIGNAL line and Haxe frames, also behind a test runner's '| '", () => {
    expect(first(`| SIGNAL 11
| game.World.step(game/World.hx:40)
| Main.main(Main.hx:3)
`)).toMatchObject({ format: 'hashlink', frame: 'game.World.step', signal: 'SIGSEGV' });
  });

  it(".NET's unhandled exception (Native AOT): offsets dropped, the framework's throw skipped", () => {
    expect(first(`Unhandled exception. System.InvalidOperationException: Sequence contains no elements
   at System.Linq.ThrowHelper.ThrowNoElementsException() + 0x22
   at Ledger.Importer.ReadHeader(Stream) + 0x115
--- End of stack trace from previous location ---
   at ledger!<BaseAddress>+0x2f4c1b
`)).toMatchObject({ format: 'dotnet', frame: 'Ledger.Importer.ReadHeader', category: 'uncaught-exception' });
  });

  it("skips OpenBSD libc's abort and assert frames (thrkill, _libc_abort, _libc___assert2)", () => {
    expect(first(`Program terminated with signal 6, Aborted.
#0  thrkill () at /tmp/-:3
#1  0x00000b9f0f2c1b6e in _libc_abort () at /usr/src/lib/libc/stdlib/abort.c:51
#2  0x00000b9f0f2a8a13 in _libc___assert2 (file=0x1 "a.c", line=3, func=0x2 "f", failedexpr=0x3 "x") at /usr/src/lib/libc/gen/assert.c:52
#3  0x00000b9cbd3d14f2 in compact (st=0x0) at a.c:3
`)).toMatchObject({ frame: 'compact', category: 'assertion' });
  });
});
