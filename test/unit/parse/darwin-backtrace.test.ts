// macOS backtrace_symbols tables (parse/darwin-backtrace.ts): a handler's dump after its "Caught
// signal" line, an uncaught NSException's "First throw call stack", read from frame 0 without gaps.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const reportsOf = (t: string) => analyze(t, { rules: null }).reports;

describe('darwin backtrace_symbols parser', () => {
  it("reads a handler's table: modules with blanks, mangled names, the unnamed frame, the signal from the line before", () => {
    const [r, ...more] = reportsOf(`Caught signal SIGSEGV
0   libcrash_handler.dylib              0x000000010c2a190b _ZL13crash_handleriP9__siginfoPv + 139
1   libsystem_platform.dylib            0x00007ff80a2c4dfd _sigtramp + 29
2   ???                                 0x0000000000000000 0x0 + 0
3   Tile Engine Framework               0x000000010c7f2c48 _ZN4tile5Atlas4packEv + 200
4   tiled                               0x000000010b9e1d84 main + 420
`);
    expect(more).toEqual([]);
    expect([r!.format, r!.signal]).toEqual(['backtrace_symbols', 'SIGSEGV']);
    const frames = r!.threads[0]!.frames;
    expect(frames.map((f) => [f.function, f.module])).toEqual([
      ['crash_handler', 'libcrash_handler.dylib'], ['_sigtramp', 'libsystem_platform.dylib'], ['??', '???'],
      ['tile::Atlas::pack', 'Tile Engine Framework'], ['main', 'tiled'],
    ]);
    expect(r!.signatureFrames[0]).toBe('tile::Atlas::pack');
  });

  it("reads an uncaught NSException's first throw call stack and blames the method, not Foundation's raise", () => {
    const [r] = analyze(`*** Terminating app due to uncaught exception 'NSRangeException', reason: '*** -[__NSArrayM objectAtIndex:]: index 4 beyond bounds [0 .. 3]'
*** First throw call stack:
(
\t0   CoreFoundation                      0x00007ff8104a1e9b __exceptionPreprocess + 242
\t1   libobjc.A.dylib                     0x00007ff80ff8a1bd objc_exception_throw + 48
\t2   CoreFoundation                      0x00007ff81047e0a1 -[__NSArrayM objectAtIndex:] + 1073
\t3   Ledger                              0x0000000102c3f110 -[LGRTableController rowAtIndex:] + 64
\t4   Ledger                              0x0000000102c3e9a0 main + 96
)
libc++abi: terminating due to uncaught exception of type NSException
`).reports;
    expect(r!.threads[0]!.frames).toHaveLength(5);
    expect(r!.signatureFrames[0]).toBe('-[__NSArrayM objectAtIndex:]');
    expect(r!.diagnoses[0]?.category).toBe('uncaught-exception');
  });

  it('starts at frame 0 only, and ends at a gap in the numbers', () => {
    expect(reportsOf('3   tiled   0x000000010b9e1d84 main + 420\n4   dyld   0x0000000189aa10e0 start + 2360\n')).toEqual([]);
    const [r] = reportsOf('0   tiled   0x000000010b9e1d84 f + 4\n1   tiled   0x000000010b9e1d90 g + 8\n5   tiled   0x000000010b9e1da0 h + 8\n');
    expect(r!.threads[0]!.frames.map((f) => f.function)).toEqual(['f', 'g']);
  });
});
