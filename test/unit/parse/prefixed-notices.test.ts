// A fatal notice behind a logger's or a build tool's prefix (class: a CI log's only sign of the crash
// is one line, and the line is prefixed: BuildKit's "#14 32.157 ", a bracketed logger): QEMU's
// user-mode "uncaught target signal" in a foreign-architecture docker build.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { fatalNotice } from '../../../src/parse/notice.js';

describe('prefixed notices', () => {
  it("QEMU's user-mode emulation names the target's signal", () => {
    expect(fatalNotice('qemu: uncaught target signal 6 (Aborted) - core dumped')?.signal).toBe('SIGABRT');
    expect(fatalNotice('qemu-aarch64: uncaught target signal 4 (Illegal instruction) - core dumped')?.signal).toBe('SIGILL');
  });
  it("behind BuildKit's step prefix", () => {
    const r = analyze(['#9 [linux/arm64 4/5] RUN ./gen-tables', '#9 4.217 qemu: uncaught target signal 11 (Segmentation fault) - core dumped', '#9 ERROR: process "/bin/sh -c ./gen-tables" did not complete successfully: exit code: 139'].join('\n')).reports[0]!;
    expect([r.format, r.signal]).toEqual(['notice', 'SIGSEGV']);
  });
  it('behind a bracketed logger prefix', () => {
    const r = analyze('[2024-05-01 10:00:00] [runner] Segmentation fault (core dumped)').reports[0]!;
    expect(r.signal).toBe('SIGSEGV');
  });
});
