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

  it('a crash handler stuck on a lock is itself the bug (malloc in a signal handler)', () => {
    const r = first('#0  0x00007f47d12ec3ae in __lll_lock_wait_private () from /lib64/libc.so.6\n#1  0x00007f47d126eb83 in malloc () from /lib64/libc.so.6\n#2  0x00007f47d12f2ca4 in backtrace () from /lib64/libc.so.6\n#3  0x00007f47d27ac496 in report::dump_stack(char const*) () from /opt/lib/libreport.so\n#4  0x00007f47d27ad897 in (anonymous namespace)::on_signal(int, siginfo*, void*) () from /opt/lib/libreport.so\n#5  <signal handler called>\n#6  0x00007f47d1269f93 in malloc_consolidate () from /lib64/libc.so.6\n#7  0x0000000000401a2b in Cache::trim (this=0x4052a0) at cache.cc:40\n');
    expect(r.crashKind).toBe('hang');
    expect(r.signatureFrames[0]).toBe('report::dump_stack');
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
