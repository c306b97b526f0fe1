// Applications' own crash files and a managed runtime's fatal error (class: the program's handler
// writes the stack in a table of its own, no debugger involved): Blender's crash.txt on Windows,
// OBS Studio's crash log, .NET's "Fatal error." / "Stack overflow." with the managed stack. Names
// are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe("Blender's crash file", () => {
  it('reads the exception record (the access violation\'s address) and the stack, padded or glued module names', () => {
    const r = analyze([
      '# backtrace',
      'Exception Record:',
      'ExceptionCode         : EXCEPTION_ACCESS_VIOLATION',
      'Exception Address     : 0x00007FF6A1B2C3D4',
      'Exception Module      : io_scene_x.pyd',
      '\tParameters[0] : 0x0000000000000001',
      '\tParameters[1] : 0x0000000000000040',
      'Stack trace:',
      'io_scene_x.cp311-win_amd64.pyd:0x00007FFC1A2B4490  xio::Reader::chunk',
      'blender.exe         :0x00007FF6A1F2B700  Symbols not available',
      'Thread : 000028d8',
      'ntdll.dll           :0x00007FFBC418D560  ZwWaitForSingleObject',
      'Loaded Modules :',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['blender', 'SIGSEGV', '0x40']);
    expect(r.signatureFrames[0]).toBe('xio::Reader::chunk');
    expect(r.threads).toHaveLength(2);
    expect(r.threads[0]!.frames[1]!.function).toBe('??');
  });
});

describe("OBS Studio's crash log", () => {
  it('blames the crashed thread, whatever its place', () => {
    const r = analyze([
      'Unhandled exception: c0000005',
      'Fault address: 7FFB2C41A2F3 (c:\\obs\\plugin.dll)',
      'Thread 1F44',
      'Stack            EIP              Arg0             Arg1             Arg2             Arg3             Address',
      '000000A1B21FF8A8 00007FFB6A2F0B34 0000000000000000 0000000000000000 0000000000000000 0000000000000000 ntdll.dll!NtWaitForSingleObject+0x14',
      'Thread 2C10: (Crashed)',
      'Stack            EIP              Arg0             Arg1             Arg2             Arg3             Address',
      '000000A1B2EFF6B0 00007FFB2C41A2F3 0000000000000000 000001F3C4A10000 0000000000000438 0000000000000780 plugin.dll!blur_pass+0x53',
      '000000A1B2EFF780 00007FFB3A1D55E2 000001F3B8E2D040 0000000000000000 0000000000000000 0000000000000000 obs.dll!0x7ffb3a1d55e2',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.signatureFrames[0]]).toEqual(['obs', 'SIGSEGV', 'blur_pass']);
    expect(r.threads.find((t) => t.id === '2c10')!.frames[1]!.function).toBe('??');
  });
  it("Wine does not take OBS's bare code for its words", () => {
    expect(analyze('Unhandled exception: c0000005\nDate/Time: 2024-01-01, 10:00:00').reports.every((r) => r.format !== 'wine')).toBe(true);
  });
});

describe(".NET's fatal errors", () => {
  it('an access violation: the P/Invoke frame is blamed', () => {
    const r = analyze([
      'Fatal error. System.AccessViolationException: Attempted to read or write protected memory. This is often an indication that other memory is corrupt.',
      '   at Img.Native.img_decode(IntPtr, Int32)',
      '   at Img.Decoder.Decode(Byte[])',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.signatureFrames[0]]).toEqual(['dotnet', 'SIGSEGV', 'Img.Native.img_decode']);
  });
  it('a stack overflow: the folded recursion, file and line', () => {
    const r = analyze(['Stack overflow.', 'Repeat 900 times:', '--------------------------------', '   at Json.Reader.Value(Json.Node) in /src/Reader.cs:line 40', '--------------------------------', '   at Json.Reader.Parse()'].join('\n')).reports[0]!;
    expect([r.crashKind, r.signatureFrames[0], r.threads[0]!.frames[0]!.line]).toEqual(['stack-overflow', 'Json.Reader.Value', 40]);
    expect(r.diagnoses[0]!.category).toBe('stack-overflow');
  });
});
