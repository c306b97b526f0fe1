// The failure-signal handlers' parser on its own (glog, Abseil, folly, glog's CHECK): a committed
// glog dump and short texts in each handler's shape, fed straight to the parser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { glogParser } from '../../../src/parse/glog.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith, where } from './feed.js';

describe('glog parser', () => {
  it("reads glog's failure signal handler: signal, fault address, pid and frames", () => {
    const t = parseOne(glogParser, readFileSync(samplePath('glog-failure-signal-handler.txt'), 'utf8'));
    expect(t.format).toBe('glog');
    expect(t.signal).toBe('SIGSEGV');
    expect(t.signalDescription).toBe('Segmentation fault');
    expect(t.faultAddress).toBe('0x0');
    expect(t.threads).toHaveLength(1);
    expect(t.threads[0]!.lwp).toBe(26190);
    expect(where(t.threads[0]!.frames).map((w) => w[0])).toEqual(['??', '??', 'cache::touch()', 'main', '??', '__libc_start_main', '_start']);
    expect(t.threads[0]!.frames[2]!.address).toBe('0x55a8edcb81c5');
    expect(t.startLine).toBe(1);
    expect(t.endLine).toBe(10);
  });

  it("reads a CHECK failure's stack as SIGABRT", () => {
    const t = parseOne(glogParser, lines(
      '*** Check failure stack trace: ***',
      '    @     0x55cc0eee7304  shard::pick()',
      '    @     0x55cc0eee7390  main',
      'Aborted (core dumped)',
    ));
    expect(t.signal).toBe('SIGABRT');
    expect(t.signalDescription).toBe('Check failed');
    expect(where(t.threads[0]!.frames)).toEqual([['shard::pick()', null, null], ['main', null, null]]);
    expect(t.endLine).toBe(3);
  });

  it("reads Abseil's handler: frame sizes and '(unknown)' columns dropped from the names", () => {
    const t = parseOne(glogParser, lines(
      '*** SIGSEGV received at time=1700000000 on cpu 3 ***',
      'PC: @     0x55f1c8a0b1c4  (unknown)  cache::touch()',
      '    @     0x55f1c8a0b1c4         32  cache::touch()',
      '    @     0x55f1c8a0b281         48  main',
    ));
    expect(t.format).toBe('abseil');
    expect(t.signal).toBe('SIGSEGV');
    expect(where(t.threads[0]!.frames).map((w) => w[0])).toEqual(['cache::touch()', 'main']);
  });

  it("reads folly's handler with the source location under a frame", () => {
    const t = parseOne(glogParser, lines(
      '*** Signal 11 (SIGSEGV) (0x0) received by PID 123 (pthread TID 0x7f00) (linux TID 123) (code: address not mapped to object), stack trace: ***',
      '    @ 0000000000401b6e main',
      '                       ./main.cpp:10',
    ));
    expect(t.format).toBe('folly');
    expect(t.signalDescription).toBe('Segmentation fault, address not mapped to object');
    expect(where(t.threads[0]!.frames)).toEqual([['main', './main.cpp', 10]]);
  });

  it("splits a CHECK's trace from the SIGABRT handler dump that follows it", () => {
    const text = lines(
      '*** Check failure stack trace: ***',
      '    @     0x55cc0eee7304  shard::pick()',
      '*** SIGABRT (@0x3e800006411) received by PID 25617 (TID 0x7f8d) from PID 25617; stack trace: ***',
      '    @     0x7f8d0a4a9e2c  raise',
      '    @     0x55cc0eee7304  shard::pick()',
    );
    expect(parseWith(glogParser, text).map((t) => [t.signal, t.threads[0]!.frames.length])).toEqual([['SIGABRT', 1], ['SIGABRT', 2]]);
  });
});
