// brpc/butil stack traces, in the two shapes butil/debug/stack_trace_posix.cc prints: symbolized
// "#N 0x... name" lines after "Received signal N CODE addr" (USE_SYMBOLIZE builds), and
// backtrace_symbols lines with names demangled in place (the default build). Texts written here
// after that code's format strings; addresses and names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const SYMBOLIZED = `I1201 08:00:00.123456 1234 src/brpc/socket.cpp:2202] Got EOF of Socket{id=8589934721 fd=14 addr=127.0.0.1:8010:52114} (0x7f3a2c01a0c0)
Received signal 11 SEGV_MAPERR 000000000010
#0 0x55d0c0a1b2cd butil::debug::StackTrace::StackTrace()
#1 0x55d0c0a1bc4f butil::debug::(anonymous namespace)::StackDumpSignalHandler()
#2 0x7f1e2c43bfd0 <unknown>
#3 0x55d0c0b01e3a brpc::policy::ProcessHttpResponse()
#4 0x55d0c0b11e22 brpc::InputMessenger::OnNewMessages()
#5 0x55d0c0b2e8fb bthread::TaskGroup::task_runner()
  r8: 0000000000000000  r9: 0000000000000000 r10: 0000000000000000 r11: 0000000000000246
 r12: 00007f1e2a3fe3a0 r13: 0000000000000000 r14: 0000000000000000 r15: 0000000000000000
`;

const DEMANGLED = `Received signal 11 SEGV_MAPERR 000000000010
./echo_client(butil::debug::StackTrace::StackTrace(bool)+0x1d) [0x55d0c0a1b2cd]
./echo_client(+0x2a1c4f) [0x55d0c0a1bc4f]
/lib/x86_64-linux-gnu/libc.so.6(+0x3bfd0) [0x7f1e2c43bfd0]
./echo_client(brpc::policy::ProcessHttpResponse(brpc::InputMessageBase*)+0x3a) [0x55d0c0b01e3a]
./echo_client(brpc::InputMessenger::OnNewMessages(brpc::Socket*)+0x5d2) [0x55d0c0b11e22]
./echo_client(bthread::TaskGroup::task_runner(long)+0x9b) [0x55d0c0b2e8fb]
`;

describe('butil stack traces', () => {
  it('reads the symbolized form: signal, code and fault address from the handler line, frames in order', () => {
    const { reports } = analyze(SYMBOLIZED, { rules: null });
    expect(reports).toHaveLength(1);
    const r = reports[0]!;
    expect(r).toMatchObject({ format: 'butil', signal: 'SIGSEGV', faultAddress: '0x10', source: { line: 2 } });
    expect(r.signalDescription).toMatch(/SEGV_MAPERR/);
    const frames = r.threads[0]!.frames;
    expect(frames.map((f) => f.function)).toEqual([
      'butil::debug::StackTrace::StackTrace', 'butil::debug::(anonymous namespace)::StackDumpSignalHandler', '??',
      'brpc::policy::ProcessHttpResponse', 'brpc::InputMessenger::OnNewMessages', 'bthread::TaskGroup::task_runner',
    ]);
    expect(frames[3]!.address).toBe('0x55d0c0b01e3a');
    // The handler's own frames say nothing about the bug.
    expect(r.signatureFrames[0]).toBe('brpc::policy::ProcessHttpResponse');
  });

  it('reads demangled backtrace_symbols lines whose names hold parentheses after the handler line', () => {
    const { reports } = analyze(DEMANGLED, { rules: null });
    expect(reports).toHaveLength(1);
    const r = reports[0]!;
    // The header's code and fault address stay with the frames: the handler's block reads them.
    expect(r).toMatchObject({ format: 'butil', signal: 'SIGSEGV', faultAddress: '0x10', source: { line: 1 } });
    expect(r.threads[0]!.frames).toHaveLength(6);
    expect(r.threads[0]!.frames[3]).toMatchObject({ function: 'brpc::policy::ProcessHttpResponse', module: './echo_client', address: '0x55d0c0b01e3a' });
    expect(r.threads[0]!.frames[3]!.rawFunction).toBe('brpc::policy::ProcessHttpResponse(brpc::InputMessageBase*)');
  });

  it('groups the same crash from both shapes under one signature, and the brpc rule diagnoses it', () => {
    const a = analyze(SYMBOLIZED).reports[0]!;
    const b = analyze(DEMANGLED).reports[0]!;
    expect(a.signature).toBe(b.signature);
    expect(a.diagnoses[0]?.ruleId).toBe('brpc/controller-destroyed-in-flight');
    // The socket EOF line before the trace is evidence: more confident than without it.
    expect(a.diagnoses[0]!.confidence).toBeGreaterThan(b.diagnoses[0]!.confidence);
  });

  it('reads the bare " [0x...]" lines butil prints inside the signal handler', () => {
    const raw = 'Received signal 11 SEGV_MAPERR 000000000010\n [0x55fec84814ca]\n [0x7f1e2c43bfd0]\n [0x55fec8482000]\n  r8: 0000000000000000\n';
    const r = analyze(raw, { rules: null }).reports[0]!;
    expect(r).toMatchObject({ format: 'butil', signal: 'SIGSEGV', faultAddress: '0x10' });
    expect(r.threads[0]!.frames.map((f) => f.address)).toEqual(['0x55fec84814ca', '0x7f1e2c43bfd0', '0x55fec8482000']);
    // Without the header such lines are nobody's frames.
    expect(analyze(' [0x55fec84814ca]\n [0x7f1e2c43bfd0]\n [0x55fec8482000]\n', { rules: null }).reports).toEqual([]);
  });

  it('does not take ordinary numbered lines or gdb frames for butil frames', () => {
    const noise = [
      '#0 0x10 items left in queue', // one line
      '#1 0x20 second', // does not start at #0
      '',
      '#0 0x1 first',
      '#2 0x2 skips one', // not consecutive
      '#3 0x3 again',
      '',
      '#0 0x1 a',
      '#1 0x2 b', // two lines without the handler header: not enough
    ].join('\n');
    expect(analyze(noise, { rules: null }).reports).toHaveLength(0);
    const gdb = '#0  0x000055555555513d in main () at t.c:3\n#1  0x00007ffff7a2a1ca in __libc_start_call_main () from /lib/x86_64-linux-gnu/libc.so.6\n#10 0x00007ffff7a2a28b in __libc_start_main_impl () from /lib/x86_64-linux-gnu/libc.so.6\n';
    expect(analyze(gdb, { rules: null }).reports.map((r) => r.format)).toEqual(['gdb']);
  });

  it('keeps a handler header with no frames after it as plain context', () => {
    const { reports } = analyze('Received signal 6 <unknown> \nsomething else\n', { rules: null });
    expect(reports).toHaveLength(0);
  });
});
