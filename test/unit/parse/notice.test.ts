// Fatal notices: the one line a shell, a runtime or a logger prints when a process dies. Reported
// without frames when the input holds no trace; never a report of their own next to a trace.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { fatalNotice, NOTICE_MARKERS, WINDOWS_EXIT_CODE_FORMS } from '../../../src/parse/notice.js';
import { WINDOWS_EXCEPTION_CODES, windowsException } from '../../../src/parse/windows-exception.js';

describe('fatalNotice', () => {
  it.each([
    ['Segmentation fault (core dumped)', 'SIGSEGV', null],
    ['Aborted', 'SIGABRT', null],
    ['Abort trap: 6', 'SIGABRT', null],
    ['Segmentation fault: 11', 'SIGSEGV', null],
    ['Bus error (core dumped)', 'SIGBUS', null],
    ['./run.sh: line 3: 48213 Floating point exception(core dumped) ./calc', null, null],
    ['./run.sh: line 3: 48213 Illegal instruction     (core dumped) ./prog --fast', 'SIGILL', './prog'],
    // bash pads the pid to five columns.
    ['/__w/_temp/3f2a.sh: line 1:  2211 Segmentation fault      (core dumped) ./build/tests/codec_tests', 'SIGSEGV', './build/tests/codec_tests'],
    ['zsh: segmentation fault (core dumped)  ./server -c conf', 'SIGSEGV', './server'],
    ['[1]    4118790 abort (core dumped)  tool -w 0', 'SIGABRT', 'tool'],
    ["fish: Job 1, './prog' terminated by signal SIGSEGV (Address boundary error)", 'SIGSEGV', './prog'],
    ["thread 'main' has overflowed its stack", 'SIGABRT', null],
    ['fatal runtime error: stack overflow', 'SIGABRT', null],
    ['memory allocation of 18446744073709551553 bytes failed', 'SIGABRT', null],
    ['F0812 08:45:04.059198   910 cache.cc:38] Check failed: size > 0', 'SIGABRT', null],
    // Supervisors' lines about a child killed by a crash signal (launchers, IDEs, build and test tools).
    ["[ERROR] [planner-1]: process has died [pid 597648, exit code -11, cmd '/opt/ros/humble/lib/planner/planner'].", 'SIGSEGV', null],
    ['Process finished with exit code 134 (interrupted by signal 6: SIGABRT)', 'SIGABRT', null],
    ["error: process didn't exit successfully: `target/debug/deps/app-1a2b` (signal: 11, SIGSEGV: invalid memory reference)", 'SIGSEGV', null],
    [' 7/12 Test  #7: decoder_test .....................***Exception: SegFault  0.22 sec', 'SIGSEGV', null],
    ["subprocess.CalledProcessError: Command '['./solver']' died with <Signals.SIGBUS: 7>.", 'SIGBUS', null],
    ['api-1 exited with code 139', 'SIGSEGV', null],
    ['##[error]Process completed with exit code 139.', 'SIGSEGV', null],
    ['Error: Process completed with exit code 134.', 'SIGABRT', null],
    ['make[2]: *** [CMakeFiles/check.dir/build.make:70: CMakeFiles/check] Error 139', 'SIGSEGV', null],
    ['[ros2run]: Aborted', 'SIGABRT', null],
    ['make: *** [Makefile:12: test] Segmentation fault (core dumped)', 'SIGSEGV', null],
    ['Fatal Python error: Segmentation fault', 'SIGSEGV', null],
    ['Got a SIGSEGV while executing native code. This usually indicates', 'SIGSEGV', null],
    // Servers' masters about a worker killed by a signal (php-fpm, nginx, Apache httpd).
    ['[03-Feb-2025 11:20:41] WARNING: [pool www] child 21873 exited on signal 11 (SIGSEGV - core dumped) after 1532.2 seconds from start', 'SIGSEGV', null],
    ['2024/06/10 08:12:44 [alert] 1207#1207: worker process 40211 exited on signal 6 (core dumped)', 'SIGABRT', null],
    ['[Mon Jun 10 08:12:44.102938 2024] [core:notice] [pid 1207:tid 139912] AH00052: child pid 40211 exit signal Segmentation fault (11)', 'SIGSEGV', null],
    ['AH00051: child pid 40230 exit signal Aborted (6), possible coredump in /etc/apache2', 'SIGABRT', null],
    // Runtimes' last words before they abort: MSVC's assertion dialog and console form, the pure virtual call handlers'.
    ['Debug Assertion Failed!', 'SIGABRT', null],
    ['Debug Error!', 'SIGABRT', null],
    ['Runtime Error!', 'SIGABRT', null],
    ['Assertion failed!', 'SIGABRT', null],
    ['- pure virtual function call', 'SIGABRT', null],
    ['libc++abi: Pure virtual function called!', 'SIGABRT', null],
    ['pure virtual method called', 'SIGABRT', null],
    // Test frameworks catching the signal of a test case (doctest, Catch2, Boost.Test).
    ['/src/tests/test_ringbuf.cpp:88: ERROR: test case CRASHED: SIGSEGV - Segmentation violation signal', 'SIGSEGV', null],
    ['  SIGABRT - Abort (abnormal termination) signal', 'SIGABRT', null],
    ['unknown location(0): fatal error: in "geo/clip": memory access violation at address: 0x00000010: no mapping at fault address', 'SIGSEGV', null],
    ['unknown location(0): fatal error: in "geo/clip": signal: SIGABRT (application abort requested)', 'SIGABRT', null],
    // R's handler when a package's native code faults.
    [' *** caught segfault ***', 'SIGSEGV', 'R'],
    [' *** caught bus error ***', 'SIGBUS', 'R'],
    // The kernel's lines about a process (dmesg, journalctl -k), and systemd's about a service.
    ['gatewayd[30112]: segfault at 18 ip 000055d0c1e2a3f4 sp 00007ffc9c3e1a20 error 4 in gatewayd[55d0c1e00000+5a000] likely on CPU 3 (core 3, socket 0)', 'SIGSEGV', 'gatewayd'],
    ['[ 4521.118327] mixerd[2231]: segfault at 0 ip 0000000000000000 sp 00007ffd5c9f1e60 error 14 in mixerd[55d0c1e00000+4000]', 'SIGSEGV', 'mixerd'],
    ['[Sun Mar  8 02:14:51 2026] traps: calc[4410] trap divide error ip:55d0c1e2a3f4 sp:7ffd1b7c2e30 error:0 in calc[55d0c1e00000+1000]', 'SIGFPE', 'calc'],
    ['traps: render[77][81] general protection fault ip:7f2a1c41b2e4 sp:7f2a1b5ff990 error:0 in libmix.so.3[7f2a1c400000+20000]', 'SIGSEGV', 'render'],
    ['[ 1630.903619] Out of memory: Killed process 31240 (indexer) total-vm:37672844kB, anon-rss:31800488kB, file-rss:0kB', 'SIGKILL', 'indexer'],
    ['Memory cgroup out of memory: Killed process 4242 (server) total-vm:8123456kB, anon-rss:4012345kB', 'SIGKILL', 'server'],
    // Kernels before 5.0 said "Kill process".
    ['Memory cgroup out of memory: Kill process 4242 (server) score 990 or sacrifice child', 'SIGKILL', 'server'],
    // glog's fatal line without a CHECK: the one notice without a marker (its first character is tested).
    ['F0812 21:22:15.159294   61315 logging.cc:89] cannot open the index: permission denied', 'SIGABRT', null],
    ['gatewayd.service: Main process exited, code=dumped, status=11/SEGV', 'SIGSEGV', null],
    ['worker.service: Main process exited, code=killed, status=6/ABRT', 'SIGABRT', null],
    // The same after a journal/syslog prefix.
    ['Mar  8 09:12:40 edge01 systemd[1]: gatewayd.service: Main process exited, code=dumped, status=11/SEGV', 'SIGSEGV', null],
    ['edge01 systemd[1]: gatewayd.service: Main process exited, code=dumped, status=11/SEGV', 'SIGSEGV', null],
    ['Mar 08 09:12:40 edge01 kernel: gatewayd[30112]: segfault at 18 ip 000055d0c1e2a3f4 sp 00007ffc9c3e1a20 error 4 in gatewayd[55d0c1e00000+5a000]', 'SIGSEGV', 'gatewayd'],
    ['Mar  8 09:12:40 edge01 kernel: [ 1630.903619] Out of memory: Killed process 31240 (indexer) total-vm:37672844kB', 'SIGKILL', 'indexer'],
    ['2026-03-08T09:12:40+0000 edge01 kernel: traps: calc[4410] trap divide error ip:55d0c1e2a3f4 sp:7ffd1b7c2e30 error:0 in calc[55d0c1e00000+1000]', 'SIGFPE', 'calc'],
  ])('%s', (line, signal, program) => {
    const n = fatalNotice(line);
    // The reader skips stretches holding no marker undecoded, and the extractor asks fatalNotice only
    // about lines holding one (src/parse/extract.ts): every notice must hold one, but glog's F-lines.
    if (n) expect(NOTICE_MARKERS.some((m) => line.includes(m)) || /^F\d{4} /.test(line)).toBe(true);
    // bash's "Floating point exception(core dumped)" glues the words: not a notice coredx trusts.
    if (signal === null && program === null) return expect(n).toBeNull();
    expect(n?.signal).toBe(signal);
    expect(n?.program).toBe(program);
  });

  it.each(['worker.service: Main process exited, code=killed, status=15/TERM', 'worker.service: Main process exited, code=exited, status=1/FAILURE',
    'the segfault at startup is tracked in #12',
    // Quoted in prose, a changelog or an FAQ: the message is not at the start of the line.
    '- restart the unit when "gatewayd.service: Main process exited, code=dumped, status=11/SEGV" is logged',
    'FAQ: Out of memory: Killed process 1234 (postgres) means raise the limit',
    'see: gatewayd[30112]: segfault at 18 ip 000055d0c1e2a3f4 sp 00007ffc9c3e1a20 error 4 in the bug report',
    'Note: traps: calc[4410] trap divide error ip:55d0c1e2a3f4 sp:7ffd1b7c2e30 error:0 in calc[55d0c1e00000+1000]'])('is not a notice: %s', (line) => {
    expect(fatalNotice(line)).toBeNull();
  });

  it("the kernel's segfault line gives the fault address", () => {
    expect(fatalNotice('gatewayd[30112]: segfault at 18 ip 000055d0c1e2a3f4 sp 00007ffc9c3e1a20 error 4 in gatewayd[55d0c1e00000+5a000]')?.faultAddress).toBe('0x18');
    const r = analyze('Mar 08 09:12:40 edge01 kernel: gatewayd[30112]: segfault at 18 ip 000055d0c1e2a3f4 sp 00007ffc9c3e1a20 error 4 in gatewayd[55d0c1e00000+5a000]\n').reports[0]!;
    expect([r.signal, r.diagnoses[0]?.category]).toEqual(['SIGSEGV', 'null-deref']);
  });

  it.each(['Aborted 3 jobs after timeout', 'The test segmentation fault handler ran', 'fatal runtime error handling is documented', 'Check failed jobs: 3', 'the *** caught segfault *** line R prints is documented here',
    // A stop is no crash: Ctrl-C, an IDE's stop button, a clean or failing exit.
    "[ERROR] [x-1]: process has died [pid 5, exit code -2, cmd 'x'].", "[ERROR] [x-1]: process has died [pid 5, exit code 1, cmd 'x'].",
    'Process finished with exit code 137 (interrupted by signal 9: SIGKILL)', 'api-1 exited with code 137', 'api-1 exited with code 0',
    "subprocess.CalledProcessError: Command 'x' died with <Signals.SIGTERM: 15>.",
    '[pool www] child 21873 exited on signal 15 (SIGTERM) after 3.1 seconds from start', '  SIGINT - Terminal interrupt signal',
    'Assertion failed! is what the CRT prints', 'Error: Process completed with exit code 137.', 'Error: Process completed with exit code 1.',
    'make[1]: *** [CMakeFiles/Makefile2:120: all] Error 2', 'a pure virtual method called from a constructor is undefined'])('is not a notice: %s', (line) => {
    expect(fatalNotice(line)).toBeNull();
  });

  it("Boost.Test's memory access violation gives the fault address", () => {
    const r = analyze('unknown location(0): fatal error: in "geo/clip": memory access violation at address: 0x00000010: no mapping at fault address\n').reports[0]!;
    expect([r.signal, r.faultAddress, r.diagnoses[0]?.category]).toEqual(['SIGSEGV', '0x10', 'null-deref']);
  });

  it("UBSan's minimal runtime states the check as the full runtime's verdict, no signal", () => {
    expect(fatalNotice('ubsan: add-overflow by 0x55d81a2f4b3c')).toMatchObject({ signal: null, crashKind: 'ubsan: signed-integer-overflow' });
    expect(fatalNotice('ubsan: type-mismatch by 0x55d81a2f4b3c')?.crashKind).toBe('ubsan: undefined-behavior');
    expect(fatalNotice('ubsan: add-overflow is what the minimal runtime prints')).toBeNull();
    const r = analyze('+ ./fuzz_smoke seed\nubsan: shift-out-of-bounds by 0x55d81a2f4c10\n').reports[0]!;
    expect([r.format, r.crashKind, r.diagnoses[0]?.category]).toEqual(['notice', 'ubsan: invalid-shift', 'arithmetic']);
  });

  it('a stack overflow notice states the kind', () => {
    expect(fatalNotice("thread 'main' has overflowed its stack")?.crashKind).toBe('stack-overflow');
  });
});

