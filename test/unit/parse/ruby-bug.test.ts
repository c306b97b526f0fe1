// Ruby's crash report ("[BUG] Segmentation fault at 0x...", then pages of Ruby-level context, then
// "-- C level backtrace information --" with backtrace_symbols lines carrying a source location).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { parseLine } from '../../../src/parse/backtrace-symbols.js';
import { signalFromWords } from '../../../src/parse/signals.js';

const report = (controlFrames: number) => [
  '/home/dev/app/lib/feed.rb:41: [BUG] Segmentation fault at 0x0000000000000000',
  'ruby 3.2.2 (2023-03-30 revision e51014f9c0) [x86_64-linux]',
  '',
  '-- Control frame information -----------------------------------------------',
  ...Array.from({ length: controlFrames }, (_, i) => `c:${String(controlFrames - i).padStart(4, '0')} p:0023 s:0016 e:000015 METHOD /home/dev/app/lib/step${i}.rb:41`),
  '',
  '-- C level backtrace information -------------------------------------------',
  '/home/dev/.rubies/ruby-3.2.2/lib/libruby.so.3.2(rb_vm_bugreport+0x5cf) [0x7f1e2e7b4b2f] vm_dump.c:770',
  '/home/dev/.rubies/ruby-3.2.2/lib/libruby.so.3.2(rb_bug_for_fatal_signal+0xf4) [0x7f1e2e5a2d64] error.c:821',
  '/home/dev/.rubies/ruby-3.2.2/lib/libruby.so.3.2(sigsegv+0x4d) [0x7f1e2e70a6ad] signal.c:964',
  '/lib/x86_64-linux-gnu/libc.so.6(0x7f1e2e242520) [0x7f1e2e242520]',
  '/home/dev/.gem/ruby/3.2.2/gems/fastfeed-0.4.1/lib/fastfeed/fastfeed.so(ff_parse_entry+0x44) [0x7f1e2c0a41d4] parser.c:211',
  '/home/dev/.gem/ruby/3.2.2/gems/fastfeed-0.4.1/lib/fastfeed/fastfeed.so(rb_ff_parse+0x9a) [0x7f1e2c0a4f1a] ext.c:58',
  '/home/dev/.rubies/ruby-3.2.2/bin/ruby(main+0x5d) [0x55c1e8a0a16d] main.c:38',
  '',
].join('\n');

describe("Ruby's [BUG] report", () => {
  it('reads the C-level lines with their source locations and the bare-address trampoline', () => {
    expect(parseLine('/usr/lib/libruby.so.3.2(rb_vm_bugreport+0x5cf) [0x7f1e2e7b4b2f] vm_dump.c:770')?.slice(1, 6)).toEqual(['/usr/lib/libruby.so.3.2', 'rb_vm_bugreport+0x5cf', '0x7f1e2e7b4b2f', 'vm_dump.c', '770']);
    expect(parseLine('/lib/x86_64-linux-gnu/libc.so.6(0x7f1e2e242520) [0x7f1e2e242520]')).not.toBeNull();
  });

  it.each([5, 120])('signal and fault address from the [BUG] line (%i control frames between), the extension blamed', (n) => {
    const r = analyze(report(n)).reports;
    expect(r).toHaveLength(1);
    const [rep] = r;
    expect([rep!.format, rep!.signal, rep!.faultAddress, rep!.signatureFrames[0]]).toEqual(['backtrace_symbols', 'SIGSEGV', '0x0', 'ff_parse_entry']);
    expect(rep!.threads[0]!.frames.find((f) => f.function === 'ff_parse_entry')).toMatchObject({ file: 'parser.c', line: 211 });
    expect(rep!.diagnoses[0]?.category).toBe('null-deref');
  });

  it.each([5, 60])("a [BUG] line %i lines above another program's trace is not that trace's signal", (gap) => {
    const text = [
      '/home/dev/app/lib/feed.rb:41: [BUG] Segmentation fault at 0x0000000000000000',
      ...Array.from({ length: gap }, (_, i) => `worker ${i}: processed batch`),
      'backtrace of the stuck exporter:',
      './exporter(_ZN6export5Queue4waitEv+0x1d) [0x55d0c0a011d9]',
      './exporter(_ZN6export3runEv+0x44) [0x55d0c0a01300]',
      './exporter(main+0x12) [0x55d0c0a01400]',
      '',
    ].join('\n');
    const r = analyze(text).reports.find((x) => x.format === 'backtrace_symbols')!;
    expect(r.signal).not.toBe('SIGSEGV');
    expect(r.faultAddress).toBeNull();
  });
});

describe('signalFromWords', () => {
  it("maps strsignal()'s words, exactly or in any case", () => {
    expect(['Segmentation fault', 'Aborted', 'Bus error', 'Illegal instruction', 'Floating point exception'].map((w) => signalFromWords(w))).toEqual(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGILL', 'SIGFPE']);
    expect([signalFromWords('Bus Error'), signalFromWords('Bus Error', true), signalFromWords('constructor'), signalFromWords('Abort trap')]).toEqual([null, 'SIGBUS', null, null]);
  });
});
