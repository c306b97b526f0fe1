// The file reader owns its buffers (issue #10): its chunks are ordinary buffers, never views of the
// marker search's WebAssembly memory, and the search copies what it looks at into that memory in
// growing windows (4 KB, 8 KB, ... 1 MB): a marker is found wherever a window edge falls.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimalMarkers } from '../../../src/pipeline.js';
import { PARSERS } from '../../../src/parse/registry.js';
import { NOTICE_MARKERS } from '../../../src/parse/notice.js';
import { CHUNK_SIZE, openFile } from '../../../src/source/lines.js';
import { MarkerSet, takeSearchBuffer } from '../../../src/source/marker-search.js';
import { tempDir } from '../../support/tmp.js';

const REGISTERED = minimalMarkers([...PARSERS.flatMap((p) => p.markers ?? []), ...NOTICE_MARKERS]).map((m) => Buffer.from(m));

describe('the reader\'s buffers', () => {
  it('are its own, not the search memory\'s', async () => {
    const path = join(tempDir('reader-buffers'), 'big.log');
    writeFileSync(path, 'x'.repeat(99) + '\n'.repeat(1) + 'line\n'.repeat(500_000));
    const searchMemory = takeSearchBuffer(CHUNK_SIZE)?.buffer;
    const file = openFile(path);
    let chunks = 0;
    for await (const chunk of file.chunks()) {
      chunks++;
      if (searchMemory) expect(chunk.buffer).not.toBe(searchMemory);
    }
    expect(chunks).toBeGreaterThan(1);
  });

  it('are searched through growing copy windows: a marker at any offset around their edges is found', () => {
    const set = new MarkerSet(REGISTERED);
    const data = Buffer.alloc(64 * 1024, 0x61);
    const marker = Buffer.from('Received signal 11');
    const offsets = [...Array(500).keys()].flatMap((k) => [3900 + k, 12_050 + k, 28_400 + k, 60_000 + k]);
    for (const at of offsets) {
      const d = Buffer.from(data);
      marker.copy(d, Math.min(at, d.length - marker.length));
      const want = d.indexOf(marker);
      expect(set.find(d, 0, d.length), `at ${at}`).toBe(want);
      expect(set.find(d, 100, d.length), `from 100, at ${at}`).toBe(want);
      expect(set.find(d, want + 1, d.length)).toBe(-1);
    }
  });
});
