// Visual Studio's Call Stack window copied as text (parse/visual-studio.ts): the exception line
// before it, the frames with their modules, the window's notes, and the noise pastes add.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { expectLinearInLength } from './feed.js';
import { samplePath } from '../../support/samples.js';

const reportsOf = (text: string, rules = false) => analyze(text, rules ? {} : { rules: null }).reports;
const only = (text: string, rules = false) => {
  const reports = reportsOf(text, rules);
  expect(reports).toHaveLength(1);
  return reports[0]!;
};
const crashed = (r: ReturnType<typeof only>) => r.threads[r.crashedThread!]!;

const STACK = [
  'Unhandled exception at 0x00007FF6A1B2C3D4 in viewer.exe: 0xC0000005: Access violation writing location 0x0000000000000040.',
  '',
  '>\tviewer.exe!ui::Panel::set_title(const std::wstring & title) Line 212\tC++',
  ' \t[Inline Frame] viewer.exe!ui::Window::relabel(int id) Line 40\tC++',
  ' \tviewer.exe!ui::Window::on_command(unsigned int cmd, __int64 lparam) Line 388\tC++',
  ' \t[External Code]\t',
  ' \tuser32.dll!00007ffd3b9e1c4c()\tUnknown',
  ' \tviewer.exe!wWinMain(HINSTANCE__ * hInstance, HINSTANCE__ * hPrev, wchar_t * cmd, int show) Line 33\tC++',
  ' \tviewer.exe!invoke_main() Line 118\tC++',
  ' \tviewer.exe!__scrt_common_main_seh() Line 288\tC++',
  ' \tkernel32.dll!BaseThreadInitThunk()\tUnknown',
  ' \tntdll.dll!RtlUserThreadStart()\tUnknown',
];

function expectStack(r: ReturnType<typeof only>): void {
  expect(r.format).toBe('visual-studio');
  expect([r.signal, r.crashKind, r.faultAddress, r.program]).toEqual(['SIGSEGV', 'SIGSEGV', '0x40', 'viewer.exe']);
  expect(r.signalDescription).toBe('EXCEPTION_ACCESS_VIOLATION_WRITE');
  const frames = crashed(r).frames;
  expect(frames.map((f) => [f.function, f.module, f.line])).toEqual([
    ['ui::Panel::set_title', 'viewer.exe', 212], ['ui::Window::relabel', 'viewer.exe', 40], ['ui::Window::on_command', 'viewer.exe', 388],
    ['??', 'user32.dll', null], ['wWinMain', 'viewer.exe', 33], ['invoke_main', 'viewer.exe', 118], ['__scrt_common_main_seh', 'viewer.exe', 288],
    ['BaseThreadInitThunk', 'kernel32.dll', null], ['RtlUserThreadStart', 'ntdll.dll', null],
  ]);
  expect(frames[1]!.inlined).toBe(true);
  expect(frames[3]!.address).toBe('0x7ffd3b9e1c4c');
  // The CRT's entry and Windows' thread start are machinery; the program's frames sign.
  expect(r.signatureFrames).toEqual(['ui::Panel::set_title', 'ui::Window::relabel', 'ui::Window::on_command']);
  expect(r.unreadableFrames).toBeUndefined();
}

