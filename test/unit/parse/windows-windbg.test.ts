// WinDbg's and cdb's stacks (parse/windbg.ts): the k family with and without frame numbers and
// arguments, 32-bit targets, kP's parameter lines, ~*k's thread headers, the exception event, and
// !analyze -v's exception record and STACK_TEXT.
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
const sample = (name: string) => readFileSync(samplePath(name), 'utf8');

const KN = [
  '(51c0.4a1c): Access violation - code c0000005 (!!! second chance !!!)',
  'geo!geo::Polygon::area+0x1f:',
  '00007ff7`8a1b2c3f f20f104110      movsd   xmm0,mmword ptr [rcx+10h] ds:00000000`00000010=????????????????',
  '0:000> kn',
  ' # Child-SP          RetAddr               Call Site',
  '00 0000002e`5b8ff3a0 00007ff7`8a1b3d10     geo!geo::Polygon::area+0x1f [c:\\src\\geo\\polygon.cpp @ 88]',
  '01 (Inline Function) --------`--------     geo!geo::Layer::total_area+0x12 [c:\\src\\geo\\layer.h @ 30]',
  '02 0000002e`5b8ff3e0 00007ff7`8a1b4a21     geo!report::summarize+0x80 [c:\\src\\report\\summary.cpp @ 51]',
  '03 0000002e`5b8ff440 00007ffd`3c4e7034     geo!main+0x71 [c:\\src\\main.cpp @ 17]',
  '04 0000002e`5b8ff4b0 00007ffd`3d0a26a1     KERNEL32!BaseThreadInitThunk+0x14',
  '05 0000002e`5b8ff4e0 00000000`00000000     ntdll!RtlUserThreadStart+0x21',
];

function expectKn(r: ReturnType<typeof only>): void {
  expect(r.format).toBe('windbg');
  expect([r.signal, r.faultAddress, r.signalDescription]).toEqual(['SIGSEGV', '0x10', 'EXCEPTION_ACCESS_VIOLATION']);
  expect(crashed(r).frames.map((f) => [f.function, f.module, f.file, f.line, f.inlined])).toEqual([
    ['geo::Polygon::area', 'geo', 'c:\\src\\geo\\polygon.cpp', 88, false],
    ['geo::Layer::total_area', 'geo', 'c:\\src\\geo\\layer.h', 30, true],
    ['report::summarize', 'geo', 'c:\\src\\report\\summary.cpp', 51, false],
    ['main', 'geo', 'c:\\src\\main.cpp', 17, false],
    // Windows' own DLLs by their file name, as Visual Studio names them.
    ['BaseThreadInitThunk', 'KERNEL32.dll', null, null, false],
    ['RtlUserThreadStart', 'ntdll.dll', null, null, false],
  ]);
  expect(r.signatureFrames).toEqual(['geo::Polygon::area', 'geo::Layer::total_area', 'report::summarize']);
  expect(r.unreadableFrames).toBeUndefined();
}

