// Mono's native crash report (class: a runtime embedding native code, Unity and Xamarin apps): the
// banner starts it, "Got a SIGSEGV ..." names the signal, "0x... - module : function" lines are
// the native stack. Mono before 6 printed backtrace_symbols lines and the signal line after them.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const RULE = '=================================================================';

describe("Mono's native crash report", () => {
  it('reads the signal and the native frames, module and function', () => {
    const r = analyze([RULE, '\tNative Crash Reporting', RULE, 'Got a SIGBUS while executing native code. This usually indicates', 'a fatal error in the mono runtime or one of the native libraries', 'used by your application.', RULE, '', RULE, '\tNative stacktrace:', RULE,
      '\t0x7fb9e3ca5c19 - /usr/lib/libmonosgen-2.0.so.1 : ', '\t0x7fb9c81a2b3c - /opt/app/libaudio.so : audio_mix', '\t0x7fb9c81a3001 - /opt/app/libaudio.so : audio_pump', '\t0x40a1b2c3 - Unknown', '', RULE, '\tTelemetry Dumper:', RULE].join('\n')).reports[0]!;
    expect([r.format, r.signal]).toEqual(['mono', 'SIGBUS']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['audio_mix', 'audio_pump']);
    expect(r.threads[0]!.frames[1]!.module).toBe('/opt/app/libaudio.so');
  });
  it("old Mono: the backtrace_symbols dump gets its signal from the line after it", () => {
    const r = analyze(['Native stacktrace:', '', '\tmono() [0x4a1dd8]', '\t/opt/app/libaudio.so(audio_mix+0x2d) [0x7fb9c81a2b3c]', '\t/opt/app/libaudio.so(audio_pump+0x41) [0x7fb9c81a3001]', '', RULE, 'Got a SIGSEGV while executing native code. This usually indicates', RULE].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.signatureFrames[0]]).toEqual(['backtrace_symbols', 'SIGSEGV', 'audio_mix']);
  });
  it('the banner named in prose starts nothing', () => {
    expect(analyze('See the Native Crash Reporting section of the log for details.').reports).toEqual([]);
  });
});
