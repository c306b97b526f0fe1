// macOS/iOS crash reports (parse/apple-crash.ts): whole reports, the crashed thread pasted alone,
// unsymbolicated frames, module names with spaces, and text that only looks like a thread header.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';

const only = (text: string) => {
  const { reports } = analyze(text, { rules: null });
  expect(reports).toHaveLength(1);
  return reports[0]!;
};
const crashed = (r: ReturnType<typeof only>) => r.threads[r.crashedThread!]!;

describe('apple-crash parser', () => {
  it('reads a whole report: header fields, every thread, the crashed one by "Crashed Thread"', () => {
    const r = only(readFileSync(samplePath('apple-crash-segv.txt'), 'utf8'));
    expect(r.format).toBe('apple-crash');
    expect([r.signal, r.crashKind, r.faultAddress]).toEqual(['SIGSEGV', 'SIGSEGV', '0x0000000000000028']);
    expect(r.program).toBe('/Users/USER/*/kvstore-server');
    expect(r.threads.map((t) => [t.id, t.name, t.frames.length])).toEqual([['0', 'com.apple.main-thread', 6], ['1', null, 1], ['2', 'worker-1', 5], ['3', 'worker-2', 6]]);
    const t = crashed(r);
    expect(t.id).toBe('3');
    expect(t.frames[0]).toMatchObject({ function: 'kv::Table::find', module: 'kvstore-server', file: 'table.cpp', line: 133, address: '0x100ab6188' });
    expect(r.signatureText).toBe('SIGSEGV | kv::Table::find | kv::Session::handle_get | kv::Session::dispatch');
    // The register state and binary images after the threads are not frames of the report.
    expect(r.source.endLine).toBeLessThan(readFileSync(samplePath('apple-crash-segv.txt'), 'utf8').split('\n').findIndex((l) => l.startsWith('Thread 3 crashed with')) + 1);
  });

  it("keeps the assertion under Application Specific Information as the abort message, and names an unsymbolicated frame by module offset", () => {
    const r = only(readFileSync(samplePath('apple-crash-assert.txt'), 'utf8'));
    expect(r.signal).toBe('SIGABRT');
    expect(r.abortMessage).toBe('Assertion failed: (frames <= capacity_), function write, file ring_buffer.hpp, line 88.');
    const t = crashed(r);
    expect(t.id).toBe('4');
    expect(t.frames[6]).toMatchObject({ function: '??', module: 'mixdown', moduleOffset: '0xbe31' });
    expect(r.signatureFrames).toEqual(['mix::RingBuffer::write', 'mix::Engine::render', 'HALC_ProxyIOContext::IOWorkLoop']);
  });

  it('reads a quoted paste of the crashed thread with the newer "Triggered by Thread" header', () => {
    const r = only(readFileSync(samplePath('apple-crash-pasted-thread.txt'), 'utf8'));
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x0000600003a7c010']);
    expect(crashed(r).id).toBe('7');
    expect(crashed(r).frames).toHaveLength(8);
  });

  it('takes a thread pasted alone, without any header, as the crashed one it says it is', () => {
    const r = only([
      'Thread 2 Crashed:',
      '0   Google Chrome Framework       \t0x000000011a2b3c4d v8::internal::Heap::Scavenge() + 77',
      '1   Google Chrome Framework       \t0x000000011a2b3000 <unknown>',
      '2   ???                           \t0x000000000000000a 0 + 10',
      '',
      'Thread 3:',
      '0   libsystem_kernel.dylib        \t0x00007fff6c7f3b96 __workq_kernreturn + 10',
    ].join('\n'));
    expect(r.crashKind).toBe('UNKNOWN');
    expect(crashed(r).id).toBe('2');
    expect(crashed(r).frames.map((f) => [f.module, f.function])).toEqual([['Google Chrome Framework', 'v8::internal::Heap::Scavenge'], ['Google Chrome Framework', '??'], [null, '??']]);
    expect(r.threads).toHaveLength(2);
  });

  it('reads bare "Thread N" headers inside a report (Crashpad-style listings)', () => {
    const r = only([
      'Exception Type:        EXC_BAD_ACCESS (SIGSEGV)',
      'Thread 0 Crashed:',
      '0   Electron Framework   0x102538e75   node::Start() + 12',
      '',
      'Thread 3705687',
      '0   libsystem_kernel.dylib          0x7fff792ea22a      mach_msg_trap',
    ].join('\n'));
    expect(r.threads.map((t) => [t.id, t.frames[0]!.function])).toEqual([['0', 'node::Start'], ['3705687', 'mach_msg_trap']]);
  });

  it('finds nothing in text that only looks like a thread header, and leaves gdb its threads', () => {
    expect(analyze('Thread 1: started\nThread 2: started\nall done\n', { rules: null }).reports).toEqual([]);
    const gdb = analyze('Thread 2 (Thread 0x7ffff7a4e640 (LWP 42) "w"):\n#0  0x0000555555555156 in work () at w.c:5\n', { rules: null }).reports;
    expect(gdb.map((r) => r.format)).toEqual(['gdb']);
  });
});