describe('WinDbg and cdb stacks', () => {
  it('reads the exception event, its faulting operand and kn with source locations and inline frames', () => {
    expectKn(only(KN.join('\n')));
  });

  it.each([
    ['CRLF line endings', (l: string) => `${l}\r`],
    ['quoted in an issue', (l: string) => `> ${l}`],
    ['indented as a code block', (l: string) => `    ${l}`],
    ['CI timestamps', (l: string) => `2026-03-02T10:11:12.1234567Z ${l}`],
  ])('reads the same session %s', (_name, noise) => {
    expectKn(only(KN.map(noise).join('\n')));
  });

  it('reads the cdb sample: a null member read, null-deref on top', () => {
    const r = only(sample('windbg-cdb-access-violation.txt'), true);
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x8']);
    expect(r.signatureFrames[0]).toBe('osm::WayIndex::lookup');
    // The CRT's entry, kernel32's and ntdll's thread start are skipped.
    expect(r.skippedFrames).toEqual([4, 5, 6, 7]);
    expect(r.diagnoses[0]?.category).toBe('null-deref');
  });

  it("reads ~*kb: every thread, kb's argument columns, the '#' thread that raised the exception, the fast fail's subcode", () => {
    const r = only(sample('windbg-threads-fast-fail.txt'), true);
    expect(r.threads.map((t) => [t.id, t.name, t.lwp, t.frames.length])).toEqual([['0', 'main', 0x2a48, 6], ['3', 'ingest-2', 0x1f7c, 7], ['4', null, 0x2c90, 4]]);
    expect([crashed(r).id, r.crashedThreadReason]).toEqual(['3', 'received-signal']);
    expect([r.signal, r.crashKind, r.signalDescription]).toEqual(['SIGABRT', 'SIGABRT', 'STATUS_STACK_BUFFER_OVERRUN (fast fail 7, FAST_FAIL_FATAL_APP_EXIT)']);
    // ucrtbase's abort is machinery once WinDbg's "ucrtbase" is named ucrtbase.dll.
    expect(crashed(r).frames[0]).toMatchObject({ function: 'abort', module: 'ucrtbase.dll' });
    expect(r.signatureFrames[0]).toBe('ingest::Batch::commit');
    expect(r.diagnoses[0]?.ruleId).toBe('generic/abort');
  });

  it("does not take the debugger's break-in thread for the crashed one", () => {
    const text = sample('windbg-threads-fast-fail.txt').split('\n').filter((l) => !/^\(3b10|^Subcode|^ucrtbase!abort|^00007ffd`3ab4c7b9/.test(l)).join('\n').replace('#  3  Id:', '   3  Id:');
    const r = only(text);
    expect(r.threads.map((t) => t.id)).toEqual(['0', '3', '4']);
    expect(crashed(r).id).not.toBe('4');
  });

  it('reads !analyze -v: the exception record, PROCESS_NAME, STACK_TEXT; a heap corruption is its own crash kind', () => {
    const r = only(sample('windbg-analyze-heap-corruption.txt'), true);
    expect([r.signal, r.crashKind, r.program]).toEqual(['SIGABRT', 'heap-corruption', 'mixer-host.exe']);
    const frames = crashed(r).frames;
    expect(frames).toHaveLength(13);
    expect(frames[10]).toMatchObject({ function: '??', module: 'mixer_host', moduleOffset: '0x11a8' });
    expect(r.signatureFrames).toEqual(['audio::Voice::release', 'audio::Bus::drop_voice', 'audio::Engine::tick']);
    expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/reported-heap-corruption', category: 'heap-corruption' });
    // The report ends with !analyze's closing line, not at the end of the paste.
    expect(r.source.endLine).toBe(75);
  });

  it("reads !analyze's access violation: the attempted address, the /GS subcode of a fast fail", () => {
    const av = only([
      'EXCEPTION_RECORD:  (.exr -1)',
      'ExceptionAddress: 00007ff71c2a10f4 (store!kv::Table::get+0x0000000000000024)',
      '   ExceptionCode: c0000005 (Access violation)',
      '  ExceptionFlags: 00000000',
      'NumberParameters: 2',
      '   Parameter[0]: 0000000000000001',
      '   Parameter[1]: 0000000000000028',
      'Attempt to write to address 0000000000000028',
      '',
      'PROCESS_NAME:  store.exe',
      '',
      'STACK_TEXT:  ',
      '000000b7`1e6ff7a0 00007ff7`1c2a2210     : 00000000`00000000 00000000`00000028 00000000`00000000 00000000`00000000 : store!kv::Table::get+0x24',
      '000000b7`1e6ff7f0 00007ff7`1c2a31a0     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : store!kv::Server::serve+0x60',
      '',
      'SYMBOL_NAME:  store!kv::Table::get+24',
    ].join('\n'), true);
    expect([av.signal, av.faultAddress, av.signalDescription, av.program]).toEqual(['SIGSEGV', '0x28', 'EXCEPTION_ACCESS_VIOLATION_WRITE', 'store.exe']);
    expect(av.diagnoses[0]?.category).toBe('null-deref');
    const gs = only(['   ExceptionCode: c0000409 (Security check failure or stack buffer overrun)', '   Parameter[0]: 0000000000000002',
      'STACK_TEXT:  ', '00000071`a8cff5c8 00007ff6`4d2e1b3a     : store!parse_header+0x9a', '00000071`a8cff600 00007ff6`4d2e1f00     : store!main+0x40'].join('\n'));
    expect([gs.signal, gs.crashKind]).toEqual(['SIGABRT', 'stack-buffer-overflow']);
  });

  it("reads 32-bit kb (three arguments, no colons), kp's parameters and kP's parameter lines", () => {
    const x86 = only([
      'ChildEBP RetAddr  Args to Child',
      '0019f8c4 00401234 00000000 00000010 0019f8e0 legacy!Parser::feed+0x14 [c:\\src\\parser.cpp @ 40]',
      '0019f8e8 00401567 0019f900 00000001 00000000 legacy!main+0x37',
      '0019f930 7c817077 00000001 00332f88 00333018 kernel32!BaseProcessStart+0x23',
    ].join('\n'));
    expect(crashed(x86).frames.map((f) => [f.function, f.module, f.line])).toEqual([['Parser::feed', 'legacy', 40], ['main', 'legacy', null], ['BaseProcessStart', 'kernel32.dll', null]]);
    const kp = only([
      ' # Child-SP          RetAddr               Call Site',
      '00 0000009a`1b2fe8c0 00007ffa`1b2c4100     render_core!scene::Mesh::upload(class scene::Buffer * buf = 0x00000000`00000000)+0x2a [c:\\src\\mesh.cpp @ 118]',
      '01 0000009a`1b2fe900 00007ffa`1b2c5200     render_core!scene::Scene::draw(',
      '\t\t\tclass scene::Camera * cam = 0x0000009a`1b2fea10, ',
      '\t\t\tint pass = 0n2)+0x61 [c:\\src\\scene.cpp @ 201]',
      '02 0000009a`1b2fe960 00007ffd`3c4e7034     viewer!main(void)+0x33 [c:\\src\\main.cpp @ 31]',
    ].join('\n'));
    expect(crashed(kp).frames.map((f) => [f.function, f.file, f.line])).toEqual([
      ['scene::Mesh::upload', 'c:\\src\\mesh.cpp', 118], ['scene::Scene::draw', 'c:\\src\\scene.cpp', 201], ['main', 'c:\\src\\main.cpp', 31],
    ]);
  });

  it("reads kc's call sites alone and kv's notes after a 32-bit frame", () => {
    const kc = only([' # Call Site', '00 render_core!scene::Mesh::upload [c:\\src\\mesh.cpp @ 118]', '01 render_core!scene::Scene::draw', '02 viewer+0x1a2b', '03 KERNEL32!BaseThreadInitThunk'].join('\n'));
    expect(crashed(kc).frames.map((f) => [f.function, f.module, f.line])).toEqual([['scene::Mesh::upload', 'render_core', 118], ['scene::Scene::draw', 'render_core', null], ['??', 'viewer', null], ['BaseThreadInitThunk', 'KERNEL32.dll', null]]);
    const kv = only([
      'ChildEBP RetAddr  Args to Child',
      '0019f8c4 00401234 00000000 00000010 0019f8e0 legacy!Parser::feed+0x14 (FPO: [Non-Fpo]) (CONV: thiscall) [c:\\src\\parser.cpp @ 40]',
      '0019f8e8 00401567 0019f900 00000001 00000000 legacy!main+0x37 (FPO: [2,0,4])',
    ].join('\n'));
    expect(crashed(kv).frames.map((f) => [f.function, f.file, f.line])).toEqual([['Parser::feed', 'c:\\src\\parser.cpp', 40], ['main', null, null]]);
  });

  it('reports a frame line it cannot read instead of dropping it, and reads frames without symbols', () => {
    const r = only([
      'Child-SP          RetAddr               Call Site',
      '00000098`7b2ff5a8 00007ff6`1a2b1045     viewer+0x1a2b',
      '00000098`7b2ff5e0 00007ff6`1a2b2000     ',
      '00000098`7b2ff620 00007ffd`3c4e7034     0x00007ff6`1a2b3c4d',
      '00000098`7b2ff660 00000000`00000000     viewer!main+0x10',
    ].join('\n'));
    expect(crashed(r).frames.map((f) => [f.function, f.module, f.moduleOffset ?? null, f.address])).toEqual([
      ['??', 'viewer', '0x1a2b', null], ['??', null, null, '0x7ff61a2b3c4d'], ['main', 'viewer', null, null],
    ]);
    expect(r.unreadableFrames?.map((u) => u.line)).toEqual([3]);
  });

  it("takes the k typed after !analyze's STACK_TEXT as that stack (fuller), in the same report; a k after that is another", () => {
    const analyzeThenK = [
      '   ExceptionCode: c0000005 (Access violation)',
      'Attempt to read from address 0000000000000000',
      'STACK_TEXT:  ',
      '002df7e4 00fd1423 00fd1078 00fd1078 7f956000 calc!crash+0x1e',
      '002df8b8 00fd1969 00000001 00a81a80 00a81ac8 calc!wmain+0x23',
      '',
      'FAILURE_BUCKET_ID:  NULL_POINTER_READ_c0000005_calc.exe!crash',
      'Followup: MachineOwner',
      '---------',
      '',
      '0:000> k',
      'ChildEBP RetAddr',
      '002df7e4 00fd1423 calc!crash+0x1e',
      '002df7e4 00fd1433 calc!parse_term+0x1f',
      '002df7e4 00fd1443 calc!parse_expr+0x1c',
      '002df8b8 00fd1969 calc!wmain+0x23',
    ];
    const one = reportsOf(analyzeThenK.join('\n'));
    expect(one.map((r) => [r.signal, r.faultAddress, r.signatureFrames])).toEqual([['SIGSEGV', '0x0', ['crash', 'parse_term', 'parse_expr']]]);
    const two = reportsOf([...analyzeThenK, '', '0:000> k', 'ChildEBP RetAddr', '002df7e4 00fd1423 calc!crash+0x1e'].join('\n'));
    expect(two.map((r) => crashed(r).frames.length)).toEqual([4, 1]);
  });

  it('keeps a k after a finished stack, and a report after the stack, apart', () => {
    const two = reportsOf([...KN.slice(4), '0:000> k', ...KN.slice(4, 6), 'Segmentation fault (core dumped)'].join('\n'));
    expect(two.map((r) => [r.format, crashed(r).frames.length])).toEqual([['windbg', 6], ['windbg', 1]]);
  });

  // Class: a document's "Call Site" heading (reStructuredText's underline) and prose with '!' in words.
  it('starts no kc stack at a "Call Site" heading, and reads no prose word with a "!" as a call site', () => {
    const rst = ['Call Site', '=========', '', 'The call site is where a function is invoked.', '', '**Note!** the cost of a call depends on its target.', 'Wow!This is great', 'viewer!main'].join('\n');
    expect(reportsOf(rst)).toEqual([]);
    // The k column header with its frame-number column, then prose: no frame out of the prose.
    expect(reportsOf([' # Call Site', 'Wow!This is great', '**Note!** the cost'].join('\n'))).toEqual([]);
    // A bare "Call Site" followed directly by call sites is kc's header.
    const kc = only(['Call Site', 'ntdll!NtWaitForSingleObject+0x14', 'viewer!main+0x33 [c:\\src\\main.cpp @ 31]', 'KERNEL32!BaseThreadInitThunk+0x14'].join('\n'));
    expect(crashed(kc).frames.map((f) => f.function)).toEqual(['NtWaitForSingleObject', 'main', 'BaseThreadInitThunk']);
    const templ = only([' # Call Site', '00 geo!std::vector<int,std::allocator<int> >::push_back+0x1a', '01 geo!main+0x10'].join('\n'));
    expect(crashed(templ).frames.map((f) => f.function)).toEqual(['std::vector<>::push_back', 'main']);
  });

  // Class: cdb's log of a live session, where first-chance events (the initial breakpoint, a C++
  // throw) come before the second-chance crash.
  it('lets the second-chance event replace first-chance ones: code, description and fault address', () => {
    const r = only([
      '(1a2c.3b4c): Break instruction exception - code 80000003 (first chance)',
      '(1a2c.3b4c): C++ EH exception - code e06d7363 (first chance)',
      '(1a2c.3b4c): Access violation - code c0000005 (!!! second chance !!!)',
      ...KN.slice(3),
    ].join('\n'));
    expect([r.signal, r.signalDescription]).toEqual(['SIGSEGV', 'EXCEPTION_ACCESS_VIOLATION']);
    const afterSecond = only(['(1a2c.3b4c): Access violation - code c0000005 (!!! second chance !!!)', '(1a2c.3b4c): Break instruction exception - code 80000003 (first chance)', ...KN.slice(3)].join('\n'));
    expect(afterSecond.signal).toBe('SIGSEGV');
  });

  // Class: ~*k over tens of thousands of threads: linear in their number (a scan of the threads read
  // per line made it quadratic). Four times the threads may cost at most eight times as long.
  it('reads ~*k of many threads in time linear in their number', () => {
    const input = (n: number) => {
      const parts: string[] = [];
      for (let t = 0; t < n; t++) {
        parts.push(`  ${t}  Id: 1a2c.${(0x1000 + t).toString(16)} Suspend: 1 Teb: 00000098\`7b0c1000 Unfrozen`, ' # Child-SP          RetAddr               Call Site',
          `00 00000098\`7b2ff5a8 00007ff6\`1a2b1045     ntdll!NtWaitForSingleObject+0x14`, `01 00000098\`7b2ff5e0 00007ff6\`1a2b2000     viewer!worker_${t % 50}+0x2a`);
      }
      return parts.join('\n');
    };
    const cpu = (n: number) => {
      let ms = Infinity;
      for (let i = 0; i < 2; i++) {
        const start = process.cpuUsage();
        const r = analyze(input(n), { rules: null });
        const used = process.cpuUsage(start);
        ms = Math.min(ms, (used.user + used.system) / 1000);
        expect(r.reports[0]?.threads).toHaveLength(n);
      }
      return ms;
    };
    cpu(2_000); // warm-up
    const small = cpu(10_000);
    const large = cpu(40_000);
    expect(large / small, `${small.toFixed(0)} ms vs ${large.toFixed(0)} ms`).toBeLessThan(8);
  }, 120_000);

  // Class: a pathological line (a long run of spaces inside a frame, a field, a record line): its
  // cost grows with its length, not its square ("(.*?)\s*$", "^(.*?)\s+\[", an unanchored "\s+").
  it('reads lines with long runs of spaces in time linear in their length', () => {
    const input = (n: number) => {
      const gap = ' '.repeat(n);
      return ['(1a2c.3b4c): Access violation - code c0000005 (!!! second chance !!!)', `PROCESS_NAME:  a${gap}b`, `ExceptionCode: c0000005${gap}b`,
        ' # Child-SP          RetAddr               Call Site', `00 00000098\`7b2ff5a8 00007ff6\`1a2b1045     viewer!main+0x10${gap}x`,
        `01 00000098\`7b2ff5e0 00007ff6\`1a2b2000     viewer!f+0x1${gap}(FPO: x)`, ' # Call Site', `00 viewer!f${gap}x`].join('\n');
    };
    expect(() => expectLinearInLength((text) => analyze(text, { rules: null }), input)).not.toThrow();
  }, 300_000);
});
