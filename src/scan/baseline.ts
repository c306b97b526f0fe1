// --baseline FILE: compare this run's crash groups with an earlier run's (its `scan --format json`
// or SARIF output), by signature. A group is `new` (not in the baseline) or `unchanged`; a baseline
// group this run did not see is `absent`. Signatures of different signature versions cannot be
// compared: every group is then `unknown` and nothing is absent.

import { fileURLToPath } from 'node:url';
import { groupTitle } from './group.js';
import { SEVERITIES, type CrashGroup, type Severity } from './group.js';
import type { ScanResult } from './scan.js';
import type { Shard } from './shard.js';
import { JsonReadError, JsonSyntaxError, readReason, streamJsonFile, type JsonPath } from './json-reader.js';

export type BaselineState = 'new' | 'unchanged' | 'absent' | 'unknown';

/** A baseline group, as much of it as a report needs to list it. */
export interface BaselineGroup {
  signature: string;
  signatureText: string;
  title: string;
  crashKind: string;
  severity: Severity;
  count: number;
  /** Its first occurrence in the baseline run, when the baseline says. */
  first: { path: string; line: number } | null;
}

export interface Baseline {
  path: string;
  /** null when the baseline cannot say (a SARIF log without results). */
  signatureVersion: number | null;
  groups: BaselineGroup[];
}

export interface BaselineComparison {
  /** The baseline file as given. */
  path: string;
  signatureVersion: number | null;
  /** False when the signature versions differ: every group is then `unknown`. */
  comparable: boolean;
  /** "cannot compare: ..." when not comparable, else null. */
  message: string | null;
  counts: { new: number; unchanged: number; absent: number; unknown: number };
  /** Baseline groups not seen in this run (empty when not comparable). */
  absent: (BaselineGroup & { baselineState: 'absent' })[];
}

/** A scan's result with what a report adds to it: the shard scanned, the baseline comparison. */
export interface ScanReport extends ScanResult {
  shard?: Shard;
  baseline?: BaselineComparison;
}

/** A baseline file that cannot be read or understood; the message is one line naming the file. */
export class BaselineError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
const severityOf = (v: unknown): Severity => SEVERITIES.find((s) => s === v) ?? 'high';

/**
 * One string for each text that many baseline groups repeat (crash kinds, titles, paths): JSON.parse
 * gives every group its own copy, and a baseline of 100,000s of groups is held for the whole run.
 */
function interner(limit = 10_000): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => seen.get(s) ?? (seen.size < limit && seen.set(s, s), s);
}
const FINGERPRINT = /^coredxCrashSignature\/v(\d+)$/;

/** Where a baseline's groups are: a scan report's `groups`, a SARIF log's results (of its first run). */
const GROUPS = (p: JsonPath) => p.length === 1 && p[0] === 'groups';
const RESULTS = (p: JsonPath) => p.length === 3 && p[0] === 'runs' && p[1] === 0 && p[2] === 'results';

/**
 * Reads a baseline (scan JSON or SARIF) a group at a time (json-reader.ts): only what a report
 * needs of each baseline group is kept, so a baseline of any size (beyond a JavaScript string's
 * ~512 MB) is read in the memory of its largest group.
 */
export function readBaseline(path: string): Baseline {
  const groups: BaselineGroup[] = [];
  const intern = interner();
  const results: (BaselineGroup & { version: number })[] = [];
  let problem: string | null = null;
  let doc: unknown;
  try {
    doc = streamJsonFile(path, {
      stream: (p) => GROUPS(p) || RESULTS(p),
      descend: (p) => p.length === 0 || (p[0] === 'runs' && p.length <= 2),
      onElement: (p, _i, value) => {
        if (problem !== null) return;
        if (GROUPS(p)) {
          const g = fromScanGroup(value, intern);
          if (typeof g === 'string') problem = g;
          else groups.push(g);
        } else {
          const r = fromSarifResult(value, intern);
          if (typeof r === 'string') problem = r;
          else results.push(r);
        }
      },
    });
  } catch (err) {
    if (err instanceof JsonReadError) throw new BaselineError(`baseline ${path}: cannot read it (${readReason(err)})`);
    if (err instanceof JsonSyntaxError) throw new BaselineError(`baseline ${path}: not JSON (${err.message})`);
    throw err;
  }
  const parsed = isObject(doc) && Array.isArray(doc.runs) ? fromSarif(doc, results, problem) : isObject(doc) && Array.isArray(doc.groups) ? fromScanJson(doc, groups, problem) : null;
  if (typeof parsed === 'string' || parsed === null) throw new BaselineError(`baseline ${path}: ${parsed ?? 'not a coredx scan report (expected the JSON of `coredx scan --format json` or its SARIF)'}`);
  return { path, ...parsed };
}

function fromScanJson(doc: Record<string, unknown>, groups: BaselineGroup[], problem: string | null): Omit<Baseline, 'path'> | string {
  if (!Number.isInteger(doc.signatureVersion)) return 'a JSON report without signatureVersion (expected `coredx scan --format json` output)';
  const shard = doc.shard as { index?: unknown; total?: unknown } | undefined;
  if (isObject(shard) && shard.total !== 1) return `shard ${shard.index}/${shard.total} of a scan, not all of it: merge the shards (coredx merge) and use that`;
  if (problem !== null) return problem;
  return { signatureVersion: doc.signatureVersion as number, groups };
}