// Firebase Crashlytics' text: "Crashed: <queue>", the exception on its own line, threads under bare names.
describe("apple-crash: Crashlytics' text", () => {
  const crashlytics = (exception: string) => [
    'Crashed: com.apple.main-thread',
    exception,
    '',
    '0  PhotoKeep                      0x5c3a8 PhotoGrid.layoutItems(in:) + 112 (PhotoGrid.swift:88)',
    '1  PhotoKeep                      0x5b210 PhotoGrid.viewDidLayoutSubviews() + 64 (PhotoGrid.swift:41)',
    '2  UIKitCore                      0x1bd8c -[UIView(CALayerDelegate) layoutSublayersOfLayer:] + 1528',
    '3  ???                            0x1f3cc1948 (Missing)',
    '',
    'com.google.firebase.crashlytics.MachExceptionServer',
    '0  libsystem_kernel.dylib         0xb48 mach_msg2_trap + 8',
    '1  PhotoKeep                      0x8a1c4 FIRCLSMachExceptionServer + 120',
    '',
    'Any idea what is going on?',
  ].join('\n');

  it('reads the crashed thread, its exception (signal, fault address), and the other threads', () => {
    const r = analyze(crashlytics('EXC_BAD_ACCESS KERN_INVALID_ADDRESS 0x0000000000000010')).reports;
    expect(r).toHaveLength(1);
    const report = r[0]!;
    expect([report.format, report.signal, report.faultAddress, report.signatureFrames[0]]).toEqual(['apple-crash', 'SIGSEGV', '0x10', 'PhotoGrid.layoutItems']);
    expect(report.threads.map((t) => [t.name, t.frames.length])).toEqual([['com.apple.main-thread', 4], ['com.google.firebase.crashlytics.MachExceptionServer', 2]]);
    expect(report.threads[0]!.frames[3]!.function).toBe('??');
    expect(report.diagnoses[0]?.category).toBe('null-deref');
  });

  it('an abort: "SIGABRT ABORT 0x..." and "Fatal Exception: ..."', () => {
    expect(analyze(crashlytics('SIGABRT ABORT 0x00000001ee2b5b2c')).reports[0]!.signal).toBe('SIGABRT');
    const r = analyze(crashlytics('Fatal Exception: NSInvalidArgumentException')).reports[0]!;
    expect([r.signal, r.signalDescription]).toEqual(['SIGABRT', 'Fatal Exception: NSInvalidArgumentException']);
  });

  it('"Crashed: " followed by no frames is no trace', () => {
    expect(analyze('Crashed: yes\nthe service restarted\n').reports.filter((x) => x.format === 'apple-crash')).toEqual([]);
  });
});
