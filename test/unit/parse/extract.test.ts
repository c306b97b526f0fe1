// Where one trace ends and the next begins (src/parse/extract.ts), for reports printed back to back
// in one log: each keeps its own frames, none is taken in by the one before.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const read = (text: string) => analyze(text, { rules: null }).reports.map((r) => [r.format, r.signatureFrames[0] ?? null]);

describe('traces back to back', () => {
  it("an indented block's indentation ends at the margin: the report after it keeps its own", () => {
    const coredumpctl = [
      '           PID: 512 (indexer)',
      '        Signal: 11 (SEGV)',
      '                Stack trace of thread 512:',
      '                #0  0x0000555555552468 idx::merge(idx::Run const&) (indexer + 0x1468)',
      '                #1  0x00005555555553a6 main (indexer + 0x13a6)',
    ];
    const faulthandler = [
      'Fatal Python error: Segmentation fault',
      '',
      'Current thread 0x00007f2a9cbfe640 (most recent call first):',
      '  File "/srv/app/ingest.py", line 41 in decode',
      '  File "/srv/app/main.py", line 12 in <module>',
    ];
    expect(read([...coredumpctl, 'Then the service restarted and crashed again:', ...faulthandler].join('\n'))).toEqual([
      ['coredumpctl', 'idx::merge'],
      ['python-faulthandler', 'decode'],
    ]);
    // A Markdown code block (every line indented by 4) is still read without its indentation.
    const block = ['#0  0x00005555555551a9 in parse_row (s=0x0) at rows.c:9', '#1  0x00005555555551f0 in main () at rows.c:20'];
    expect(read(['Program received signal SIGSEGV, Segmentation fault.', ...block].map((l) => `    ${l}`).join('\n'))).toEqual([['gdb', 'parse_row']]);
  });

  it('a second report of the same format starts a second report (two Rust panics in a row)', () => {
    const panic = (fn: string, line: number) => [
      `thread 'worker' panicked at src/shard.rs:${line}:5:`,
      'called `Option::unwrap()` on a `None` value',
      'stack backtrace:',
      '   0: core::option::unwrap_failed',
      `   1: shard::${fn}`,
      `             at ./src/shard.rs:${line}:5`,
      '   2: shard::main',
      'note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.',
    ];
    expect(read([...panic('lookup', 9), '', ...panic('insert', 30)].join('\n'))).toEqual([
      ['rust', 'shard::lookup'],
      ['rust', 'shard::insert'],
    ]);
    // The runtime's own panic right after it (raised in library/core/src/panicking.rs because the
    // first reached an extern "C" boundary) is the same crash: one report, whose log holds its message.
    const followUp = ["thread 'worker' panicked at library/core/src/panicking.rs:221:5:", 'panic in a function that cannot unwind', 'stack backtrace:', '   0: core::panicking::panic_cannot_unwind', '   1: shard_lookup_c', 'thread caused non-unwinding panic. aborting.'];
    const one = analyze([...panic('lookup', 9).slice(0, -1), ...followUp].join('\n')).reports;
    expect(one.map((r) => [r.format, r.signatureFrames[0]])).toEqual([['rust', 'shard::lookup']]);
    expect(one[0]!.diagnoses[0]!.ruleId).toBe('generic/rust-panic-across-ffi');
    // ... but not another thread's panic raised by the runtime (a precondition check): a second crash.
    const other = ["thread 'main' panicked at library/core/src/panicking.rs:220:5:", 'unsafe precondition(s) violated: slice::from_raw_parts', 'stack backtrace:', '   0: core::panicking::panic_nounwind', '   1: shard::main'];
    expect(read([...panic('lookup', 9).slice(0, -1), ...other].join('\n'))).toEqual([
      ['rust', 'shard::lookup'],
      ['rust', 'shard::main'],
    ]);
  });

  it("a Go location line without its tab is read, another report's \"at file:line\" line is not", () => {
    const go = ['panic: runtime error: index out of range [3] with length 3', '', 'goroutine 1 [running]:', 'main.pick(...)'];
    expect(analyze([...go, './pick.go:12', 'main.main()', './pick.go:30 +0x1d'].join('\n'), { rules: null }).reports[0]!.threads[0]!.frames.map((f) => [f.function, f.file, f.line])).toEqual([
      ['main.pick', './pick.go', 12],
      ['main.main', './pick.go', 30],
    ]);
    // ... also when its path holds a space (a Windows user's folder).
    const spaced = analyze([...go, 'C:/Users/John Doe/go/src/app/pick.go:12 +0x22', 'main.main()', 'C:/Users/John Doe/go/src/app/main.go:10 +0x1d'].join('\n'), { rules: null }).reports[0]!;
    expect(spaced.threads[0]!.frames.map((f) => [f.function, f.line])).toEqual([['main.pick', 12], ['main.main', 10]]);
    const gecko = ['Hit MOZ_CRASH(layer released twice) at /src/gfx/layers/Tree.cpp:412', '#01: mozilla::layers::Tree::Find(unsigned long) (/src/gfx/layers/Tree.cpp:412)', '#02: mozilla::layers::Tree::Apply() (/src/gfx/layers/Tree.cpp:287)'];
    expect(read([...go, '\t./pick.go:12', 'exit status 2', ...gecko].join('\n'))).toEqual([
      ['go', 'main.pick'],
      ['mozilla', 'mozilla::layers::Tree::Find'],
    ]);
  });

  // Classes of the fourth red-team round's back-to-back pairs (bench/traces.js, all formats paired).
  const openmpi = [
    '[n3:4411] *** Process received signal ***',
    '[n3:4411] Signal: Segmentation fault (11)',
    '[n3:4411] [ 0] /lib/x86_64-linux-gnu/libc.so.6(+0x42520)[0x7f3b0c842520]',
    '[n3:4411] [ 1] ./solver(_ZN3cfd4Mesh9face_areaEi+0x2c)[0x55d0e3a4f81c]',
    '[n3:4411] [ 2] ./solver(main+0x11)[0x55d0e3a4f900]',
    '[n3:4411] *** End of error message ***',
  ];
  it("a logger's prefix learned from one report ends at a line without it: the next keeps its own '[1] ' frame numbers", () => {
    const godot = [
      'handle_crash: Program crashed with signal 11',
      'Engine version: Godot Engine v4.2.1.stable.official',
      'Dumping the backtrace. Please include this when reporting the bug to the project developer.',
      '[1] /lib/x86_64-linux-gnu/libc.so.6(+0x42520) [0x7f0a1c442520] (??:0)',
      '[2] Node::remove_child(Node*) (scene/main/node.cpp:1450)',
      '[3] Main::iteration() (main/main.cpp:3601)',
      '-- END OF BACKTRACE --',
    ];
    expect(read([...openmpi, 'mpirun noticed that process rank 0 exited on signal 11.', ...godot].join('\n'))).toEqual([
      ['openmpi', 'cfd::Mesh::face_area'],
      ['godot', 'Node::remove_child'],
    ]);
  });
  it("a report behind a logger's prefix ends the report before it (Open MPI's after a gdb session)", () => {
    const gdb = ['Program received signal SIGSEGV, Segmentation fault.', '#0  0x0000555555555131 in app::run (n=0) at app.cc:5', '#1  0x000055555555514f in main () at main.cc:9'];
    expect(read([...gdb, ...openmpi].join('\n'))).toEqual([
      ['gdb', 'app::run'],
      ['openmpi', 'cfd::Mesh::face_area'],
    ]);
  });
  it("a crash handler's dump tolerates its own key: value lines after its frames, and ends at another report's start", () => {
    const matlab = [
      '       Segmentation violation detected at 2024-03-05 14:02:11 +0100',
      'Stack Trace (from fault):',
      '[  0] 0x00007f0a3c2161a5 /home/lab/mex/grid.mexa64+00008613 _ZN4grid6Interp6sampleEPKdm+00000053',
      '[  1] 0x00007f0b9d436d4f /opt/MATLAB/bin/glnxa64/libmex.so+00855375 mexRunMexFile+00000100',
      'This error was detected while a MEX-file was running.',
    ];
    const go = ['panic: runtime error: index out of range [5] with length 3', '', 'goroutine 1 [running]:', 'main.fill(...)', '\t/src/app/main.go:12 +0x1d', 'main.main()', '\t/src/app/main.go:20 +0x25'];
    expect(read([...matlab, ...go].join('\n'))).toEqual([
      ['matlab', 'grid::Interp::sample'],
      ['go', 'main.fill'],
    ]);
  });
  it("a Go trace does not take a line that is no Go call ('[host:pid:0] Caught signal 11 (...)' after it)", () => {
    const go = ['panic: boom', '', 'goroutine 1 [running]:', 'main.main()', '\t/src/app/main.go:20 +0x25', 'exit status 2'];
    const ucx = ['[hpc-n3:30511:0] Caught signal 11 (Segmentation fault: address not mapped to object at address (nil))', '==== backtrace ====', ' 0  ./lbm(_ZN3lbm7Lattice6streamEv+0x5a) [0x41b2ca]', ' 1  ./lbm(main+0x2b1) [0x4096f1]', '==================='];
    expect(read([...go, ...ucx].join('\n')).map((r) => r[0])).toEqual(['go', 'ucx']);
  });

  // Review findings (each lost a trace, a frame or a signal).
  it("a logger's 'Caught signal 11 (...)' behind a compose prefix is no UCX report: its backtrace_symbols frames stay one trace", () => {
    const lines = [
      '[2024-05-01 12:00:00.311] [error] Caught signal 11 (Segmentation fault), backtrace:',
      './tileserver(_ZN4crash7handlerEi+0x3a)[0x55d1a2b3c41a]',
      '/lib/x86_64-linux-gnu/libc.so.6(+0x42520)[0x7f0a2c242520]',
      './tileserver(_ZN5tiles5Cache5evictEm+0x61)[0x55d1a2b4e1b1]',
      './tileserver(main+0x2c4)[0x55d1a2b2f9f4]',
    ].map((l) => `api-1  | ${l}`);
    const reports = analyze(lines.join('\n'), { rules: null }).reports;
    expect(reports.map((r) => [r.format, r.threads[0]?.frames.length])).toEqual([['backtrace_symbols', 4]]);
  });
  it("the lines before a trace lose the logger's prefix it was learned from: a handler's signal line above it is read", () => {
    const dump = ['*** Segmentation fault', 'Backtrace:', './bin/pxconv(_ZN2px7Decoder4readEv+0x2a)[0x5621a3e0c12a]', './bin/pxconv(main+0x51)[0x5621a3e0b3c1]', '/lib/x86_64-linux-gnu/libc.so.6(__libc_start_main+0xf3)[0x7f1b4c1d10b3]'];
    const prefixed = (l: string) => `api-1  | ${l}`;
    const text = [...dump.map(prefixed), 'api-1 exited with code 139', 'worker-1  | restarting', ...dump.map(prefixed)].join('\n');
    const reports = analyze(text, { rules: null }).reports;
    expect(reports.map((r) => r.signal)).toEqual(['SIGSEGV', 'SIGSEGV']);
  });
  it('a Go frame of a module whose path starts with a digit is read', () => {
    const go = ['panic: runtime error: invalid memory address or nil pointer dereference', '', 'goroutine 1 [running]:', '9fans.net/go/acme.(*Win).ReadAll(0x0)', '\t/go/pkg/mod/9fans.net/go/acme/acme.go:312 +0x1c', 'main.main()', '\t/src/app/main.go:20 +0x25'];
    expect(read(go.join('\n'))).toEqual([['go', '9fans.net/go/acme.(*Win).ReadAll']]);
  });
  it('a Visual Studio stack whose crashing frame is in a module of another extension (.pyd, .sys) keeps it', () => {
    const vs = ['>\t_native.cp311-win_amd64.pyd!crash_here(int * p) Line 12\tC++', '\tpython311.dll!_PyEval_EvalFrameDefault(_ts * tstate) Line 4780\tC', '\tpython311.dll!PyEval_EvalCode(_object * co) Line 1148\tC'];
    expect(analyze(vs.join('\n'), { rules: null }).reports.map((r) => r.threads[0]!.frames[0]!.function)).toEqual(['crash_here']);
    const driver = ['>\tmydrv.sys!DispatchIoctl(_DEVICE_OBJECT * dev, _IRP * irp) Line 88\tC', '\tmydrv.sys!DriverDispatch(_DEVICE_OBJECT * dev) Line 40\tC'];
    expect(read(driver.join('\n'))).toEqual([['visual-studio', 'DispatchIoctl']]);
  });
});