/** What a baseline keeps of one group of a scan report, or what is wrong with it. */
function fromScanGroup(g: unknown, intern: (s: string) => string): BaselineGroup | string {
  if (!isObject(g) || typeof g.signature !== 'string') return 'a group without a signature (expected `coredx scan --format json` output)';
  const first = Array.isArray(g.occurrences) && isObject(g.occurrences[0]) ? (g.occurrences[0] as { path: string; line: number }) : null;
  let title = '';
  try {
    title = groupTitle(g as unknown as CrashGroup);
  } catch {
    title = str(g.signatureText, g.signature);
  }
  const report = isObject(g.report) ? g.report : {};
  return {
    signature: g.signature,
    signatureText: str(g.signatureText, g.signature),
    title: intern(title),
    crashKind: intern(str(report.crashKind, str(g.signatureText).split(' | ')[0] || 'UNKNOWN')),
    severity: severityOf(g.severity),
    count: Number.isInteger(g.count) ? (g.count as number) : 1,
    first: first && typeof first.path === 'string' ? { path: intern(first.path), line: Number(first.line) || 1 } : null,
  };
}

function fromSarif(doc: Record<string, unknown>, results: (BaselineGroup & { version: number })[], problem: string | null): Omit<Baseline, 'path'> | string {
  const run = (doc.runs as unknown[])[0];
  if (!isObject(run) || !isObject(run.tool) || !isObject(run.tool.driver) || run.tool.driver.name !== 'coredx') return 'a SARIF log not written by coredx';
  if (problem !== null) return problem;
  const props = isObject(run.properties) ? run.properties : {};
  const version: number | null = Number.isInteger(props.signatureVersion) ? (props.signatureVersion as number) : (results[0]?.version ?? null);
  return { signatureVersion: version, groups: results.map(({ version: _v, ...g }) => g) };
}

/** What a baseline keeps of one SARIF result (with the signature version its fingerprint names), or what is wrong with it. */
function fromSarifResult(r: unknown, intern: (s: string) => string): (BaselineGroup & { version: number }) | string {
  if (!isObject(r) || !isObject(r.partialFingerprints)) return 'a SARIF result without coredx fingerprints';
  const key = Object.keys(r.partialFingerprints).find((k) => FINGERPRINT.test(k));
  const signature = key ? r.partialFingerprints[key] : undefined;
  if (!key || typeof signature !== 'string') return 'a SARIF result without a coredx crash signature';
  const p = isObject(r.properties) ? r.properties : {};
  const message = isObject(r.message) ? str(r.message.text) : '';
  const signatureText = str(p.signature, signature);
  return {
    signature,
    signatureText,
    title: intern(str(p.title, message.split('\n')[0]!.replace(/ \(\d+ occurrences?\)$/, ''))),
    crashKind: intern(signatureText.split(' | ')[0] || 'UNKNOWN'),
    severity: severityOf(p.severity ?? ({ error: 'high', warning: 'medium', note: 'low' } as Record<string, string>)[str(r.level)]),
    count: Number.isInteger(p.count) ? (p.count as number) : 1,
    first: sarifFirst(r, intern),
    version: Number(FINGERPRINT.exec(key)![1]),
  };
}

/** The artifact location of a result (its last location), as a path. */
function sarifFirst(r: Record<string, unknown>, intern: (s: string) => string): BaselineGroup['first'] {
  const loc = Array.isArray(r.locations) ? r.locations.at(-1) : null;
  const phys = isObject(loc) && isObject(loc.physicalLocation) ? loc.physicalLocation : null;
  const art = phys && isObject(phys.artifactLocation) ? phys.artifactLocation : null;
  if (!art || typeof art.uri !== 'string') return null;
  const line = isObject(phys!.region) && Number.isInteger(phys!.region.startLine) ? (phys!.region.startLine as number) : 1;
  try {
    if (art.uriBaseId === undefined && art.uri.startsWith('file:')) return { path: intern(fileURLToPath(art.uri)), line };
    return { path: intern(art.uri.split('/').map(decodeURIComponent).join('/')), line };
  } catch {
    return { path: art.uri, line };
  }
}

/** Marks each group new/unchanged (or unknown) and lists the baseline groups not seen. */
export function compareWithBaseline<T extends ScanResult>(result: T, baseline: Baseline): T & { baseline: BaselineComparison } {
  const comparable = baseline.signatureVersion === null || baseline.signatureVersion === result.signatureVersion;
  const known = new Set(baseline.groups.map((g) => g.signature));
  const seen = new Set(result.groups.map((g) => g.signature));
  // Each group as it is with its state added: its properties copied as they are (a compact group's
  // report and diagnosis stay where they are kept, not read back as `{...g}` would).
  const groups = result.groups.map((g): CrashGroup => {
    const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(g)) as CrashGroup;
    copy.baselineState = !comparable ? 'unknown' : known.has(g.signature) ? 'unchanged' : 'new';
    return copy;
  });
  const absent = comparable ? baseline.groups.filter((g) => !seen.has(g.signature)).map((g) => ({ ...g, baselineState: 'absent' as const })) : [];
  const count = (s: BaselineState) => groups.filter((g) => g.baselineState === s).length;
  return {
    ...result,
    groups,
    baseline: {
      path: baseline.path,
      signatureVersion: baseline.signatureVersion,
      comparable,
      message: comparable ? null : `cannot compare: baseline signature version ${baseline.signatureVersion}, this run ${result.signatureVersion}`,
      counts: { new: count('new'), unchanged: count('unchanged'), absent: absent.length, unknown: count('unknown') },
      absent,
    },
  };
}

/** "2 new, 1 unchanged, 1 absent (baseline FILE)", or the reason there is no comparison. */
export function baselineSummary(b: BaselineComparison): string {
  if (!b.comparable) return `${b.message} (baseline ${b.path}): groups not compared`;
  return `${b.counts.new} new, ${b.counts.unchanged} unchanged, ${b.counts.absent} absent (baseline ${b.path})`;
}