describe('Visual Studio call stacks', () => {
  it('reads the exception line and the copied stack: modules, lines, inline frames, unsymbolized frames', () => {
    expectStack(only(STACK.join('\n')));
  });

  it.each([
    ['tabs turned into spaces', (l: string) => l.replace(/\t/g, '    ')],
    ['CRLF line endings', (l: string) => `${l}\r`],
    ['quoted in an issue', (l: string) => `> ${l}`],
    ['indented as a code block', (l: string) => `    ${l}`],
    ['CI timestamps', (l: string) => `2026-03-02T10:11:12.1234567Z ${l}`],
  ])('reads the same stack %s', (_name, noise) => {
    expectStack(only(STACK.map(noise).join('\n')));
  });

  it('reads the sample: a null member read blames the program, null-deref tops the diagnoses', () => {
    const r = only(readFileSync(samplePath('visual-studio-access-violation.txt'), 'utf8'), true);
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x18']);
    expect(crashed(r).frames[0]).toMatchObject({ function: 'scene::Mesh::upload', module: 'render_core.dll', line: 118 });
    expect(r.signatureFrames[0]).toBe('scene::Mesh::upload');
    expect(r.diagnoses[0]?.category).toBe('null-deref');
  });

  it('maps a stack overflow to its crash kind and signs by the recursion', () => {
    const r = only(readFileSync(samplePath('visual-studio-stack-overflow.txt'), 'utf8'), true);
    expect([r.signal, r.crashKind, r.program]).toEqual(['SIGSEGV', 'stack-overflow', 'jsonlint.exe']);
    expect(r.signatureFrames).toEqual(['json::Parser::parse_value', 'json::Parser::parse_array', 'json::Parser::parse_value']);
    expect(r.diagnoses[0]?.category).toBe('stack-overflow');
  });

  it('reads an unhandled C++ exception: the type in the description, the throw machinery skipped, uncaught-exception on top', () => {
    const r = only(readFileSync(samplePath('visual-studio-cpp-exception.txt'), 'utf8'), true);
    expect(r.signal).toBe('SIGABRT');
    expect(r.signalDescription).toContain('std::out_of_range');
    expect(r.skippedFrames.slice(0, 3)).toEqual([0, 1, 2]);
    expect(r.signatureFrames[1]).toBe('tiles::Grid::tile_at');
    expect(r.diagnoses[0]).toMatchObject({ category: 'uncaught-exception' });
    expect(r.diagnoses[0]!.summary).toContain('std::out_of_range');
  });

  it('reads the newer dialog ("read access violation", "this was nullptr") as a null dereference', () => {
    const r = only(['Exception thrown: read access violation.', '**this** was nullptr.', '', '>\tgame.exe!net::Session::peer() Line 71\tC++', ' \tgame.exe!net::Lobby::tick() Line 19\tC++'].join('\n'), true);
    expect([r.signal, r.faultAddress, r.signalDescription]).toEqual(['SIGSEGV', '0x0', 'EXCEPTION_ACCESS_VIOLATION_READ']);
    expect(r.diagnoses[0]?.category).toBe('null-deref');
  });

  it('reads the parameter values of a copy with "Show Parameter Values": a null this raises the null dereference', () => {
    const r = only(['Unhandled exception at 0x00007FF6A1B2C3D4 in srv.exe: 0xC0000005: Access violation reading location 0x0000000000000018.',
      '>\tsrv.exe!net::Session::port(net::Session * this=0x0000000000000000) Line 12\tC++', ' \tsrv.exe!main() Line 8\tC++'].join('\n'), true);
    expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/null-deref', confidence: 0.9 });
  });

  it('reads older copies with the byte offset and Visual Studio Code copies with the source', () => {
    const r = only([
      'app.exe!codec::Frame::decode(unsigned char * p=0x00000000)  Line 57 + 0x1a bytes\tC++',
      'app.exe!main(int argc=2, char * * argv=0x00a21f30)  Line 12 + 0x9 bytes\tC++',
      'app.exe!codec::Reader::next() Line 88 (c:\\src\\codec\\reader.cpp:88)',
      'kernel32.dll!@BaseThreadInitThunk@12() (Unknown Source:0)',
    ].join('\n'));
    expect(crashed(r).frames.map((f) => [f.function, f.line, f.file])).toEqual([
      ['codec::Frame::decode', 57, null], ['main', 12, null], ['codec::Reader::next', 88, 'c:\\src\\codec\\reader.cpp'], ['@BaseThreadInitThunk@12', null, null],
    ]);
  });

  it('reports a frame line it cannot read (cut inside its parameters) instead of dropping it', () => {
    const r = only(['viewer.exe!a::b(int x) Line 3\tC++', 'viewer.exe!a::c(const std::vector<int,std::alloc', 'viewer.exe!main() Line 9\tC++'].join('\n'));
    expect(crashed(r).frames.map((f) => f.function)).toEqual(['a::b', 'main']);
    expect(r.unreadableFrames?.map((u) => u.line)).toEqual([2]);
  });

  it('keeps an unhandled exception without a stack as a report with the faulting module; a first-chance line alone is none', () => {
    const r = only('Unhandled exception at 0x00007FFD3D11BA39 (ntdll.dll) in batchconv.exe: 0xC0000374: A heap has been corrupted (parameters: 0x00007FFD3D1A97F0).\n');
    expect([r.signal, r.crashKind, r.program]).toEqual(['SIGABRT', 'heap-corruption', 'batchconv.exe']);
    expect(crashed(r).frames[0]).toMatchObject({ module: 'ntdll.dll', address: '0x7ffd3d11ba39' });
    expect(reportsOf('Exception thrown at 0x00007FFD3A2B4F69 in tilesrv.exe: Microsoft C++ exception: std::bad_alloc at memory location 0x000000D1E4AFF2A0.\n')).toEqual([]);
  });

  it("takes the MSVC runtime's messages as abort messages: console assert, abort()'s dialog, the Debug CRT's Expression line", () => {
    const stack = ['>\tucrtbase.dll!abort()\tUnknown', ' \tucrtbase.dll!_wassert()\tUnknown', ' \tropes.exe!ropes::Rope::split(unsigned __int64 pos) Line 142\tC++', ' \tropes.exe!main() Line 9\tC++'];
    const assert = only(['Assertion failed: pos <= len_, file C:\\src\\rope.cpp, line 142', ...stack].join('\n'), true);
    expect(assert.abortMessage).toBe('Assertion failed: pos <= len_, file C:\\src\\rope.cpp, line 142');
    expect(assert.diagnoses[0]?.category).toBe('assertion');
    expect(assert.diagnoses[0]?.summary).toContain('pos <= len_');
    expect(only(['Debug Error!', '', 'abort() has been called', '', ...stack].join('\n')).abortMessage).toBe('abort() has been called');
    const debugHeap = ['>\tucrtbased.dll!_CrtDbgReport(int report_type) Line 386\tC++', ' \tucrtbased.dll!_free_dbg(void * block, int block_use) Line 1030\tC++', ' \tropes.exe!ropes::Rope::~Rope() Line 30\tC++'];
    const heap = only(['Debug Assertion Failed!', 'Expression: _CrtIsValidHeapPointer(block)', ...debugHeap].join('\n'), true);
    expect(heap.abortMessage).toBe('Expression: _CrtIsValidHeapPointer(block)');
    expect(heap.diagnoses[0]?.category).toBe('heap-corruption');
    // "Expression:" about anything else says nothing of a death.
    expect(only(['Expression: a + b', ...stack].join('\n')).abortMessage).toBeNull();
  });

  it("reads the run-time checks' dialog: a corrupted stack variable is a stack buffer overflow", () => {
    const r = only(["Run-Time Check Failure #2 - Stack around the variable 'name' was corrupted.", '', '>\tcli.exe!parse_args(int argc, char * * argv) Line 48\tC++', ' \tcli.exe!main(int argc, char * * argv) Line 90\tC++'].join('\n'), true);
    expect([r.signal, r.crashKind, r.signatureFrames[0]]).toEqual(['SIGABRT', 'stack-buffer-overflow', 'parse_args']);
    expect(r.diagnoses[0]?.ruleId).toBe('generic/sanitizer-buffer-overflow');
    const uninit = only(["Run-Time Check Failure #3 - The variable 'len' is being used without being initialized.", 'cli.exe!copy_name(char * out) Line 12\tC++', 'cli.exe!main() Line 90\tC++'].join('\n'));
    expect(uninit.crashKind).toBe('use-of-uninitialized-value');
  });

  it('reads no stack out of a lone frame-shaped line in prose', () => {
    expect(reportsOf('The crash is in viewer.exe!main() after the update.\nviewer.exe!main() is where it stops\n')).toEqual([]);
  });

  it('maps a /GS cookie failure to a stack buffer overflow, and keeps two pasted crashes apart', () => {
    const two = reportsOf([
      'Unhandled exception at 0x00007FF7B2C11A2F in parse.exe: 0xC0000409: Security check failure or stack buffer overrun (parameters: 0x0000000000000002).',
      '>\tparse.exe!read_token(char * out) Line 30\tC++',
      ' \tparse.exe!main() Line 8\tC++',
      'Unhandled exception at 0x00007FF7B2C11B00 in calc.exe: 0xC0000094: Integer division by zero.',
      '>\tcalc.exe!ratio(int a, int b) Line 4\tC++',
      ' \tcalc.exe!main() Line 11\tC++',
    ].join('\n'));
    expect(two.map((r) => [r.program, r.signal, r.crashKind, r.signatureFrames[0]])).toEqual([
      ['parse.exe', 'SIGABRT', 'stack-buffer-overflow', 'read_token'], ['calc.exe', 'SIGFPE', 'SIGFPE', 'ratio'],
    ]);
  });

  // Class: frame-shaped lines that are no call stack (WinUI/WIL Output window lines, an installer's
  // "setup.exe!Install failed", a quoted "> kernel32.dll!LoadLibraryW(name)" pair).
  it('reads no stack out of frame-shaped lines without the Call Stack window shape or an exception line', () => {
    const wil = 'combase.dll!00007FFD3C3A1B2C: (caller: 00007FFD3C3A0F11) ReturnHr(1) tid(2a4c) 80070005 Access is denied.';
    expect(reportsOf([wil, wil].join('\n'))).toEqual([]);
    expect(reportsOf('setup.exe!Install failed\nmsiexec.exe!Install (retry)\n')).toEqual([]);
    expect(reportsOf('> kernel32.dll!LoadLibraryW(name)\n> kernel32.dll!LoadLibraryW(name)\n')).toEqual([]);
    expect(reportsOf('kernel32.dll!LoadLibraryW(name)\nkernel32.dll!LoadLibraryW(name)\n')).toEqual([]);
    // The window's own copy, without the exception line, is still read (its Line and language columns).
    const copied = only(['>\tviewer.exe!draw(int x) Line 12\tC++', ' \tviewer.exe!main() Line 30\tC++'].join('\n'));
    expect(crashed(copied).frames.map((f) => f.function)).toEqual(['draw', 'main']);
    const bare = only([' \tkernel32.dll!00007ffd3c4e7034()\tUnknown', ' \tntdll.dll!00007ffd3e8a26a1()\tUnknown'].join('\n'));
    expect(crashed(bare).frames.map((f) => f.module)).toEqual(['kernel32.dll', 'ntdll.dll']);
    // Under an exception line a frame must still be a name and its parameters.
    const r = only(['Unhandled exception at 0x00007FF6A1B2C3D4 in viewer.exe: 0xC0000005: Access violation reading location 0x0000000000000010.', 'viewer.exe!draw(int x) Line 12\tC++', 'viewer.exe!Install failed', 'viewer.exe!main() Line 30\tC++'].join('\n'));
    expect(crashed(r).frames.map((f) => f.function)).toEqual(['draw', 'main']);
  });

  // Class: a handled first-chance exception before the unhandled one; the unhandled one wins whole.
  it('forgets the fault address and kind of a first-chance exception an unhandled one replaces', () => {
    const r = only([
      'Exception thrown at 0x00007FF6A1B2C3D4 in viewer.exe: 0xC0000005: Access violation reading location 0x0000000000000010.',
      'Unhandled exception at 0x00007FFD3C1A4F99 in viewer.exe: Microsoft C++ exception: std::runtime_error at memory location 0x000000A1B2CFF6E0.',
      '>\tKernelBase.dll!00007ffd3c1a4f99()\tUnknown',
      ' \tviewer.exe!main() Line 30\tC++',
    ].join('\n'));
    expect([r.signal, r.crashKind, r.faultAddress]).toEqual(['SIGABRT', 'SIGABRT', null]);
    expect(r.signalDescription).toBe('Microsoft C++ exception: std::runtime_error at memory location 0x000000A1B2CFF6E0');
  });

  // Class: a pathological line (a long run of spaces inside a frame-, exception- or check-shaped
  // line): its cost grows with its length, not with its square ("(.*?)\s*$", unanchored "\s{2,}").
  it('reads long lines of spaces in time linear in their length', () => {
    const input = (n: number) => {
      const gap = ' '.repeat(n);
      return [`x.exe!a${gap}b`, `x.exe!f(${gap})`, `x.exe!f()${gap}Line 3${gap}x`, `Unhandled exception at 0x1 in a.exe: x${gap}b`, `Run-Time Check Failure #2 - a${gap}b`,
        'Exception thrown: read access violation.', `p${gap}x`].join('\n');
    };
    expect(() => expectLinearInLength((text) => analyze(text, { rules: null }), input)).not.toThrow();
  }, 300_000);
});
