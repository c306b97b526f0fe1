// Pieces shared by the formats that print one stack of bare frames (an address, a name, perhaps a
// module): fatal-signal handlers, backtrace_symbols, butil dumps. (Their stack under the frame cap is
// framework.ts's CappedStack.)

import type { ParsedFrame } from './types.js';

/** A frame that has no source location: only what the handler could print. */
export function bareFrame(index: number, address: string, rawFunction: string, module: string | null, raw: string): ParsedFrame {
  return { index, address, rawFunction, module, file: null, line: null, column: null, inlined: false, raw };
}