describe('a crash shown only by its notice', () => {
  it('is a report without frames, signal and program from the shell', () => {
    const [r, more] = analyze('$ ./server -c prod.conf\nlistening on :8080\nSegmentation fault (core dumped)\n', { rules: null }).reports;
    expect(more).toBeUndefined();
    expect(r!.format).toBe('notice');
    expect(r!.signal).toBe('SIGSEGV');
    expect(r!.threads).toEqual([]);
    expect(r!.signatureFrames).toEqual([]);
    expect(r!.context.some((c) => c.text === 'listening on :8080')).toBe(true);
  });
  it('Rust stack overflow: kind stack-overflow, the shell\'s SIGABRT', () => {
    const [r] = analyze("thread 'main' has overflowed its stack\nfatal runtime error: stack overflow\nAborted (core dumped)\n", { rules: null }).reports;
    expect([r!.crashKind, r!.signal]).toEqual(['stack-overflow', 'SIGABRT']);
  });
  it('gives way to a trace in the same input', () => {
    const text = 'Segmentation fault (core dumped)\n$ gdb ./prog core\nProgram terminated with signal SIGSEGV, Segmentation fault.\n#0  0x000055555555513d in compute (p=0x0) at calc.c:4\n#1  0x0000555555555180 in main () at calc.c:14\n';
    const reports = analyze(text, { rules: null }).reports;
    expect(reports.map((r) => r.format)).toEqual(['gdb']);
  });
});

