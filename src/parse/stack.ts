// Pieces shared by the formats that print one stack of bare frames (an address, a name, perhaps a
// module): fatal-signal handlers, backtrace_symbols, butil dumps.

import { MAX_FRAMES_PER_THREAD, type ParsedFrame, type ParsedThread } from './types.js';

/** A frame that has no source location: only what the handler could print. */
export function bareFrame(index: number, address: string, rawFunction: string, module: string | null, raw: string): ParsedFrame {
  return { index, address, rawFunction, module, file: null, line: null, column: null, inlined: false, raw };
}

/** One stack under the per-thread cap: frames past it are counted, not kept (runaway recursion). */
export class CappedStack {
  readonly frames: ParsedFrame[] = [];
  dropped = 0;

  /** Adds the frame `make` builds for the next index, unless the cap is reached. */
  push(make: (index: number) => ParsedFrame): void {
    if (this.frames.length >= MAX_FRAMES_PER_THREAD) this.dropped++;
    else this.frames.push(make(this.frames.length));
  }

  /** Frames seen, kept or not. */
  get count(): number {
    return this.frames.length + this.dropped;
  }

  thread(lwp: number | null = null): ParsedThread {
    return { id: '1', name: null, lwp, frames: this.frames, ...(this.dropped ? { droppedFrames: this.dropped } : {}) };
  }
}
