// Reading a paste from a terminal. In the terminal's canonical mode the kernel keeps at most 4,095
// characters of a line and drops the rest without a word: a long C++ frame (template arguments,
// a wrapped argument list joined by the terminal) loses its end, and with it the function name
// and the signature. So stdin on a terminal is read in raw mode, where no line limit applies, and
// coredx does what the terminal would: echo, Enter as a line end, Backspace, Ctrl-D to finish,
// Ctrl-C to cancel.

import type { ReadStream } from 'node:tty';

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const DELETE = 0x7f;
const CR = 0x0d;

export interface TerminalPasteOptions {
  /** Where typed and pasted text is echoed (the terminal), or null. */
  echo: { write(s: string): unknown } | null;
  /** Called on Ctrl-C, after the terminal mode is restored. */
  onInterrupt(): void;
}

/** The pasted text, chunk by chunk, until Ctrl-D; the terminal's mode is restored whatever happens. */
export async function* readTerminalPaste(stdin: ReadStream, options: TerminalPasteOptions): AsyncGenerator<Buffer> {
  const wasRaw = stdin.isRaw;
  stdin.setRawMode(true);
  let lineLength = 0;
  try {
    for await (const chunk of stdin as AsyncIterable<Buffer>) {
      const out: number[] = [];
      let done = false;
      for (const byte of chunk) {
        if (byte === CTRL_D) {
          done = true;
          break;
        }
        if (byte === CTRL_C) {
          stdin.setRawMode(wasRaw);
          options.echo?.write('^C\n');
          options.onInterrupt();
          return;
        }
        if (byte === BACKSPACE || byte === DELETE) {
          // Only what was typed on the current line can be taken back (as the terminal does).
          if (lineLength > 0) {
            out.pop();
            lineLength--;
            options.echo?.write('\b \b');
          }
          continue;
        }
        if (byte === CR || byte === 0x0a) {
          out.push(0x0a);
          lineLength = 0;
          options.echo?.write('\r\n');
          continue;
        }
        out.push(byte);
        lineLength++;
      }
      if (out.length > 0) {
        const text = Buffer.from(out);
        options.echo?.write(text.toString('utf8').replaceAll('\n', '\r\n').replaceAll('\r\r\n', '\r\n'));
        yield text;
      }
      if (done) break;
    }
  } finally {
    stdin.setRawMode(wasRaw);
    stdin.pause();
    options.echo?.write('\r\n');
  }
}
