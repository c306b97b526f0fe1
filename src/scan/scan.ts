// The scanner: find artifacts, analyze each (bounded concurrency, streaming), account for every
// file as scanned or skipped with a reason, group the crashes.

import { analyzeInput, type AnalyzeOptions } from '../pipeline.js';
import type { Report } from '../model.js';
import { CoredxInputError, InputRejection } from '../errors.js';
import { openInput } from '../source/open.js';
import { SCHEMA_VERSION } from '../model.js';
import { SIGNATURE_VERSION } from '../normalize/signature.js';
import { GroupCollector, type CrashGroup } from './group.js';
import { inShard, type Shard } from './shard.js';
import { reasonOf, walkArtifacts, type WalkOptions } from './walk.js';

export interface ScanOptions extends WalkOptions {
  /** Files analyzed at once (default 4). */
  jobs?: number;
  analyze?: Omit<AnalyzeOptions, 'path'>;
  /** Called as work progresses (for a progress bar). */
  onProgress?: (p: ScanProgress) => void;
  /** Called for what was read despite a problem (trailing garbage after gzip data); default: a line on stderr. */
  onWarning?: (path: string, message: string) => void;
  /** Only this shard of the files found (and of the skipped entries), see shard.ts. */
  shard?: Shard;
}

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  crashes: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
  /** True when the file could not be read at all (an I/O error, not a choice). */
  error: boolean;
}

export interface ScanResult {
  schemaVersion: number;
  signatureVersion: number;
  groups: CrashGroup[];
  files: { scanned: number; skipped: SkippedFile[] };
  totals: { files: number; scanned: number; skipped: number; errors: number; bytes: number; crashes: number; groups: number };
}

export async function scan(inputs: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const walked = await walkArtifacts(inputs, options);
  if (options.shard) {
    const mine = inShard(inputs, options.shard);
    walked.files = walked.files.filter(mine);
    walked.problems = walked.problems.filter((p) => mine(p.path));
    walked.special = walked.special.filter((p) => mine(p.path));
  }
  const skipped: SkippedFile[] = [...walked.problems.map((p) => ({ ...p, error: true })), ...walked.special.map((p) => ({ ...p, error: false }))];
  return scanFiles(walked.files, options, skipped);
}

/**
 * Analyzes files already found (by walkArtifacts: not walked again, so a thread's batch costs no
 * stat or realpath per file), each accounted for as scanned or in `skipped` with a reason.
 */
export async function scanFiles(files: string[], options: Omit<ScanOptions, keyof WalkOptions | 'shard'> = {}, skipped: SkippedFile[] = []): Promise<ScanResult> {
  const collector = new GroupCollector();
  let crashes = 0;
  const progress: ScanProgress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, crashes: 0 };
  let scanned = 0;

  const one = async (path: string) => {
    try {
      // What the file is (text, a core, or not read and why) is source/open.ts's to say.
      const input = await openInput(path);
      let result;
      // Each report goes to its group as the pipeline hands it over: one log holding 100,000s of
      // crashes is never held whole (the groups keep one report each).
      let n = 0;
      const onReport = (report: Report): void => {
        collector.add(report);
        n++;
      };
      try {
        result = await analyzeInput(input, { ...options.analyze, path, onReport });
      } catch (err) {
        if (input.kind !== 'core' || !(err instanceof CoredxInputError)) throw err;
        // A core means something crashed: one that cannot be read must not leave the gate green.
        skipped.push({ path, reason: `core file not analyzed: ${err.message.replace(`${path}: `, '')}`, error: true });
      }
      if (result) {
        crashes += n;
        progress.crashes = crashes;
        const problems = input.kind === 'text' ? input.problems : [];
        for (const p of problems) {
          if (p.fatal) continue;
          if (options.onWarning) options.onWarning(path, p.message);
          else process.stderr.write(`coredx: warning: ${path}: ${p.message}\n`);
        }
        const fatal = problems.filter((p) => p.fatal).map((p) => p.message);
        // Its crashes are reported, but part of it could not be read: the gate must not pass on it.
        if (fatal.length) skipped.push({ path, reason: `${fatal.join('; ')}${n ? ` (${n === 1 ? 'the crash' : `${n} crashes`} before the cut reported)` : ''}`, error: true });
        else scanned++;
      }
      progress.bytesDone += input.size;
    } catch (err) {
      if (err instanceof InputRejection) {
        skipped.push({ path, reason: err.skip, error: err.gate });
        progress.bytesDone += err.size;
      } else skipped.push({ path, reason: err instanceof CoredxInputError ? err.message.replace(`${path}: `, '') : reasonOf(err), error: true });
    }
    progress.filesDone++;
    options.onProgress?.(progress);
  };

  // Lanes take the next file by index (Array.shift copies a long array on every call).
  let next = 0;
  const jobs = Math.max(1, options.jobs ?? 4);
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, async () => {
    while (next < files.length) await one(files[next++]!);
  }));

  return scanResult({ groups: collector.groups(), scanned, skipped, bytes: progress.bytesDone, crashes });
}

/**
 * A scan's result from its parts, the one place its totals are computed (a scan, the threads'
 * batches combined, shards merged): skipped entries sorted by path, every path accounted for.
 */
export function scanResult(parts: {
  groups: CrashGroup[];
  scanned: number;
  skipped: SkippedFile[];
  bytes: number;
  crashes: number;
  schemaVersion?: number;
  signatureVersion?: number;
}): ScanResult {
  const { groups, scanned, skipped } = parts;
  skipped.sort((a, b) => a.path.localeCompare(b.path));
  return {
    schemaVersion: parts.schemaVersion ?? SCHEMA_VERSION,
    signatureVersion: parts.signatureVersion ?? SIGNATURE_VERSION,
    groups,
    files: { scanned, skipped },
    totals: {
      // Every path accounted for: scanned or skipped (with a reason).
      files: scanned + skipped.length,
      scanned,
      skipped: skipped.length,
      errors: skipped.filter((s) => s.error).length,
      bytes: parts.bytes,
      crashes: parts.crashes,
      groups: groups.length,
    },
  };
}
