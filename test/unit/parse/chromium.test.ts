// Chromium's base::debug stack dumps (base/debug/stack_trace_posix.cc), read by the butil parser
// (butil copied that code). samples/chromium-stack-unknown.txt is real output of Debian's
// chromium 156 (stripped, so "<unknown>" names) printing a StackTrace; samples/chromium-received-signal.txt
// is written here in the shape the fatal-signal handler prints (names and addresses made up).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const sample = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', '..', 'samples', name), 'utf8');
const one = (text: string) => {
  const { reports } = analyze(text, { rules: null });
  expect(reports).toHaveLength(1);
  return reports[0]!;
};

describe('Chromium stack dumps', () => {
  it('reads "Received signal", module+offset frames, registers, [end of stack trace] and the task trace', () => {
    const r = one(sample('chromium-received-signal.txt'));
    expect(r).toMatchObject({ format: 'chromium', signal: 'SIGSEGV', crashKind: 'SIGSEGV', faultAddress: '0x18', crashedThread: 0, source: { line: 2, endLine: 21 } });
    expect(r.signalDescription).toMatch(/SEGV_MAPERR/);
    const frames = r.threads[0]!.frames;
    expect(frames).toHaveLength(9); // the task trace's frames are not the crash's
    // "(/lib/...libc.so.6+0x3bd5f)" is a frame of libc without a name, not a function.
    expect(frames[3]).toMatchObject({ function: '??', module: '/lib/x86_64-linux-gnu/libc.so.6', moduleOffset: '0x3bd5f', address: '0x7f6c2a85bd60' });
    expect(frames[6]).toMatchObject({ function: '??', module: '/opt/chromium/chrome' });
    expect(frames[4]!.function).toBe('content::NavigationRequest::OnResponseStarted');
    expect(frames[8]!.function).toBe('??');
    // base::debug's handler frames are skipped.
    expect(r.signatureFrames[0]).toBe('content::NavigationRequest::OnResponseStarted');
    expect(r.context.some((c) => c.position === 'after' && /Calling _exit/.test(c.text))).toBe(true);
  });

  it("reads a real stripped Chromium's StackTrace print: <unknown> frames and ChromeMain", () => {
    const r = one(sample('chromium-stack-unknown.txt'));
    expect(r).toMatchObject({ format: 'chromium', signal: null, source: { line: 3, endLine: 13 } });
    expect(r.threads[0]!.frames).toHaveLength(11);
    expect(r.threads[0]!.frames[9]).toMatchObject({ function: 'ChromeMain', address: '0x564125011337' });
    expect(r.signatureFrames).toEqual(['ChromeMain']);
  });

  it('reads the source location symbolized builds print after the name', () => {
    const r = one(`Received signal 6
#0 0x55a0ed1d8ad2 base::debug::CollectStackTrace() [../../base/debug/stack_trace_posix.cc:1036:7]
#1 0x55a0ed1c2b6a base::debug::StackTrace::StackTrace() [../../base/debug/stack_trace.cc:240:12]
#2 0x7f1e2c43bfd0 (/lib/x86_64-linux-gnu/libc.so.6+0x3bfd0)
#3 0x55a0e9a1b2c3 media::AudioRendererImpl::OnBufferingStateChange() [../../media/renderers/audio_renderer_impl.cc:512]
[end of stack trace]
`);
    expect(r).toMatchObject({ format: 'chromium', signal: 'SIGABRT' });
    expect(r.threads[0]!.frames[0]).toMatchObject({ function: 'base::debug::CollectStackTrace', file: '../../base/debug/stack_trace_posix.cc', line: 1036, column: 7 });
    expect(r.threads[0]!.frames[3]).toMatchObject({ function: 'media::AudioRendererImpl::OnBufferingStateChange', line: 512, column: null });
    expect(r.signatureFrames[0]).toBe('media::AudioRendererImpl::OnBufferingStateChange');
  });

  it('keeps reading butil dumps as before', () => {
    const r = one('Received signal 6\n#0 0x55d0c0a1b2cd butil::debug::StackTrace::StackTrace()\n#1 0x7f1e2c43bfd0 (/lib/x86_64-linux-gnu/libc.so.6+0x3bfd0)\n#2 0x55d0c0b01e3a brpc::Socket::Write()\n');
    expect(r).toMatchObject({ format: 'butil', signal: 'SIGABRT', faultAddress: null });
    expect(r.threads[0]!.frames[1]).toMatchObject({ function: '??', module: '/lib/x86_64-linux-gnu/libc.so.6' });
  });
});
