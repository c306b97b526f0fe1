// The first meaningful frame is the one a developer would blame; every skipped frame says why.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { normalizeFunctionName } from '../../../src/normalize/function-name.js';

const first = (text: string) => analyze(text, { rules: null }).reports[0]!;

describe('skipped frames and their reasons', () => {
  it.each([
    ['libc++ internals (std::__1)', '#0  0x10bf183ca in std::__1::__function::__value_func<void (int)>::operator bool() const (this=0x0) at functional:1927\n#1  0x10bf04e5f in Conn::Close (this=0x61400001) at conn.cc:50\n', 'Conn::Close', /libc\+\+/],
    ['exception unwinding in libgcc_s', '#0  0x5610280 in _Unwind_RaiseException () from /lib/x86_64-linux-gnu/libgcc_s.so.1\n#1  0x537869b in __cxa_throw () from /lib/x86_64-linux-gnu/libstdc++.so.6\n#2  0x12b0db in stop_worker (w=0x4d2a0) at worker.cc:133\n', 'stop_worker', /exception/],
    ['lock and wait machinery', '#0  0x00007f47d12ec3ae in __lll_lock_wait_private () from /lib64/libc.so.6\n#1  0x00007f47d127135b in _L_lock_10288 () from /lib64/libc.so.6\n#2  0x0000000000401a2b in Pool::take (this=0x4052a0) at pool.cc:40\n', 'Pool::take', /^lock and wait/],
    ['any function in glibc\'s objects', '#0  0x00007ffff7e1b8a1 in init () from /lib64/libc.so.6\n#1  0x00007ffff7e3d2f4 in pthread_once () from /lib64/libpthread.so.0\n#2  0x0000000000401a2b in Logger::start (this=0x4052a0) at log.cc:12\n', 'Logger::start', /glibc/],
    ['exit path', '#0  0x0000ffffb73d52b4 in __cxa_finalize (d=0xffffb738b720) at cxa_finalize.c:48\n#1  0x0000ffffb73109a0 in __do_global_dtors_aux () from /opt/lib/libplugin.so\n#2  0x0000ffffb7fe0110 in _dl_fini () at dl-fini.c:235\n', '__do_global_dtors_aux', /exit path|glibc/],
    ['LLVM\'s crash handler', 'Stack dump:\n0.\tProgram arguments: clang -cc1 x.c\n#0 0x0000000003d49b18 llvm::sys::PrintStackTrace(llvm::raw_ostream&, int) (/opt/llvm/bin/clang+0x3d49b18)\n#1 0x0000000003d478f8 llvm::sys::RunSignalHandlers() (/opt/llvm/bin/clang+0x3d478f8)\n#2 0x0000000003d4a2b0 SignalHandler(int) Signals.cpp:0:0\n#3 0x0000000001f2a3b4 llvm::LoopVectorizePass::runImpl(llvm::Function&) (/opt/llvm/bin/clang+0x1f2a3b4)\n', 'llvm::LoopVectorizePass::runImpl', /crash-handler/],
  ])('%s', (_, text, blamed, reason) => {
    const r = first(text);
    expect(r.signatureFrames[0]).toBe(blamed);
    expect(r.skipped.length).toBeGreaterThan(0);
    expect(r.skipped.map((s) => s.frame)).toEqual(r.skippedFrames);
    expect(r.skipped[0]!.reason).toMatch(reason);
  });

  it("a crash handler waiting for its reporter (KCrash's waitpid for DrKonqi) is the crash, not a hang", () => {
    const r = first('Thread 1 (Thread 0xb5c49700 (LWP 25013)):\n#0  0xb7fdc430 in __kernel_vsyscall ()\n#1  0xb7f0d03b in waitpid () from /lib/i386-linux-gnu/libpthread.so.0\n#2  0xb6e3d18f in ?? () from /usr/lib/libKF5Crash.so.5\n#3  0xb6e3e0e3 in KCrash::defaultCrashHandler(int) () from /usr/lib/libKF5Crash.so.5\n#4  <signal handler called>\n#5  0x08150160 in ChatView::appendOwnMessage(QString const&) ()\n#6  0xbf9f6ac4 in ?? ()\n');
    expect(r.crashKind).toBe('UNKNOWN');
    expect(r.signatureFrames[0]).toBe('ChatView::appendOwnMessage');
  });

  it("DrKonqi's header line gives the signal ('Application: x (x), signal: Segmentation fault')", () => {
    const r = first('Application: Pixie (pixie), signal: Segmentation fault\n\n[KCrash Handler]\n#4  0x00007f6a1c2e5a31 in Pix::ThumbGrid::paintTile (this=0x55b8e13a2f60, index=...) at thumbgrid.cpp:214\n#5  0x00007f6a1c2e6b70 in Pix::ThumbGrid::paintEvent (this=0x55b8e13a2f60) at thumbgrid.cpp:176\n');
    expect([r.signal, r.signatureFrames[0]]).toEqual(['SIGSEGV', 'Pix::ThumbGrid::paintTile']);
  });

  it('a crash handler stuck on a lock is itself the bug (malloc in a signal handler)', () => {
    const r = first('#0  0x00007f47d12ec3ae in __lll_lock_wait_private () from /lib64/libc.so.6\n#1  0x00007f47d126eb83 in malloc () from /lib64/libc.so.6\n#2  0x00007f47d12f2ca4 in backtrace () from /lib64/libc.so.6\n#3  0x00007f47d27ac496 in report::dump_stack(char const*) () from /opt/lib/libreport.so\n#4  0x00007f47d27ad897 in (anonymous namespace)::on_signal(int, siginfo*, void*) () from /opt/lib/libreport.so\n#5  <signal handler called>\n#6  0x00007f47d1269f93 in malloc_consolidate () from /lib64/libc.so.6\n#7  0x0000000000401a2b in Cache::trim (this=0x4052a0) at cache.cc:40\n');
    expect(r.crashKind).toBe('hang');
    expect(r.signatureFrames[0]).toBe('report::dump_stack');
  });
});

