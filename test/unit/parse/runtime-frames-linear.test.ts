// The frame lines of the runtimes' own reports (Zig, WebAssembly in V8, .NET, Swift, Wine,
// compute-sanitizer) cost time linear in a line's length (class: a lazy group before an optional
// tail or a last parenthesized group backtracks quadratically on a long line of repeated separators).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { expectLinearInLength } from './feed.js';

const inputs: Record<string, (n: number) => string> = {
  zig: (n) => 'Segmentation fault at address 0x0\n/a.zig:1:1: 0x1 in ' + 'f ('.repeat(Math.floor(n / 3)) + '\n',
  wasm: (n) => 'RuntimeError: unreachable\n    at ' + 'a ('.repeat(Math.floor(n / 3)) + '\n',
  dotnet: (n) => 'Stack overflow.\n   at ' + 'a in '.repeat(Math.floor(n / 5)) + ':line x\n',
  swift: (n) => '*** Program crashed: Bad pointer dereference at 0x0 ***\nThread 0 crashed:\n0 0x1 ' + 'x'.repeat(n) + ' in ' + 'y'.repeat(n) + ' z\n',
  wine: (n) => 'Unhandled exception: page fault on read access to 0x00000000 in 32-bit code (0x1).\nBacktrace:\n=>0 0x1 f+0x1() in ' + 'a '.repeat(Math.floor(n / 2)) + 'x\n',
  'compute-sanitizer': (n) => '========= Invalid __global__ read ' + 'x '.repeat(Math.floor(n / 2)) + 'y\n',
};

describe('runtime reports: frame lines in linear time', () => {
  it.each(Object.keys(inputs))('%s', (name) => {
    expect(() => expectLinearInLength((text) => analyze(text, { rules: null }), inputs[name]!)).not.toThrow();
  });
});
