// Reports written as chunks: to a temporary file renamed over the target when complete; a
// renderer that fails half-way leaves the target as it was (and no temporary file), and its own
// error is passed on, not taken for a write error.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportWriteError, writeReportChunks } from '../../../src/cli/write-report.js';
import { tempDir } from '../../support/tmp.js';

describe('writeReportChunks', () => {
  it('writes every chunk in order (chunks larger and smaller than a write)', () => {
    const dir = tempDir('stream-write');
    const file = join(dir, 'report.json');
    const chunks = ['a'.repeat(3 << 20), 'é☃😀', ...Array.from({ length: 1000 }, (_, i) => `${i}\n`), 'x'.repeat((1 << 20) - 1)];
    writeReportChunks(file, (function* () {
      yield* chunks;
    })());
    expect(readFileSync(file, 'utf8')).toBe(chunks.join(''));
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('leaves the previous report and no temporary file when the renderer fails, passing its error on', () => {
    const dir = tempDir('stream-write');
    const file = join(dir, 'report.json');
    writeFileSync(file, 'previous');
    const boom = new Error('renderer failed');
    const chunks = function* () {
      yield 'x'.repeat(2 << 20); // already written to the temporary file
      throw boom;
    };
    let thrown: unknown;
    try {
      writeReportChunks(file, chunks());
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBe(boom);
    expect(thrown).not.toBeInstanceOf(ReportWriteError);
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('names the file on a write error', () => {
    const dir = tempDir('stream-write');
    const file = join(dir, 'missing', 'report.json');
    expect(() => writeReportChunks(file, ['x'])).toThrow(ReportWriteError);
    expect(() => writeReportChunks(file, ['x'])).toThrow(`${file}: cannot write the report: no such directory`);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
