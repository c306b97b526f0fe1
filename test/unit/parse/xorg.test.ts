// The X server's backtrace (parse/xorg.ts): its handler's frames down to the trampoline dropped, the
// signal and fault address read from the lines after the frames.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const log = (after: string) => `[  4023.870] (EE) Backtrace:
[  4023.871] (EE) 0: /usr/lib/xorg/Xorg (xorg_backtrace+0x56) [0x55d2a8f1c0a6]
[  4023.871] (EE) 1: /usr/lib/xorg/Xorg (0x55d2a8dbf000+0x161e39) [0x55d2a8f20e39]
[  4023.871] (EE) 2: /lib64/libpthread.so.0 (0x7f4c3e830000+0x12c60) [0x7f4c3e842c60]
[  4023.872] (EE) 3: /usr/lib64/xorg/modules/drivers/tile_drv.so (tile_flip+0x1b4) [0x7f4c3c61a2f4]
[  4023.872] (EE) 4: ? (?+0x0) [0x7f4c3c61c8b2]
[  4023.872] (EE) 5: /usr/lib/xorg/Xorg (xf86DPMSSet+0x8c) [0x55d2a8e4b3dc]
[  4023.873] (EE) 
${after}`;

describe('xorg parser', () => {
  it('blames the driver below the handler and the trampoline; the fault address after the frames', () => {
    const [r] = analyze(log('[  4023.873] (EE) Segmentation fault at address 0x28\n[  4023.873] (EE) \nFatal server error:\n[  4023.873] (EE) Caught signal 11 (Segmentation fault). Server aborting\n'), { rules: null }).reports;
    expect([r!.format, r!.signal, r!.faultAddress, r!.program]).toEqual(['xorg', 'SIGSEGV', '0x28', 'Xorg']);
    expect(r!.threads[0]!.frames.map((f) => f.function)).toEqual(['tile_flip', '??', 'xf86DPMSSet']);
    expect(r!.signatureFrames[0]).toBe('tile_flip');
  });

  it('reads the signal of "Caught signal 6" after "Fatal server error:"', () => {
    const [r] = analyze(log('Fatal server error:\n[  4023.873] (EE) Caught signal 6 (Aborted). Server aborting\n'), { rules: null }).reports;
    expect(r!.signal).toBe('SIGABRT');
  });
});
