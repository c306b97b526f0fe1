// Windows Error Reporting's Application Error event and the crash dialog's problem signature
// (parse/windows-event.ts): no stack, one frame at the faulting module's offset.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { expectLinearInLength } from './feed.js';
import { fatalNotice } from '../../../src/parse/notice.js';
import { samplePath } from '../../support/samples.js';

const reportsOf = (text: string) => analyze(text, { rules: null }).reports;
const only = (text: string) => {
  const reports = reportsOf(text);
  expect(reports).toHaveLength(1);
  return reports[0]!;
};

describe('Windows Application Error events', () => {
  it('reads the event: program, exception, the faulting module and offset as the one frame', () => {
    const r = only(readFileSync(samplePath('windows-event-access-violation.txt'), 'utf8'));
    expect(r.format).toBe('windows-event');
    expect([r.signal, r.signalDescription, r.faultAddress, r.program]).toEqual(['SIGSEGV', 'EXCEPTION_ACCESS_VIOLATION', null, 'photoshelf.exe']);
    expect(r.threads[0]!.frames).toMatchObject([{ function: '??', module: 'thumbcache_x.dll', moduleOffset: '0x2b4f1' }]);
    // No function: the signature groups by the module and the offset into it.
    expect(r.signatureText).toBe('SIGSEGV | thumbcache_x.dll!+0x2b4f1');
    // The event's header lines are context, not the report.
    expect(r.source.line).toBe(6);
  });

  it.each([
    ['as Get-WinEvent lists it, indented and quoted', (l: string, i: number) => (i === 0 ? `> Message : ${l}` : `>           ${l}`)],
    ['with CRLF line endings and bracketed timestamps', (l: string) => `[2026-03-02 10:11:12] ${l}\r`],
  ])('reads the event %s', (_name, noise) => {
    const lines = ['Faulting application name: mapper.exe, version: 1.0.0.0, time stamp: 0x65f0a1c4', 'Faulting module name: ucrtbase.dll, version: 10.0.22621.2506, time stamp: 0x3e4b4c07',
      'Exception code: 0xc0000409', 'Fault offset: 0x000000000007f61e', 'Faulting process id: 0x1c2c'];
    const r = only(lines.map(noise).join('\n'));
    expect([r.signal, r.program]).toEqual(['SIGABRT', 'mapper.exe']);
    expect(r.threads[0]!.frames[0]).toMatchObject({ module: 'ucrtbase.dll', moduleOffset: '0x7f61e' });
  });

  it("reads the crash dialog's problem signature and maps its codes (stack overflow, heap corruption)", () => {
    const r = only(['Problem signature:', '  Problem Event Name:\tAPPCRASH', '  Application Name:\tmapper.exe', '  Application Version:\t1.0.0.0',
      '  Fault Module Name:\tmapper.exe', '  Exception Code:\tc00000fd', '  Exception Offset:\t0000000000012f40', '  OS Version:\t10.0.22621.2.0.0.256.48'].join('\n'));
    expect([r.signal, r.crashKind, r.program]).toEqual(['SIGSEGV', 'stack-overflow', 'mapper.exe']);
    expect(r.threads[0]!.frames[0]).toMatchObject({ module: 'mapper.exe', moduleOffset: '0x12f40' });
    const heap = only(['Faulting application name: a.exe, version: 1.0', 'Faulting module name: ntdll.dll, version: 10.0', 'Exception code: 0xc0000374', 'Fault offset: 0x00000000000ff959'].join('\n'));
    expect(heap.crashKind).toBe('heap-corruption');
  });

  it('keeps two events apart and reads nothing from a header alone', () => {
    const event = (app: string) => [`Faulting application name: ${app}, version: 1.0`, 'Faulting module name: core.dll, version: 1.0', 'Exception code: 0xc0000005', 'Fault offset: 0x10'];
    expect(reportsOf([...event('a.exe'), ...event('b.exe')].join('\n')).map((r) => r.program)).toEqual(['a.exe', 'b.exe']);
    expect(reportsOf('Faulting application name: a.exe, version: 1.0\nsomething else\n')).toEqual([]);
  });
});

describe('Windows exit codes', () => {
  it.each([
    ['Error: Process completed with exit code -1073741819.', 'SIGSEGV', null, null],
    ["The program '[9876] viewer.exe' has exited with code 3221225477 (0xc0000005) 'Access violation'.", 'SIGSEGV', null, 'viewer.exe'],
    ['error: test failed, to rerun pass `--lib`: process didn\'t exit successfully: `target\\debug\\deps\\geo-1a2b.exe` (exit code: 0xc00000fd, STATUS_STACK_OVERFLOW)', 'SIGSEGV', 'stack-overflow', null],
    ['C:\\ci\\build.vcxproj(88,5): error MSB3073: The command "tests.exe --all" exited with code -1073740791.', 'SIGABRT', null, null],
    ["subprocess.CalledProcessError: Command '['tool.exe', 'in.bin']' returned non-zero exit status 3221226356.", 'SIGABRT', 'heap-corruption', null],
  ])('%s', (line, signal, kind, program) => {
    expect(fatalNotice(line)).toMatchObject({ signal, crashKind: kind, program, source: 'shell' });
  });

  it('knows an exit code that is no crash, and a number that is no exit code', () => {
    expect(fatalNotice('Error: Process completed with exit code 1.')).toBeNull();
    expect(fatalNotice('The program has exited with code -1073741510 (0xc000013a).')).toBeNull();
    expect(fatalNotice('allocated 3221225477 bytes')).toBeNull();
  });

  it('makes a CI log without a stack a report of what the exit code says', () => {
    const r = analyze(['Run ctest --output-on-failure', '1/1 Test #1: geo_tests ........***Failed    0.31 sec', 'Error: Process completed with exit code -1073741819.'].join('\n'), { rules: null }).reports;
    expect(r.map((x) => [x.format, x.signal])).toEqual([['notice', 'SIGSEGV']]);
  });
});

describe('Windows events: what is no event, and long lines', () => {
  // Class: documentation that shows the event's fields with placeholders.
  it('reads no event out of placeholders: names must be file names and the code hex', () => {
    expect(reportsOf(['Faulting application name: <your app>', 'Faulting module name: <the module>', 'Exception code: <the code>'].join('\n'))).toEqual([]);
    expect(reportsOf(['Faulting application name: your app, version: x', 'Faulting module name: the module', 'Exception code: the code'].join('\n'))).toEqual([]);
    const r = only(['Faulting application name: <your app>', 'Faulting module name: render_core.dll, version: 2.4.1.0', 'Exception code: 0xc0000005', 'Fault offset: 0x1a2b4'].join('\n'));
    expect([r.program, r.signal, r.threads[0]!.frames[0]!.module]).toEqual([null, 'SIGSEGV', 'render_core.dll']);
  });

  // Class: a pathological line (a long run of spaces inside a field's value): linear in its length.
  it('reads a field with a long run of spaces in time linear in its length', () => {
    const input = (n: number) => ['Faulting application name: viewer.exe', `Faulting module name: render_core.dll${' '.repeat(n)}x`, `Exception code: 0xc0000005${' '.repeat(n)}x`].join('\n');
    expect(() => expectLinearInLength((text) => analyze(text, { rules: null }), input)).not.toThrow();
  }, 300_000);
});
