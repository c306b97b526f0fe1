// boost::stacktrace (parse/boost-stacktrace.ts): " 0# f at file:line", " 1# g in module", bare
// addresses, libunwind's "+0x.." offsets, an empty last frame; the signal is the handler's line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boostStacktraceParser } from '../../../src/parse/boost-stacktrace.js';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith, where } from './feed.js';

describe('boost-stacktrace parser', () => {
  it('reads a handler dump: at file:line, in module, a bare address, the empty last frame', () => {
    const t = parseOne(boostStacktraceParser, readFileSync(samplePath('boost-stacktrace-handler.txt'), 'utf8'));
    expect(t.format).toBe('boost-stacktrace');
    // The stack states no signal; the handler's line above it does (parse/context-signal.ts).
    expect([t.signal, t.faultAddress, t.threads.length]).toEqual(['SIGSEGV', null, 1]);
    const frames = t.threads[0]!.frames;
    expect(where(frames)).toEqual([
      ['ingest::CsvRow::field(unsigned long) const', '/srv/build/ingest/src/csv.cpp', 133],
      ['ingest::Mapper::map_row(ingest::CsvRow const&)', '/srv/build/ingest/src/mapper.cpp', 71],
      ['ingest::Pipeline::run_batch(std::vector<ingest::CsvRow, std::allocator<ingest::CsvRow> > const&)', null, null],
      ['??', null, null],
      ['clone', null, null],
      ['??', null, null],
    ]);
    expect(frames[2]!.module).toBe('/srv/ingest/bin/ingestd');
    expect(frames[3]).toMatchObject({ address: '0x00007f11a0c94ac3', module: '/lib/x86_64-linux-gnu/libc.so.6' });
    expect(t.startLine).toBe(3);
  });

  it("takes the signal from the handler's line before the trace (pipeline), with a CI timestamp on every line", () => {
    const [r, ...rest] = analyze(lines(
      '2026-11-30T10:00:00.1234567Z Signal 6 (SIGABRT) caught, stack trace:',
      '2026-11-30T10:00:00.1234567Z  0# raise in /lib64/libc.so.6',
      '2026-11-30T10:00:00.1234567Z  1# abort in /lib64/libc.so.6',
      '2026-11-30T10:00:00.1234567Z  2# q::Queue::pop() +0x3A',
      '2026-11-30T10:00:00.1234567Z  3# main at /src/main.cpp:9',
      '2026-11-30T10:00:00.1234567Z done',
    ), { rules: null }).reports;
    expect(rest).toEqual([]);
    expect(r!.format).toBe('boost-stacktrace');
    expect(r!.signal).toBe('SIGABRT');
    expect(r!.threads[0]!.frames.map((f) => f.function)).toEqual(['raise', 'abort', 'q::Queue::pop', 'main']);
  });

  it('splits at a second 0#, ends at a gap in the numbering, and needs more than one frame', () => {
    const traces = parseWith(boostStacktraceParser, lines(' 0# a at x.cpp:1', ' 1# b at x.cpp:2', ' 0# c in ./p', ' 1# d in ./p', ' 3# e in ./p'));
    expect(traces.map((t) => t.threads[0]!.frames.map((f) => f.rawFunction))).toEqual([['a', 'b'], ['c', 'd']]);
    expect(parseWith(boostStacktraceParser, lines(' 0# only one frame', 'then prose'))).toEqual([]);
    expect(parseWith(boostStacktraceParser, lines('issue 10# was fixed', 'see 0#1 in the tracker'))).toEqual([]);
  });
});
