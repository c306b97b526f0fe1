// Applications' own crash handlers' dumps (class: a header naming the signal, then one stack in the
// program's own frame shape, often behind its logger's prefix): Envoy, ClickHouse, Godot, Unreal.
// Written here in each handler's shape; names and addresses are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const first = (text: string) => analyze(text, { rules: null }).reports[0];

describe("Envoy's backtrace.h", () => {
  const P = '[2025-02-11 08:44:02.511][23][critical][backtrace] [./source/server/backtrace.h:121] ';
  it('reads the signal, the address and the frames behind the log prefix', () => {
    const r = first([
      `${P.replace('121', '129')}Caught Segmentation fault, suspect faulting address 0x18`,
      `${P}Backtrace (use tools/stack_decode.py to get line numbers):`,
      `${P}#0: __restore_rt [0x7f5a1c642520]`,
      `${P}#1: Gate::Filter::onHeaders() [0x55d1a0b2c3d4]`,
      `${P}#2: Gate::Http::Manager::decode() [0x55d1a0e11aa0]`,
      `${P}#3: [0x7f5a1c694ac3]`,
      '[2025-02-11 08:44:02.600][1][info][main] shutting down',
    ].join('\n'))!;
    expect(r.format).toBe('envoy');
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x18']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['Gate::Filter::onHeaders', 'Gate::Http::Manager::decode']);
  });
  it("old releases' thr<N> frames; SIGABRT's 'address' (a pid) is dropped", () => {
    const B = '[2018-07-17 23:29:53.621][21][critical][backtrace] bazel-out/k8-opt/bin/server/backtrace.h:117] ';
    const r = first([`${B}Caught Aborted, suspect faulting address 0x15`, `${B}thr<0> #0 0x7efd89fcf38f (unknown)`, `${B}thr<0> obj</lib/libc.so.6>`, `${B}thr<0> #1 0xcc8cc8 Gate::Pool::drain()`].join('\n'))!;
    expect([r.signal, r.faultAddress]).toEqual(['SIGABRT', null]);
    expect(r.signatureFrames[0]).toBe('Gate::Pool::drain');
  });
  it("an ordinary critical log line starts nothing", () => {
    expect(analyze('[2025-02-11 08:44:02.511][23][critical][main] [source/server/server.cc:80] error initializing config: suspect faulting address 0x0 in docs').reports).toEqual([]);
  });
});

describe("ClickHouse's BaseDaemon", () => {
  const P = '2025.03.04 10:22:33.101400 [ 811 ] {} <Fatal> BaseDaemon: ';
  it('reads the signal, the NULL address and "N. f @ 0x... in module" frames', () => {
    const r = first([
      `${P}(version 24.3.1.1 (official build)) (from thread 799) Received signal Segmentation fault (11)`,
      `${P}Address: NULL pointer. Access: read. Address not mapped to object.`,
      `${P}Stack trace: 0x0000000011201c25 0x000000001dd3c210`,
      `${P}2. ./src/Columns/Packed.cpp:41: DB::Packed::insertFrom(DB::IColumn const&) @ 0x0000000011201c25 in /usr/bin/clickhouse`,
      `${P}3. DB::Merger::merge() @ 0x000000001dd3c210 in /usr/bin/clickhouse`,
      `${P}4. ? @ 0x00007f2b0e094ac3`,
    ].join('\n'))!;
    expect(r.format).toBe('clickhouse');
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x0']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['DB::Packed::insertFrom', 'DB::Merger::merge']);
  });
  it('old releases: backtrace_symbols frames after the number', () => {
    const r = first([`${P}(from thread 1519) Received signal Segmentation fault (11).`, `${P}Address: 0x28`, `${P}0. /usr/bin/clickhouse-server(DB::Dict::lookup(DB::StringRef) const+0x24) [0x39d8b14]`].join('\n'))!;
    expect([r.faultAddress, r.signatureFrames[0]]).toEqual(['0x28', 'DB::Dict::lookup']);
  });
  it('a query log line that mentions a signal starts nothing', () => {
    expect(analyze('2025.03.04 10:22:33.101400 [ 811 ] {} <Information> executeQuery: Received signal handler test (11)').reports).toEqual([]);
  });
});

describe("Godot's crash handler", () => {
  it('reads named frames with their addr2line locations, and backtrace_symbols ones', () => {
    const r = first([
      'handle_crash: Program crashed with signal 11',
      'Engine version: Godot Engine v4.2.1.stable.custom_build (0a1b2c3d)',
      'Dumping the backtrace. Please include this when reporting the bug to the project developer.',
      '[1] /lib/x86_64-linux-gnu/libc.so.6(+0x42520) [0x7f2e6c842520] (??:0)',
      '[2] Node::notify(int) (/src/godot/scene/main/node.cpp:412)',
      '[3] /opt/godot/godot.x86_64(main+0x12b) [0x55d1c0a1b2cb] (/src/godot/platform/main.cpp:74)',
      '-- END OF BACKTRACE --',
    ].join('\n'))!;
    expect(r.format).toBe('godot');
    expect(r.signal).toBe('SIGSEGV');
    expect(r.signatureFrames[0]).toBe('Node::notify');
    const f = r.threads[0]!.frames[1]!;
    expect([f.file, f.line]).toEqual(['/src/godot/scene/main/node.cpp', 412]);
  });
  it('a header without frames is no dump', () => {
    expect(analyze('CrashHandlerException: Program crashed with signal 11\nEngine version: Godot Engine v4.3\nDumping the backtrace.').reports.filter((r) => r.format === 'godot')).toEqual([]);
  });
});

describe("Unreal's crash report", () => {
  it('reads "address module!function [file:line]" frames and the fault address', () => {
    const r = first([
      'Unhandled Exception: SIGSEGV: invalid attempt to read memory at address 0x0000000000000010',
      '[2025.01.20-10.11.12:345][412]LogCore: Fatal error!',
      '',
      '0x00007f3e9a1b2c3d libUnrealEditor-Glider.so!UGlider::Tick(float) [/src/Glider.cpp:214]',
      '0x00007f3ea4f0a1b2 libUnrealEditor-Engine.so!FTickTask::DoTask() [/ue/TickTaskManager.cpp:284]',
      '0x00007f3eb2c10000 libc.so.6!UnknownFunction(0x94ac2)',
    ].join('\n'))!;
    expect(r.format).toBe('unreal');
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x10']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['UGlider::Tick', 'FTickTask::DoTask']);
    expect(r.threads[0]!.frames[0]!.module).toBe('libUnrealEditor-Glider.so');
  });
  it('the words in prose start nothing', () => {
    expect(analyze('We saw "Unhandled Exception: SIGSEGV" twice yesterday, no log kept.').reports.filter((r) => r.format === 'unreal')).toEqual([]);
  });
});