describe('a paste indented as a code block', () => {
  it('reads a crash handler\'s tagged lines ("==PID== 3 prog(f+0x3c) [0x...]") under the indentation', () => {
    const handler = [
      '==4410== myd 1.2 crashed by Signal 11',
      '==4410==',
      '==4410== STACK TRACE:',
      '==4410==',
      '==4410== 0 myd(on_sigsegv+0x168) [0x408408]',
      '==4410== 1 /lib/x86_64-linux-gnu/libc.so.6(+0x42520) [0x7f07c3c42520]',
      '==4410== 2 myd(parse_field+0x3c) [0x40761c]',
      '==4410== 3 myd(main+0xbcf) [0x40602f]',
    ];
    const plain = analyze(handler.join('\n'), { rules: null }).reports;
    const indented = analyze(handler.map((l) => '    ' + l).join('\n'), { rules: null }).reports;
    expect(plain.length).toBe(1);
    expect(indented.map((r) => r.signatureText)).toEqual(plain.map((r) => r.signatureText));
    expect(indented[0]!.signatureFrames[0]).toBe('parse_field');
  });

  it('reads a program\'s indented last words as its notice (a Rust allocation failure and the shell\'s abort)', () => {
    const words = ['$ ./indexer --depth 0', 'memory allocation of 18446744073709551600 bytes failed', '[1]    40311 abort (core dumped)  ./indexer --depth 0'];
    for (const indent of ['', '    ', '\t']) {
      const [r] = analyze(words.map((l) => indent + l).join('\n'), { rules: null }).reports;
      expect(r?.signal, JSON.stringify(indent)).toBe('SIGABRT');
      expect(r?.abortMessage).toMatch(/^memory allocation of \d+ bytes failed$/);
    }
  });
});
