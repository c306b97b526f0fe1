// macOS .ips crash reports (parse/apple-ips.ts): the JSON header and body, a body pasted without
// its header or its opening brace, and a cut report that leaves the text after it alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';

const text = readFileSync(samplePath('apple-ips-abort.txt'), 'utf8');
const reportsOf = (t: string) => analyze(t, { rules: null }).reports;

describe('apple .ips parser', () => {
  it('reads the body: exception, faulting thread, frames by image, source lines, the assertion', () => {
    const [r, ...more] = reportsOf(text);
    expect(more).toEqual([]);
    expect([r!.format, r!.signal, r!.signalDescription, r!.program]).toEqual(['apple-crash', 'SIGABRT', 'EXC_CRASH', '/Users/USER/*/tiler']);
    expect(r!.abortMessage).toMatch(/^Assertion failed: \(level < levels_\.size\(\)\), function tile_at/);
    const t = r!.threads[r!.crashedThread!]!;
    expect([t.name, t.lwp, t.frames.length]).toEqual(['render', 1200002, 8]);
    expect(t.frames[4]).toMatchObject({ function: 'tiles::Pyramid::tile_at', module: 'tiler', file: 'pyramid.cpp', line: 42 });
    expect(t.frames[6]).toMatchObject({ function: '??', module: 'tiler', moduleOffset: '0x5000', address: '0x100005000' });
    expect(r!.signatureText).toBe('SIGABRT | tiles::Pyramid::tile_at | tiles::Renderer::draw');
  });

  it('reads a body pasted without its header, or from its first key on', () => {
    const lines = text.split('\n');
    const body = lines.slice(lines.findIndex((l) => l === '{')).join('\n');
    expect(reportsOf(body).map((r) => r.signatureText)).toEqual(['SIGABRT | tiles::Pyramid::tile_at | tiles::Renderer::draw']);
    const fromKey = lines.slice(lines.findIndex((l) => l.includes('"uptime"'))).join('\n');
    expect(reportsOf(fromKey).map((r) => r.signatureText)).toEqual(['SIGABRT | tiles::Pyramid::tile_at | tiles::Renderer::draw']);
  });

  it('reads nothing from a cut body, and leaves the text after it to the other parsers', () => {
    const lines = text.split('\n');
    const cut = lines.slice(0, lines.findIndex((l) => l.includes('"threads"'))).join('\n');
    const gdb = 'Program received signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555169 in parse (p=0x0) at p.c:3\n#1  0x00005555555551c2 in main () at p.c:9';
    expect(reportsOf(`${cut}\nand then under gdb:\n${gdb}`).map((r) => [r.format, r.signatureText])).toEqual([['gdb', 'SIGSEGV | parse | main']]);
  });
});
