// HPC runtimes' own signal reports (class: an MPI library's or a Fortran runtime's handler prints the
// stack of the rank that died, with no debugger): Open MPI's "*** Process received signal ***" with
// backtrace_symbols_fd frames, UCX's "Caught signal" with "==== backtrace ====", gfortran's
// "Backtrace for this error:", Intel Fortran's "forrtl: severe (174)" table. Names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe("Open MPI's signal report", () => {
  it('reads the signal, the fault address and the frames under the trampoline, behind the host:pid prefix', () => {
    const r = analyze([
      '[c12:4401] *** Process received signal ***',
      '[c12:4401] Signal: Segmentation fault (11)',
      '[c12:4401] Signal code: Address not mapped (1)',
      '[c12:4401] Failing at address: 0x28',
      '[c12:4401] [ 0] /lib64/libpthread.so.0(+0xf630)[0x2b1f4c2a1630]',
      '[c12:4401] [ 1] ./md(_ZN2md9NeighList5buildEv+0x91)[0x4a1c31]',
      '[c12:4402] *** Process received signal ***',
      '[c12:4401] [ 2] ./md(main+0x3e)[0x40a11e]',
      '[c12:4401] *** End of error message ***',
    ].join('\n')).reports;
    expect(r[0]!.format).toBe('openmpi');
    expect([r[0]!.signal, r[0]!.faultAddress]).toEqual(['SIGSEGV', '0x28']);
    expect(r[0]!.signatureFrames.slice(0, 2)).toEqual(['md::NeighList::build', 'main']);
    expect(r[0]!.diagnoses[0]!.category).toBe('null-deref');
  });
  it("behind mpirun --tag-output's \"[1,0]<stderr>:\" too", () => {
    const r = analyze(['[1,3]<stderr>:[c12:4401] *** Process received signal ***', '[1,3]<stderr>:[c12:4401] Signal: Aborted (6)', '[1,3]<stderr>:[c12:4401] [ 0] /lib64/libc.so.6(+0x3c050)[0x7f1]', '[1,3]<stderr>:[c12:4401] [ 1] ./md(check_box+0x10)[0x401]', '[1,3]<stderr>:[c12:4401] *** End of error message ***'].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.signatureFrames[0]]).toEqual(['openmpi', 'SIGABRT', 'check_box']);
  });
  it('"(nil)" is address 0', () => {
    const r = analyze(['*** Process received signal ***', 'Signal: Bus error (7)', 'Failing at address: (nil)', '[ 0] /lib/libc.so.6(+0x3c050)[0x7f1]', '[ 1] ./io(read_block+0x10)[0x401]', '*** End of error message ***'].join('\n')).reports[0]!;
    expect([r.signal, r.faultAddress, r.signatureFrames[0]]).toEqual(['SIGBUS', '0x0', 'read_block']);
  });
});

describe("UCX's signal report", () => {
  it('reads "Caught signal" and the numbered frames, the __sigaction trampoline skipped', () => {
    const r = analyze([
      '[node3:9120:0:9131] Caught signal 11 (Segmentation fault: invalid permissions for mapped object at address 0x7f2a00001000)',
      '==== backtrace (tid:   9131) ====',
      ' 0 0x0000000000012cf0 __sigaction()  ???:0',
      ' 1 0x0000000000004a12 pack_faces()  /src/comm/pack.c:77',
      ' 2 0x0000000000003b90 exchange()  /src/comm/exchange.c:40',
      '=================================',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['ucx', 'SIGSEGV', '0x7f2a00001000']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['pack_faces', 'exchange']);
    expect(r.threads[0]!.frames.find((f) => f.function === 'pack_faces')!.line).toBe(77);
  });
});

describe("gfortran's backtrace", () => {
  it('reads both frame shapes and blames the first named procedure', () => {
    const r = analyze([
      'Program received signal SIGFPE: Floating-point exception - erroneous arithmetic operation.',
      '',
      'Backtrace for this error:',
      '#0  0x7f11c0823960 in ???',
      '#1  0x7f11c0442520 in ???',
      '#2  0x401b3d in __kinetics_MOD_rate_constant',
      '\tat /w/src/kinetics.f90:88',
      '#3  0x4018a2 in __solver_MOD_advance at solver.f90:?',
      '#4  0x401030 in main',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal]).toEqual(['gfortran', 'SIGFPE']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['__kinetics_MOD_rate_constant', '__solver_MOD_advance']);
    expect(r.threads[0]!.frames[2]!.file).toBe('/w/src/kinetics.f90');
  });
  it("gdb's own line (a comma, not a colon) is gdb's", () => {
    const r = analyze(['Program received signal SIGSEGV, Segmentation fault.', '0x0000555555555131 in f () at a.c:3', '3\t  *p = 1;', '(gdb) bt', '#0  0x0000555555555131 in f () at a.c:3', '#1  0x0000555555555150 in main () at a.c:7'].join('\n')).reports[0]!;
    expect(r.format).toBe('gdb');
  });
});

describe("Intel Fortran's traceback", () => {
  it('reads the table, skips the runtime handler and the trampoline', () => {
    const r = analyze([
      'forrtl: severe (174): SIGSEGV, segmentation fault occurred',
      'Image              PC                Routine            Line        Source',
      'ocean              0000000000C1A2B4  for__signal_handl     Unknown  Unknown',
      'libc.so.6          00007F3A1C842520  Unknown               Unknown  Unknown',
      'ocean              00000000004A7E10  mixing_mp_kpp_vis         412  mixing.F90',
      'ocean              0000000000409C11  MAIN__                     77  main.F90',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal]).toEqual(['forrtl', 'SIGSEGV']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['mixing_mp_kpp_vis', 'MAIN__']);
  });
});
