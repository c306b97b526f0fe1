// The X server's own backtrace in Xorg.0.log (or the journal, under gdm-x-session's or Xorg's
// prefix), when a driver or an extension crashes it: "(EE) Backtrace:", frames in its own shape,
// then the signal and the fault address after them.
//
//   [  4023.870] (EE) Backtrace:
//   [  4023.871] (EE) 0: /usr/lib/xorg/Xorg (xorg_backtrace+0x56) [0x55d2a8f1c0a6]
//   [  4023.871] (EE) 2: /lib/x86_64-linux-gnu/libc.so.6 (__sigaction+0x50) [0x7f4c3e842520]
//   [  4023.872] (EE) 3: /usr/lib/xorg/modules/drivers/vellum_drv.so (vellum_crtc_set_mode+0x1b4) [0x7f4c3c61a2f4]
//   [  4023.873] (EE) Segmentation fault at address 0x28
//   Fatal server error:
//   [  4023.873] (EE) Caught signal 11 (Segmentation fault). Server aborting
//
// A frame without a symbol shows the module's base ("(0x55d2a8dbf000+0x161e39)") or "?". The frames
// down to the signal trampoline (the first libc or libpthread frame, whatever name dladdr found for
// it) are the server's handler printing the dump: not kept.

import { dumpFrame, HandlerDumpBlock, signalFromNumber, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

/** Xorg's time since start ("[  4023.871] "), then its "(EE) " level. */
const PREFIX = /^(?:\[\s*\d+\.\d+\]\s*)?\(EE\)\s?/;
const HEADER = /^Backtrace:\s*$/;
const FRAME = /^(\d{1,3}): (\S+|\?) \((.*?)\) \[(0x[0-9a-fA-F]+)\]\s*$/;
const FAULT = /^(Segmentation fault|Bus error) at address (0x[0-9a-fA-F]+)\s*$/;
const CAUGHT = /^Caught signal (\d{1,2}) \(/;

const TRAMPOLINE_MODULE = /(?:^|\/)(?:libc|libpthread)[.-][^/]*$/;

function dialect(): HandlerDumpDialect {
  let inHandler = true;
  return {
    format: 'xorg',
    program: 'Xorg',
    strip: (line) => {
      const m = PREFIX.exec(line.trim());
      if (m) return line.trim().slice(m[0].length);
      return /^\s*Fatal server error:\s*$/.test(line) ? '' : null;
    },
    header: (text) => (HEADER.test(text) ? { signal: null, description: null, faultAddress: null } : null),
    frame(text) {
      const m = FRAME.exec(text);
      if (!m) return null;
      if (inHandler) {
        // The first frame is the dump's own function; past the trampoline, the crash's frames.
        if (m[1] === '0' && !m[3]!.startsWith('xorg_backtrace')) inHandler = false;
        else {
          if (TRAMPOLINE_MODULE.test(m[2]!)) inHandler = false;
          return null;
        }
      }
      const symbol = m[3]!.replace(/[+-]0x[0-9a-fA-F]+$/, '');
      const named = symbol !== '' && symbol !== '?' && !/^0x[0-9a-fA-F]+$/.test(symbol);
      return dumpFrame(m[4]!, named ? symbol : '??', m[2] === '?' ? null : m[2]!, text);
    },
    // The handler's own frames, read by `frame` and not kept.
    other: (text) => FRAME.test(text),
    trailer(text) {
      let m = FAULT.exec(text);
      if (m) return { signal: m[1] === 'Bus error' ? 'SIGBUS' : 'SIGSEGV', description: m[1]!, faultAddress: `0x${BigInt(m[2]!).toString(16)}` };
      m = CAUGHT.exec(text);
      return m ? signalFromNumber(Number(m[1])) : null;
    },
  };
}

export const xorgParser: TraceParser = {
  format: 'xorg',
  label: "the X server's backtrace in Xorg.0.log ('(EE) Backtrace:', '(EE) 3: /usr/lib/xorg/modules/drivers/x_drv.so (f+0x1b4) [0x...]')",
  markers: ['(EE) Backtrace:'],
  startsTrace: (line) => line.includes('(EE) Backtrace:') && HEADER.test(line.trim().replace(PREFIX, '')),
  begin: () => new HandlerDumpBlock(dialect()),
};
