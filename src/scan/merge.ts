// `coredx merge`: shard results (scan JSON) -> the result one scan of all their files gives. Groups
// are merged by mergeGroups (the same choice of first occurrence and diagnosis as a scan makes),
// skipped files put together in scan's order, totals added up.

import { holdGroup, mergeGroups, type CrashGroup } from './group.js';
import { JsonReadError, JsonSyntaxError, readReason, streamJsonFile } from './json-reader.js';
import { scanResult, type ScanResult, type SkippedFile } from './scan.js';
import type { Shard } from './shard.js';

/** A scan report that cannot be merged; the message is one line. */
export class MergeError extends Error {}

export interface MergeInput {
  /** Where it came from, for messages. */
  name: string;
  result: ScanResult & { shard?: Shard };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What is wrong with a group of a scan JSON report, or null. */
function groupProblem(g: unknown): string | null {
  if (!isObject(g) || typeof g.signature !== 'string' || !Array.isArray(g.occurrences) || g.occurrences.length === 0 || !isObject(g.report) || !isObject(g.diagnosisAt)) {
    return 'a group without signature, occurrences, report or diagnosisAt';
  }
  return null;
}

/** Checks that a parsed document is a scan JSON report (enough of it to merge). `groupsChecked`: its groups were checked as they were read. */
export function asScanResult(name: string, doc: unknown, groupsChecked = false): MergeInput {
  const bad = (why: string) => new MergeError(`${name}: not a coredx scan JSON report (${why})`);
  if (!isObject(doc)) throw bad('not a JSON object');
  if (!Number.isInteger(doc.schemaVersion) || !Number.isInteger(doc.signatureVersion)) throw bad('no schemaVersion/signatureVersion');
  if (!Array.isArray(doc.groups)) throw bad('no groups');
  if (!groupsChecked) {
    for (const g of doc.groups) {
      const problem = groupProblem(g);
      if (problem) throw bad(problem);
    }
  }
  const files = doc.files;
  if (!isObject(files) || !Number.isInteger(files.scanned) || !Array.isArray(files.skipped)) throw bad('no files');
  if (!isObject(doc.totals)) throw bad('no totals');
  const shard = doc.shard;
  if (shard !== undefined && (!isObject(shard) || !Number.isInteger(shard.index) || !Number.isInteger(shard.total))) throw bad('a malformed shard');
  return { name, result: doc as unknown as MergeInput['result'] };
}

/**
 * Reads a scan JSON report from a file a group at a time (json-reader.ts), each group kept compactly
 * as it is read (holdGroup: its report written away when spillReports() is on): a report of any
 * size, beyond a JavaScript string's ~512 MB, is read in the memory of its largest group. Throws
 * MergeError (one line naming the file) when it cannot be read or is not a scan JSON report.
 */
export function readScanReport(file: string): MergeInput {
  const groups: CrashGroup[] = [];
  // JSON.parse gives each group its own copy of its paths: one string per path instead (a report's
  // 100,000s of groups name a few files), and diagnosisAt the first occurrence itself when it is that one.
  const paths = new Map<string, string>();
  // Anything but a plain location is kept as it is (its JSON written back unchanged).
  const plain = (o: unknown): o is { path: string; line: number } => isObject(o) && typeof o.path === 'string' && Object.keys(o).join() === 'path,line';
  const shared = (o: { path: string; line: number }) => {
    if (!plain(o)) return o;
    const path = paths.get(o.path) ?? (paths.size < 100_000 ? (paths.set(o.path, o.path), o.path) : o.path);
    return { path, line: o.line };
  };
  let problem: string | null = null;
  let doc: unknown;
  try {
    doc = streamJsonFile(file, {
      stream: (p) => p.length === 1 && p[0] === 'groups',
      descend: (p) => p.length === 0,
      onElement: (_p, _i, g) => {
        if (problem !== null) return;
        problem = groupProblem(g);
        if (problem !== null) return;
        const group = g as CrashGroup;
        group.occurrences = group.occurrences.map(shared);
        const first = group.occurrences[0]!;
        const at = group.diagnosisAt;
        group.diagnosisAt = plain(at) && plain(first) && at.path === first.path && at.line === first.line ? first : shared(at);
        groups.push(holdGroup(group));
      },
    });
  } catch (err) {
    if (err instanceof JsonReadError) throw new MergeError(`${file}: cannot read it (${readReason(err)})`);
    if (err instanceof JsonSyntaxError) throw new MergeError(`${file}: not JSON (${err.message})`);
    throw err;
  }
  if (isObject(doc) && Array.isArray(doc.groups)) {
    if (problem !== null) throw new MergeError(`${file}: not a coredx scan JSON report (${problem})`);
    doc.groups = groups;
  }
  return asScanResult(file, doc, true);
}

/** `consume`: each input's groups are dropped as they are merged (its array emptied): two sets are never held. */
export function mergeResults(inputs: MergeInput[], options: { consume?: boolean } = {}): ScanResult {
  if (inputs.length === 0) throw new MergeError('nothing to merge');
  const [first] = inputs;
  for (const key of ['signatureVersion', 'schemaVersion'] as const) {
    const other = inputs.find((i) => i.result[key] !== first!.result[key]);
    if (other) {
      const what = key === 'signatureVersion' ? 'signature version' : 'schema version';
      throw new MergeError(`cannot merge: ${first!.name} has ${what} ${first!.result[key]}, ${other.name} ${other.result[key]}`);
    }
  }
  // Shards of one scan: one N, each index once, none missing (a shard whose job failed must not
  // leave the merged report silently short of files).
  const sharded = inputs.filter((i) => i.result.shard);
  if (sharded.length) {
    const total = sharded[0]!.result.shard!.total;
    const other = sharded.find((i) => i.result.shard!.total !== total);
    if (other) throw new MergeError(`cannot merge: ${sharded[0]!.name} is a shard of ${total}, ${other.name} of ${other.result.shard!.total}`);
    const seen = new Map<number, string>();
    for (const i of sharded) {
      const index = i.result.shard!.index;
      if (seen.has(index)) throw new MergeError(`cannot merge: ${seen.get(index)} and ${i.name} are both shard ${index}/${total}`);
      seen.set(index, i.name);
    }
    const missing = Array.from({ length: total }, (_, k) => k + 1).filter((k) => !seen.has(k));
    if (missing.length) throw new MergeError(`cannot merge: shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${total}`).join(', ')} missing`);
  }
  let groups: CrashGroup[];
  try {
    const parts = inputs.map((i) => i.result.groups);
    groups = mergeGroups(parts, options);
    if (options.consume) for (const i of inputs) i.result.groups = [];
  } catch (err) {
    throw new MergeError(`cannot merge: ${(err as Error).message}`);
  }
  const skipped: SkippedFile[] = inputs.flatMap((i) => i.result.files.skipped.map((s) => ({ path: s.path, reason: s.reason, error: s.error })));
  const sum = (key: keyof ScanResult['totals']) => inputs.reduce((n, i) => n + (Number(i.result.totals[key]) || 0), 0);
  return scanResult({
    groups,
    scanned: inputs.reduce((n, i) => n + i.result.files.scanned, 0),
    skipped,
    bytes: sum('bytes'),
    crashes: sum('crashes'),
    schemaVersion: first!.result.schemaVersion,
    signatureVersion: first!.result.signatureVersion,
  });
}
