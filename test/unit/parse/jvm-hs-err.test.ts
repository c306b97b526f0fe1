// The JVM's fatal error report: the stdout header's problematic frame, the hs_err log's native frames.
import { describe, expect, it } from 'vitest';
import { jvmHsErrParser } from '../../../src/parse/jvm-hs-err.js';
import { analyze } from '../../../src/pipeline.js';
import { lines, parseOne } from './feed.js';

const HEADER = [
  '#',
  '# A fatal error has been detected by the Java Runtime Environment:',
  '#',
  '#  SIGSEGV (0xb) at pc=0x00007f2c8c1a52e4, pid=31877, tid=31912',
  '#',
  '# JRE version: OpenJDK Runtime Environment (17.0.9+9) (build 17.0.9+9-Ubuntu-122.04)',
  '# Problematic frame:',
  '# C  [libjzstd.so+0x52e4]  jz_decompress_block+0x44',
  '#',
  '# An error report file with more information is saved as:',
  '# /home/dev/ingest/hs_err_pid31877.log',
  '#',
];

describe('jvm parser', () => {
  it('reads the header: signal, the problematic frame as a one-frame trace', () => {
    const t = parseOne(jvmHsErrParser, lines(...HEADER));
    expect([t.format, t.signal, t.signalDescription]).toEqual(['jvm', 'SIGSEGV', 'SIGSEGV (0xb) at pc=0x00007f2c8c1a52e4, pid=31877, tid=31912']);
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.module, f.moduleOffset])).toEqual([['jz_decompress_block', 'libjzstd.so', '0x52e4']]);
    expect(analyze(lines(...HEADER)).reports[0]!.signatureFrames[0]).toBe('jz_decompress_block');
  });

  it("reads the log's native frames (native, interpreted, compiled, VM) and siginfo's fault address", () => {
    const t = parseOne(jvmHsErrParser, lines(
      ...HEADER,
      '',
      '---------------  T H R E A D  ---------------',
      '',
      'Current thread (0x00007f2c9c0281c0):  JavaThread "ingest-3" [_thread_in_native, id=31912]',
      '',
      'Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)',
      'C  [libjzstd.so+0x52e4]  jz_decompress_block+0x44',
      'C  [libjzstd.so+0x5a10]  Java_com_dev_Zstd_decompress+0x90',
      'j  com.dev.Zstd.decompress([B)[B+0',
      'J 2345 c2 com.dev.Ingest.next()Lcom/dev/Record; (88 bytes) @ 0x00007f2c8d1a2b3c [0x00007f2c8d1a2a00+0x000000000000013c]',
      'v  ~StubRoutines::call_stub',
      'V  [libjvm.so+0x8a1c2e]  JavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*)+0x2be',
      '',
      'siginfo: si_signo: 11 (SIGSEGV), si_code: 1 (SEGV_MAPERR), si_addr: 0x0000000000000008',
    ));
    expect(t.faultAddress).toBe('0x0000000000000008');
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.module])).toEqual([
      ['jz_decompress_block', 'libjzstd.so'],
      ['Java_com_dev_Zstd_decompress', 'libjzstd.so'],
      ['com.dev.Zstd.decompress([B)[B', 'java'],
      ['com.dev.Ingest.next()Lcom/dev/Record;', 'java'],
      ['~StubRoutines::call_stub', null],
      ['JavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*)', 'libjvm.so'],
    ]);
  });

  it("a gdb session on the core after the header is a trace of its own, not the header's", () => {
    const r = analyze(lines(...HEADER, '$ gdb java core', 'Program terminated with signal SIGSEGV, Segmentation fault.',
      '#0  0x00007f2c8c1a52e4 in jz_decompress_block (ctx=0x0) at block.c:44',
      '#1  0x00007f2c8c1a5a10 in Java_com_dev_Zstd_decompress (env=0x7f2c9c028500) at jni.c:90')).reports;
    expect(r.map((x) => x.format)).toEqual(['jvm', 'gdb']);
  });

  it('the banner without a report after it is no trace', () => {
    expect(analyze('# A fatal error has been detected by the Java Runtime Environment:\nsee the attached log\n').reports.filter((r) => r.format === 'jvm')).toEqual([]);
  });
});
