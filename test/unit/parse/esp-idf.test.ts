// ESP-IDF panics (class: an embedded target's crash on a serial console): the exception names the
// signal, EXCVADDR/MTVAL the fault address, the backtrace's pc:sp pairs the frames in order, and the
// monitor's or the Arduino decoder's lines name them. Written in ESP-IDF's shape; names made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const panic = (decoded: string[]) =>
  analyze([
    "Guru Meditation Error: Core  0 panic'ed (StoreProhibited). Exception was unhandled.",
    '',
    'Core  0 register dump:',
    'PC      : 0x400d1a22  PS      : 0x00060630  A0      : 0x800d0f1c  A1      : 0x3ffb1f60  ',
    'EXCVADDR: 0x00000000  LBEG    : 0x4000c2e0  LEND    : 0x4000c2f6  LCOUNT  : 0x00000000  ',
    '',
    'Backtrace: 0x400d1a1f:0x3ffb1f60 0x400d0f19:0x3ffb1f80 0x40087e8d:0x3ffb1fa0',
    ...decoded,
    '',
    'ELF file SHA256: 00aa11bb22cc33dd',
    'Rebooting...',
  ].join('\n')).reports;

describe('ESP-IDF panics', () => {
  it('the monitor decoded the frames: a store through null', () => {
    const r = panic(['--- 0x400d1a1f: led_set at /p/main/led.c:30', '--- 0x400d0f19: app_main at /p/main/main.c:12', '--- 0x40087e8d: vPortTaskWrapper at /idf/port.c:162'])[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['esp-idf', 'SIGSEGV', '0x0']);
    expect(r.signatureFrames).toEqual(['led_set', 'app_main']);
    expect(r.diagnoses[0]?.category).toBe('null-deref');
  });
  it("the Arduino decoder's 'line N', and an undecoded backtrace", () => {
    expect(panic(['0x400d1a1f: led_set(int) at C:\\p\\led.cpp line 30'])[0]!.signatureFrames[0]).toBe('led_set');
    const raw = panic([])[0]!;
    expect(raw.threads[0]!.frames.map((f) => f.address)).toEqual(['0x400d1a1f', '0x400d0f19', '0x40087e8d']);
  });
  it("the Arduino decoder's output after the dump's closing lines, and pairs printed without blanks", () => {
    const r = analyze([
      "Guru Meditation Error: Core  1 panic'ed (StoreProhibited). Exception was unhandled.",
      'EXCVADDR: 0x0000000c  LBEG    : 0x400014fd  LEND    : 0x4000150d  LCOUNT  : 0xfffffff6  ',
      'Backtrace:0x400d1b3b:0x3ffb22700x400d2a62:0x3ffb2290 0x400d6f1c:0x3ffb22b0',
      'ELF file SHA256: 1122334455667788',
      '',
      'Decoding stack results',
      '0x400d1b3b: Display::drawText(char const*) at /sketch/display.cpp line 64',
      '0x400d2a62: loop() at /sketch/clock.ino line 27',
      'ets Jun  8 2016 00:22:57',
    ].join('\n')).reports[0]!;
    expect(r.threads[0]!.frames.map((f) => f.address)).toEqual(['0x400d1b3b', '0x400d2a62', '0x400d6f1c']);
    expect(r.signatureFrames.slice(0, 2)).toEqual(['Display::drawText', 'loop']);
    expect(r.faultAddress).toBe('0xc');
  });
  it('a stack overflow in a task is a stack overflow', () => {
    const r = analyze(['***ERROR*** A stack overflow in task sensor has been detected.', '', 'Backtrace: 0x40081b2e:0x3ffb8a40 0x400d2a11:0x3ffb8a60', '0x400d2a11: read_all at /p/main/s.c:77'].join('\n')).reports[0]!;
    expect([r.crashKind, r.signatureFrames[0]]).toEqual(['stack-overflow', 'read_all']);
  });
  it("Redis' own 'Guru Meditation' and prose are not it", () => {
    expect(analyze('Guru Meditation: unexpected state #server.c:123').reports.filter((r) => r.format === 'esp-idf')).toEqual([]);
    expect(analyze('We got a Guru Meditation Error on the board yesterday, no log.').reports).toEqual([]);
  });
});
