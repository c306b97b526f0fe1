// The symbolizers' outputs as coredx reads them, and which symbolizer is taken.

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSymbolizer, parseAddr2line, parseLlvm } from '../../../src/symbolize/tools.js';
import { tempDir } from '../../support/tmp.js';

describe('llvm-symbolizer output', () => {
  it('reads inlined calls innermost first, and knows an unknown address', () => {
    const out = ['read_value', '/src/inlined.c:2:87', 'scaled', '/src/inlined.c:3:80', 'compute', '/src/inlined.c:4:62', '', '??', '??:0:0', '', 'main', '/src/m.c:9:0', '', ''].join('\n');
    const r = parseLlvm(out, 3);
    expect(r[0]).toEqual([
      { function: 'read_value', file: '/src/inlined.c', line: 2, column: 87 },
      { function: 'scaled', file: '/src/inlined.c', line: 3, column: 80 },
      { function: 'compute', file: '/src/inlined.c', line: 4, column: 62 },
    ]);
    expect(r[1]).toBeNull();
    expect(r[2]).toEqual([{ function: 'main', file: '/src/m.c', line: 9, column: null }]);
  });

  it('drops a versioned symbol\'s version', () => {
    expect(parseLlvm('__libc_start_main@GLIBC_2.2.5\n./csu/../csu/libc-start.c:360:3\n\nmemcpy@@GLIBC_2.14\n??:0:0\n\n', 2).map((r) => r![0]!.function)).toEqual(['__libc_start_main', 'memcpy']);
  });

  it('keeps a function without a source line (symbol table only)', () => {
    expect(parseLlvm('_start\n??:0:0\n\n', 1)[0]).toEqual([{ function: '_start', file: null, line: null, column: null }]);
  });
});

describe('addr2line and eu-addr2line output (-f -i -C -a)', () => {
  it('splits at the address lines; binutils prints file:line, with a discriminator', () => {
    const out = ['0x0000000000001160', 'read_value', '/src/inlined.c:2', 'compute', '/src/inlined.c:4 (discriminator 1)', '0x0000000000099999', '??', '??:0', ''].join('\n');
    expect(parseAddr2line(out, 2)).toEqual([
      [
        { function: 'read_value', file: '/src/inlined.c', line: 2, column: null },
        { function: 'compute', file: '/src/inlined.c', line: 4, column: null },
      ],
      null,
    ]);
  });

  it("drops eu-addr2line's 'inlined at' note after the innermost name", () => {
    const out = ['0x0000000000001160', 'read_value inlined at /src/inlined.c:3:80 in compute', '/src/inlined.c:2:87', 'scaled', '/src/inlined.c:3:80', ''].join('\n');
    expect(parseAddr2line(out, 1)[0]!.map((f) => f.function)).toEqual(['read_value', 'scaled']);
  });

  it('answers null for addresses it printed nothing for', () => {
    expect(parseAddr2line('', 2)).toEqual([null, null]);
  });
});

describe('findSymbolizer', () => {
  const dir = tempDir('symbolizer-path');
  const tool = (folder: string, name: string) => {
    mkdirSync(join(dir, folder), { recursive: true });
    writeFileSync(join(dir, folder, name), '#!/bin/sh\n');
    chmodSync(join(dir, folder, name), 0o755);
    return join(dir, folder);
  };

  it('prefers llvm-symbolizer, then eu-addr2line, then addr2line', () => {
    const a = tool('a', 'addr2line');
    const e = tool('e', 'eu-addr2line');
    const l = tool('l', 'llvm-symbolizer');
    expect(findSymbolizer([a, e, l].join(':'))?.name).toBe('llvm-symbolizer');
    expect(findSymbolizer([a, e].join(':'))?.name).toBe('eu-addr2line');
    expect(findSymbolizer(a)).toEqual({ name: 'addr2line', path: join(a, 'addr2line') });
  });

  it("takes Debian's newest versioned llvm-symbolizer-N", () => {
    const v = tool('v', 'llvm-symbolizer-14');
    tool('v', 'llvm-symbolizer-16');
    expect(findSymbolizer(v)).toEqual({ name: 'llvm-symbolizer', path: join(v, 'llvm-symbolizer-16') });
  });

  it('is null on a PATH without any', () => {
    expect(findSymbolizer(join(dir, 'nothing'))).toBeNull();
    expect(findSymbolizer('')).toBeNull();
  });
});