// Class: machinery the skip list named only by its location, or only by one spelling, blamed as the
// crash frame when it lives elsewhere or is printed without a module (data/signature/v9.toml).
describe('machinery wherever it lives, and without a module', () => {
  it.each([
    ['operator new in libstdc++ (allocation machinery, not only in an allocator)', '#0  0x00007f3a1c242e87 in raise () from /lib/x86_64-linux-gnu/libc.so.6\n#1  0x00007f3a1c2447f1 in abort () from /lib/x86_64-linux-gnu/libc.so.6\n#2  0x00007f3a1c29a2ed in malloc () from /lib/x86_64-linux-gnu/libc.so.6\n#3  0x00007f3a1c68c298 in operator new(unsigned long) () from /lib/x86_64-linux-gnu/libstdc++.so.6\n#4  0x000055d0c0a1b2cd in Pool::grow (this=0x55d0c1c0a010, n=64) at pool.cc:31\n', 'Pool::grow', /allocat/],
    ['operator delete[] in libc++', '#0  0x00007f3a1c29a2ed in free () from /lib/x86_64-linux-gnu/libc.so.6\n#1  0x00007f3a1c68d010 in operator delete[](void*) () from /usr/lib/libc++abi.so.1\n#2  0x000055d0c0a1b2cd in Buf::~Buf (this=0x55d0c1c0a010) at buf.cc:12\n', 'Buf::~Buf', /allocat/],
    ['glibc\'s __GI_ aliases at a source path only (fortify)', '#0  0x00007ffff7889676 in __libc_message (action=action@entry=do_abort, fmt=0x7ffff79db92e "*** %s ***: terminated\\n") at ../sysdeps/posix/libc_fatal.c:155\n#1  0x00007ffff793659a in __GI___fortify_fail (msg=0x7ffff79db8d4 "buffer overflow detected") at ./debug/fortify_fail.c:26\n#2  0x00007ffff7934ef6 in __GI___chk_fail () at ./debug/chk_fail.c:28\n#3  0x00007ffff79345a9 in __memcpy_chk (dest=0x7fffffffd8e0, src=0x7fffffffdf22, len=80, destlen=16) at ./debug/memcpy_chk.c:26\n#4  0x0000555555555212 in copy_key (k=0x7fffffffd8e0) at key.c:40\n', 'copy_key', /glibc|abort|crash/],
    ['newer glibc\'s __libc_assert_fail ("Fatal glibc error")', '#0  0x00007ffff7a253dc in __libc_message (fmt=0x7ffff7bb4f10 "Fatal glibc error: %s:%s (%s): assertion failed: %s\\n") at ../sysdeps/posix/libc_fatal.c:150\n#1  0x00007ffff7a34632 in __libc_assert_fail (assertion=<optimized out>, file=<optimized out>, line=<optimized out>, function=<optimized out>) at __libc_assert_fail.c:31\n#2  0x00007ffff7a9b0f1 in _int_free (av=0x7ffff7bf0ac0 <main_arena>, p=0x55555555a2a0) at malloc.c:4610\n#3  0x0000555555555f21 in node_free (n=0x55555555a2b0) at node.c:52\n', 'node_free', /glibc|allocator/],
    ['the stack protector\'s failure without a module', '#0  0x00007ffff7a253dc in __stack_chk_fail ()\n#1  0x0000555555555f21 in read_packet (fd=3) at net.c:77\n', 'read_packet', /glibc|abort/],
    ['Qt\'s fatal handlers (Q_ASSERT)', '#0  0x00007f10a50bb3ec in QMessageLogger::fatal(char const*, ...) const () from /usr/lib/libQt6Core.so.6\n#1  0x00007f10a50ba84a in qt_assert_x(char const*, char const*, char const*, int) () from /usr/lib/libQt6Core.so.6\n#2  0x000055d1c0a21f3e in Grid::cellAt (this=0x55d1c1c0a010, r=3, c=9) at grid.cpp:61\n', 'Grid::cellAt', /Qt/],
    ['tcmalloc\'s error reporting in an absl-style dump (no module column)', '*** SIGABRT received at time=1717000000 on cpu 3 ***\nPC: @     0x7f2b3c242520  (unknown)  (unknown)\n    @     0x7f2b3c5d1a4e         32  tcmalloc::Log()\n    @     0x7f2b3c5c8b71         48  (anonymous namespace)::InvalidFree()\n    @     0x55d0c31f2c18         64  rpc::Stub::~Stub()\n    @     0x55d0c31e0a11         96  main\n', 'rpc::Stub::~Stub', /tcmalloc/],
    ['Rust\'s RUST_BACKTRACE=full printing machinery (<X as Trait>::fmt, core::fmt::write)', "thread 'main' panicked at src/lib.rs:9:5:\nindex out of bounds: the len is 3 but the index is 7\nstack backtrace:\n   0:     0x55f0a1c3e2b1 - std::backtrace_rs::backtrace::libunwind::trace::h5c1f0e2a9b3d7c11\n   1:     0x55f0a1c3e2b1 - <std::sys_common::backtrace::_print::DisplayBacktrace as core::fmt::Display>::fmt::h0a1b2c3d4e5f6789\n   2:     0x55f0a1c6b3e0 - core::fmt::write::h2b3c4d5e6f7a8b9c\n   3:     0x55f0a1c3a1ef - std::io::Write::write_fmt::h3c4d5e6f7a8b9c0d\n   4:     0x55f0a1c4178f - std::panicking::rust_panic_with_hook::h5e6f7a8b9c0d1e2f\n   5:     0x55f0a1c40ef2 - rust_begin_unwind\n   6:     0x55f0a1c69a15 - core::panicking::panic_bounds_check::h8b9c0d1e2f3a4b5c\n   7:     0x55f0a1b2c4e1 - ringbuf::Ring::get::h0d1e2f3a4b5c6d7e\n   8:     0x55f0a1b2d1f0 - ringbuf::main::h1e2f3a4b5c6d7e8f\n", 'ringbuf::Ring::get', /Rust/],
    ['Go test harness: a [recovered] panic re-raised in tRunner\'s deferred recover', 'panic: runtime error: index out of range [5] with length 2 [recovered]\n\tpanic: runtime error: index out of range [5] with length 2\n\ngoroutine 7 [running]:\ntesting.tRunner.func1.2({0x5a1e40, 0xc0000a2018})\n\t/usr/local/go/src/testing/testing.go:1631 +0x24a\ntesting.tRunner.func1()\n\t/usr/local/go/src/testing/testing.go:1634 +0x377\npanic({0x5a1e40?, 0xc0000a2018?})\n\t/usr/local/go/src/runtime/panic.go:770 +0x132\nexample.com/q/ring.(*Ring).At(...)\n\t/src/q/ring/ring.go:22\nexample.com/q/ring.TestAt(0xc0000b2820)\n\t/src/q/ring/ring_test.go:14 +0x3e\ntesting.tRunner(0xc0000b2820, 0x5c8f10)\n\t/usr/local/go/src/testing/testing.go:1689 +0xfb\ncreated by testing.(*T).Run in goroutine 1\n\t/usr/local/go/src/testing/testing.go:1742 +0x390\n', 'example.com/q/ring.(*Ring).At', /Go/],
    // Second paste round (test/pastes p*): machinery named by a location the list did not know.
    ['glibc\'s inline fortify wrapper (bits/string_fortified.h) expanded into the caller', '#0  __memmove_avx_unaligned_erms () at ../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:314\n#1  0x000055c2f0a1b7c4 in memcpy (__len=65536, __src=0x7f1d8a3f0000, __dest=0x55c2f1c4e2a0) at /usr/include/x86_64-linux-gnu/bits/string_fortified.h:29\n#2  pak::Reader::read_blob (this=0x7ffc2d1e3f00, off=0) at /home/dev/pack/src/reader.cc:201\n', 'pak::Reader::read_blob', /fortify|inline header/],
    ['libstdc++ members located by lldb by the header\'s name alone (new_allocator.h)', '* thread #1, name = \'v\', stop reason = signal SIGABRT\n  * frame #0: 0x00007ffff7a969fc libc.so.6`__pthread_kill_implementation(no_tid=0, signo=6, threadid=1) at pthread_kill.c:44:76\n    frame #1: 0x00007ffff7cae277 libstdc++.so.6`std::terminate() + 23\n    frame #2: 0x0000555555558a14 v`std::vector<vox::Cell, std::allocator<vox::Cell> >::_M_default_append(this=0x00007fffffffd8f0, __n=3) at new_allocator.h:137:48\n    frame #3: 0x0000555555557f21 v`vox::Grid::resize(this=0x00007fffffffd8e0, nx=0) at grid.cc:44:14\n', 'vox::Grid::resize', /standard library/],
    ['newer glibc\'s malloc internals (_int_free_merge_chunk, glibc 2.39)', '#0  0x00007ffff78a0ff5 in malloc_printerr (str=str@entry=0x7ffff79cc0b0 "corrupted size vs. prev_size") at ./malloc/malloc.c:5772\n#1  0x00007ffff78a1a4a in unlink_chunk (p=<optimized out>, av=0x7fffd4000030) at ./malloc/malloc.c:1611\n#2  0x00007ffff78a2d70 in _int_free_merge_chunk (av=0x7fffd4000030, p=0x7fffd4012a40, size=4128) at ./malloc/malloc.c:4698\n#3  0x00007ffff78a5c4e in __GI___libc_free (mem=<optimized out>) at ./malloc/malloc.c:3398\n#4  0x000055555556f1d2 in dsp::FftPlan::~FftPlan (this=0x7fffd4012a10) at /home/dev/dsp/src/fft.cc:77\n', 'dsp::FftPlan::~FftPlan', /allocator|glibc/],
    ['the Go standard library (an inlined encoding/binary read of a truncated mmap)', 'unexpected fault address 0x7f3e90a00000\nfatal error: fault\n[signal SIGBUS: bus error code=0x2 addr=0x7f3e90a00000 pc=0x4a31f6]\n\ngoroutine 23 [running]:\nruntime.throw({0x5c2e1d?, 0x0?})\n\t/usr/local/go/src/runtime/panic.go:1023 +0x5c fp=0xc0000b5d38 sp=0xc0000b5d08 pc=0x43b1dc\nencoding/binary.littleEndian.Uint64(...)\n\t/usr/local/go/src/encoding/binary/binary.go:109\nexample.com/seg.(*Segment).ReadAt(0xc0001a6000, {0xc0002c4000, 0x1000, 0x1000}, 0x4000000)\n\t/home/dev/seg/segment.go:141 +0x96 fp=0xc0000b5e10 sp=0xc0000b5d98 pc=0x4a31f6\n', 'example.com/seg.(*Segment).ReadAt', /Go standard library's helpers/],
    ['the Swift runtime\'s trap reporting (libswiftCore)', '* thread #1, queue = \'com.apple.main-thread\', stop reason = Fatal error: Unexpectedly found nil while unwrapping an Optional value\n    frame #0: 0x00000001a2f3c8e4 libswiftCore.dylib`_swift_runtime_on_report\n    frame #1: 0x00000001a2c9b0f0 libswiftCore.dylib`Swift._assertionFailure(_: Swift.StaticString, _: Swift.StaticString, file: Swift.StaticString, line: Swift.UInt, flags: Swift.UInt32) -> Swift.Never + 228\n  * frame #2: 0x0000000102a1c3f0 Notes`NoteEditor.save(self=0x0000000103b1e200) at NoteEditor.swift:57:31\n', 'NoteEditor.save', /Swift/],
  ])('%s', (_, text, blamed, reason) => {
    const r = first(text);
    expect(r.signatureFrames[0]).toBe(blamed);
    expect(r.skipped.length).toBeGreaterThan(0);
    expect(r.skipped[r.skipped.length - 1]!.reason).toMatch(reason);
  });

  it('a program function that merely shares a prefix is not skipped (panic_handler, QMessageLoggerX, my::operator new)', () => {
    const r = first('#0  0x0000555555555212 in panic_handler (code=3) at err.c:10\n#1  0x0000555555555f21 in run () at main.c:77\n');
    expect(r.signatureFrames[0]).toBe('panic_handler');
    const q = first('#0  0x0000555555555212 in Arena::operator new (n=64) at arena.cc:10\n#1  0x0000555555555f21 in Tree::insert (this=0x1) at tree.cc:77\n');
    expect(q.signatureFrames[0]).toBe('Arena::operator new');
  });
});

describe('names that are not C++', () => {
  it('Swift closures keep "closure #N in" and their enclosing function', () => {
    expect(normalizeFunctionName('partial apply for closure #2 (Swift.String) -> () in App.Loader.load(url: Foundation.URL) -> ()').short).toBe('closure #2 in App.Loader.load');
    const r = first("* thread #1, queue = 'com.apple.main-thread', stop reason = EXC_BAD_ACCESS (code=1, address=0x0)\n  * frame #0: 0x0000000100003f20 App`closure #1 (Swift.Int) -> Swift.Int in App.Worker.run() -> () at Worker.swift:12:9\n    frame #1: 0x0000000100003e10 App`App.Worker.run() -> () at Worker.swift:10:5\n");
    expect(r.signatureFrames).toEqual(['closure #1 in App.Worker.run', 'App.Worker.run']);
  });
  it('"(module+0xoffset)" is a module and an offset, "[file:line:col]" a location', () => {
    const r = first('==1234==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000010 (pc 0x55d0c0a1b2cd bp 0x7ffd sp 0x7ffd T0)\n    #0 0x55d0c0a1b2cd  (/srv/app/server+0x1b2cd)\n    #1 0x55d0c0a1b111 in main [server.cc:12:3]\n');
    const [f0, f1] = r.threads[0]!.frames;
    expect([f0!.function, f0!.module, f0!.moduleOffset]).toEqual(['??', '/srv/app/server', '0x1b2cd']);
    expect([f1!.function, f1!.file, f1!.line, f1!.column]).toEqual(['main', 'server.cc', 12, 3]);
  });
});

describe('the Swift runtime linked into the program (no libswiftCore module)', () => {
  it('skips its fatal-error reporting and standard-library members by name', () => {
    const r = first('==1==ERROR: AddressSanitizer: attempting free on address which was not malloc()-ed: 0x602000000010 in thread T0\n    #0 0x555f5ed935cd in __interceptor_free /llvm-project/compiler-rt/lib/asan/asan_malloc_linux.cpp:123:3\n    #1 0x555f603b53ac in _swift_stdlib_reportFatalErrorInFile (/out/fuzz+0x1f1b3ac)\n    #2 0x555f600b6be4 in closure #1 (Swift.UnsafeBufferPointer<Swift.UInt8>) -> () in closure #1 (Swift.UnsafeBufferPointer<Swift.UInt8>) -> () in Swift._assertionFailure(_: Swift.StaticString, _: Swift.String, file: Swift.StaticString, line: Swift.UInt, flags: Swift.UInt32) -> Swift.Never (/out/fuzz+0x1c1cbe4)\n    #3 0x555f600b6e11 in function signature specialization <Arg[1] = [Closure Propagated : closure #1 (Swift.UnsafeBufferPointer<Swift.UInt8>) -> ()]> of Swift.String.withUTF8<A>((Swift.UnsafeBufferPointer<Swift.UInt8>) throws -> A) throws -> A (/out/fuzz+0x1c1ce11)\n    #4 0x555f600b5464 in Swift._assertionFailure(_: Swift.StaticString, _: Swift.String, file: Swift.StaticString, line: Swift.UInt, flags: Swift.UInt32) -> Swift.Never (/out/fuzz+0x1c1b464)\n    #5 0x555f5ee3377f in Codec.Reader.readGroup(fieldNumber: Swift.Int) throws -> () /src/codec/Sources/Reader.swift:402:17\n');
    expect(r.signatureFrames[0]).toMatch(/^Codec\.Reader\.readGroup/);
  });
});

describe("the Go standard library beyond its helpers is no machinery", () => {
  it("a fault in math's own initializer signs by it", () => {
    const r = first('panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x5da137]\n\ngoroutine 1 [running]:\nmath.glob..func1(0x5da117)\n\t/src/go/src/math/exp_asm.go:11 +0x7\nmath.init.ializers()\n\t/src/go/src/math/exp_asm.go:11 +0x3f\n');
    expect(r.signatureFrames[0]).toBe('math.glob..func1');
  });
});