describe('Windows exit codes in a notice', () => {
  // Class: a line holding a shell word ("abort" in a test binary's path) that is no shell notice.
  it('reads the exit code of a line whose path holds a shell word', () => {
    const line = "  process didn't exit successfully: `C:\\src\\target\\debug\\deps\\abort_on_drop-1a2b3c.exe` (exit code: 0xc0000005, STATUS_ACCESS_VIOLATION)";
    expect(fatalNotice(line)?.signal).toBe('SIGSEGV');
    expect(analyze(line, { rules: null }).reports.map((r) => [r.format, r.signal])).toEqual([['notice', 'SIGSEGV']]);
    expect(fatalNotice('Error: Segmentation fault handler exited with code -1073741819')?.signal).toBe('SIGSEGV');
  });

  // Class: a code the reader accepts that the markers (the reader's skipping of unmarked stretches) lacked.
  it('finds every code form the reader accepts through the markers', () => {
    for (const code of ['0x80000002', '0x80000004', '-529697949', '3765269347', '0xE06D7363', '-1073741819', '3221225725']) expect(WINDOWS_EXIT_CODE_FORMS).toContain(code);
    for (const code of WINDOWS_EXCEPTION_CODES) {
      const unsigned = parseInt(code, 16);
      for (const form of [`0x${code}`, `0x${code.toUpperCase()}`, String(unsigned), String(unsigned | 0)]) {
        const line = `Error: Process completed with exit code ${form}.`;
        const notice = fatalNotice(line);
        expect(notice?.signal, line).toBe(windowsException(code)!.signal);
        expect(NOTICE_MARKERS.some((m) => line.includes(m)), line).toBe(true);
        expect(analyze(`step 3\n${line}\n`, { rules: null }).reports.map((r) => r.signal), line).toEqual([notice!.signal]);
      }
    }
  });
});
