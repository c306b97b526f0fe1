// Reading a rule's sample (`rules test`) or the trace a skeleton starts from (`rules new --from`).
// Both hold one crash and the lines around it, never a whole CI log: a file that is not a regular
// file (`/dev/zero`, a FIFO) or is larger than a trace can be is refused with its reason instead of
// being read without end (/dev/zero ran to a 16 GB abort) or past V8's string limit.

import { readFileSync, statSync } from 'node:fs';

/** Largest sample read: a trace with every thread and `bt full` locals fits many times over. */
export const MAX_SAMPLE_BYTES = 16 * 1024 * 1024;

export class SampleFileError extends Error {}

/** The file's bytes, or SampleFileError naming why it is not read. */
export function readSampleBytes(path: string): Buffer {
  const stat = statSync(path);
  if (!stat.isFile()) throw new SampleFileError(`${path}: not a regular file (a device, FIFO or directory); save the trace to a file first`);
  if (stat.size > MAX_SAMPLE_BYTES) {
    throw new SampleFileError(`${path}: ${(stat.size / 1048576).toFixed(0)} MB, too large for a rule sample (at most ${MAX_SAMPLE_BYTES / 1048576} MB): cut the trace and the log lines around it into a file`);
  }
  return readFileSync(path);
}
