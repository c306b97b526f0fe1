// A one-line progress display on stderr, only for people at a terminal (never in CI or pipes).

import type { ScanProgress } from '../scan/scan.js';

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function progressReporter(stream: NodeJS.WriteStream, enabled: boolean): { update(p: ScanProgress): void; done(): void } {
  if (!enabled || !stream.isTTY || process.env.CI) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100 && p.filesDone < p.filesTotal) return;
      last = now;
      const width = 24;
      const filled = p.filesTotal ? Math.round((width * p.filesDone) / p.filesTotal) : width;
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      stream.write(`\r[${bar}] ${p.filesDone}/${plural(p.filesTotal, 'file', 'files')}, ${(p.bytesDone / 1e6).toFixed(1)} MB, ${plural(p.crashes, 'crash', 'crashes')} `);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
