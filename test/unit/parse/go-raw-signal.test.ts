// Go's runtime reporting a signal it cannot turn into a panic (class: a crash in C code called
// through cgo, or GOTRACEBACK=crash), with Go 1.23's goroutine headers that name the g, m and p.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const dump = (header: string) =>
  analyze([
    'SIGSEGV: segmentation violation',
    'PC=0x7f3a1c2b41d5 m=5 sigcode=1 addr=0x18',
    'signal arrived during cgo execution',
    '',
    header,
    'runtime.cgocall(0x9a2e40, 0xc00062fd30)',
    '\t/usr/local/go/src/runtime/cgocall.go:157 +0x4b fp=0xc00062fd08 sp=0xc00062fcd0 pc=0x40a1ab',
    'example.com/tiles/render._Cfunc_render_tile(0x7f39e4000b70, 0x0)',
    '\t_cgo_gotypes.go:212 +0x4b fp=0xc00062fd30 sp=0xc00062fd08 pc=0x9a1f0b',
    'example.com/tiles/render.(*Renderer).Tile(0xc0001a2000, 0x0)',
    '\t/src/render/render.go:88 +0x65 fp=0xc00062fd90 sp=0xc00062fd30 pc=0x9a2165',
  ].join('\n')).reports;

describe("Go's runtime signal report", () => {
  it('reads the signal, the address and the goroutine under a Go 1.23 header', () => {
    const r = dump('goroutine 34 gp=0xc000583dc0 m=5 mp=0xc000100808 [syscall]:')[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['go', 'SIGSEGV', '0x18']);
    expect(r.signatureFrames[0]).toBe('example.com/tiles/render._Cfunc_render_tile');
    expect(r.threads[0]!.name).toBe('goroutine 34 [syscall]');
  });
  it('and under an older header', () => {
    expect(dump('goroutine 34 [syscall]:')[0]!.signal).toBe('SIGSEGV');
  });
  it('a signal named in prose starts nothing', () => {
    expect(analyze('SIGSEGV: segmentation violation is what the shell said\nno more').reports).toEqual([]);
    expect(analyze('SIGSEGV: segmentation violation\nthen the program restarted').reports.filter((r) => r.format === 'go')).toEqual([]);
  });
});
