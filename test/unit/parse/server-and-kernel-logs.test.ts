// Stacks inside a server's structured log and a BSD kernel's panic (class: the stack is not lines of
// frames a debugger prints): MongoDB's "BACKTRACE" JSON (one line holds the whole stack), and a
// FreeBSD kernel panic's "KDB: stack backtrace:" (frames above a "--- trap" line are the panic's
// machinery). Names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const frame = (a: string, s: string, c?: string) => JSON.stringify({ a, b: '55E1BF2C0000', o: '1', s, ...(c ? { C: c } : {}), 's+': '10' });
const log = (id: number, c: string, msg: string, attr: string) => `{"t":{"$date":"2024-01-01T00:00:00.000+00:00"},"s":"F",  "c":"${c}",  "id":${id}, "ctx":"conn1","msg":"${msg}","attr":${attr}}`;

describe("MongoDB's BACKTRACE", () => {
  it('reads the frames out of the JSON line, drops the handler and the trampoline, reads the signal and the address', () => {
    const r = analyze([
      log(4757800, 'CONTROL', 'Writing fatal message', '{"message":"Invalid access at address: 0x8"}'),
      log(4757800, 'CONTROL', 'Writing fatal message', '{"message":"Got signal: 11 (Segmentation fault).\\n"}'),
      log(31380, 'CONTROL', 'BACKTRACE', `{"bt":{"backtrace":[${[frame('1', '_ZN5mongo15printStackTraceEv', 'mongo::printStackTrace()'), frame('2', 'abruptQuitWithAddrSignal'), frame('3', 'funlockfile'), frame('4', '_ZN5mongo3idx6Cursor4nextEv', 'mongo::idx::Cursor::next()'), frame('5', '_ZN5mongo3idx4Scan4workEv')].join(',')}]}}`),
      log(31445, 'CONTROL', 'Frame', `{"frame":${frame('1', '_ZN5mongo15printStackTraceEv')}}`),
    ].join('\n')).reports;
    expect(r).toHaveLength(1);
    expect([r[0]!.format, r[0]!.signal, r[0]!.faultAddress]).toEqual(['mongodb', 'SIGSEGV', '0x8']);
    expect(r[0]!.signatureFrames.slice(0, 2)).toEqual(['mongo::idx::Cursor::next', 'mongo::idx::Scan::work']);
  });
  it("a failed invariant(): its expression is the abort message, its caller is blamed", () => {
    const r = analyze([
      log(23079, 'ASSERT', 'Invariant failure', '{"expr":"batch.size() > 0","file":"src/mongo/db/q.cpp","line":41}'),
      log(4757800, 'CONTROL', 'Writing fatal message', '{"message":"Got signal: 6 (Aborted).\\n"}'),
      log(31380, 'CONTROL', 'BACKTRACE', `{"bt":{"backtrace":[${[frame('1', 'abruptQuit'), frame('2', 'funlockfile'), frame('3', 'raise'), frame('4', 'abort'), frame('5', '_ZN5mongo15invariantFailedEPKcS1_j', 'mongo::invariantFailed(char const*, char const*, unsigned int)'), frame('6', '_ZN5mongo1q5flushEv', 'mongo::q::flush()')].join(',')}]}}`),
    ].join('\n')).reports[0]!;
    expect([r.signal, r.signatureFrames[0], r.abortMessage]).toEqual(['SIGABRT', 'mongo::q::flush', 'Invariant failure batch.size() > 0 src/mongo/db/q.cpp 41']);
    expect(r.diagnoses[0]!.category).toBe('assertion');
  });
});

describe('a FreeBSD kernel panic', () => {
  it('a trap: the frames below "--- trap" and the fault address', () => {
    const r = analyze([
      'Fatal trap 12: page fault while in kernel mode',
      'cpuid = 3; apic id = 03',
      'fault virtual address\t= 0x10',
      'panic: page fault',
      'KDB: stack backtrace:',
      'db_trace_self_wrapper() at db_trace_self_wrapper+0x2b/frame 0xfffffe00aa',
      'vpanic() at vpanic+0x132/frame 0xfffffe00ab',
      'calltrap() at calltrap+0x8/frame 0xfffffe00ac',
      '--- trap 0xc, rip = 0xffffffff80d3a1f4, rsp = 0xfffffe00c71d2b10, rbp = 0xfffffe00c71d2b50 ---',
      'em_rxeof() at em_rxeof+0x34/frame 0xfffffe00ad',
      'em_msix_rx() at em_msix_rx+0x25/frame 0xfffffe00ae',
      '--- trap 0, rip = 0, rsp = 0, rbp = 0 ---',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['freebsd-kernel', 'SIGSEGV', '0x10']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['em_rxeof', 'em_msix_rx']);
    expect(r.diagnoses[0]!.category).toBe('null-deref');
  });
  it("ddb's bt after the panic (a textdump's ddb.txt)", () => {
    const r = analyze([
      'db:0:kdb.enter.default>  bt',
      'Tracing pid 11 tid 100003 td 0xfffff80001959740',
      'kdb_enter() at kdb_enter+0x33/frame 0xfffffe001d71a8c0',
      'panic() at panic+0x43/frame 0xfffffe001d71a920',
      'trap_fatal() at trap_fatal+0x40b/frame 0xfffffe001d71a980',
      'calltrap() at calltrap+0x8/frame 0xfffffe001d71a9d0',
      '--- trap 0xc, rip = 0xffffffff80c13be7, rsp = 0xfffffe001d71aaa0, rbp = 0xfffffe001d71aac0 ---',
      'nm_rxsync() at nm_rxsync+0x57/frame 0xfffffe001d71aac0',
      'nm_poll() at nm_poll+0x1a0/frame 0xfffffe001d71ab00',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.signatureFrames[0]]).toEqual(['freebsd-kernel', 'SIGSEGV', 'nm_rxsync']);
  });
  it("a panic() call: the panic's own frames go, the syscall entry line ends nothing", () => {
    const r = analyze([
      'KDB: stack backtrace:',
      'db_trace_self_wrapper() at db_trace_self_wrapper+0x2b/frame 0xfffffe00aa',
      'vpanic() at vpanic+0x131/frame 0xfffffe00ab',
      'panic() at panic+0x43/frame 0xfffffe00ac',
      'pf_state_unlink() at pf_state_unlink+0x8c/frame 0xfffffe00ad',
      'amd64_syscall() at amd64_syscall+0x109/frame 0xfffffe00ae',
      '--- syscall (54, FreeBSD ELF64, ioctl), rip = 0x1e3b, rsp = 0x1e3c, rbp = 0x1e3d ---',
    ].join('\n')).reports[0]!;
    expect([r.signal, r.signatureFrames[0]]).toEqual(['SIGABRT', 'pf_state_unlink']);
  });
});
