// Grouping: crashes with the same signature are one group. Deterministic whatever order files
// finished in: occurrences are sorted by (path, line), the first one is shown in full, and the
// group's diagnosis is the highest-ranked one among all its occurrences (see rankDiagnoses).

import { firstMeaningfulFrame } from '../model.js';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import v8 from 'node:v8';
import { join } from 'node:path';
import type { Diagnosis, Report } from '../model.js';
import { compareDiagnoses } from '../rules/engine.js';

export type Severity = Diagnosis['severity'];
export const SEVERITIES: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
/** Severity of a crash that no rule diagnosed: a crash is a serious finding in CI. */
export const UNDIAGNOSED_SEVERITY: Severity = 'high';

type Location = { path: string; line: number };

export interface CrashGroup {
  signature: string;
  signatureText: string;
  count: number;
  occurrences: Location[];
  /** The severity of `diagnosis` (UNDIAGNOSED_SEVERITY when null): what --fail-on gates on. */
  severity: Severity;
  /** The highest-ranked diagnosis among the occurrences (each occurrence's top diagnosis), or null. */
  diagnosis: Diagnosis | null;
  /** The occurrence `diagnosis` comes from (the first such one when several tie). */
  diagnosisAt: Location;
  /** The first occurrence, in full. */
  report: Report;
  /** Compared with a baseline (--baseline): new, unchanged, or unknown (signature versions differ). */
  baselineState?: 'new' | 'unchanged' | 'unknown';
}

// Compact state. A group keeps its first occurrence's report in full, its occurrences' locations
// and the chosen diagnosis, nothing of the other reports. With spillReports() on (the CLI turns it
// on), the reports and diagnoses beyond the first few hundred groups are not even kept in memory:
// they are written (as JSON) to a temporary file, already unlinked, and read back when a renderer
// asks for them, so 100,000 distinct crashes cost their locations, not 100,000 reports of memory.
// A group whose report was written away is the same CrashGroup to its readers (its `report` and
// `diagnosis` are read back on access; JSON.stringify and withVisibleControls see them as before).

/** What a diagnosis is ranked by (compareDiagnoses, severity): kept in memory when the diagnosis is not. */
type DiagnosisKey = Pick<Diagnosis, 'scope' | 'confidence' | 'severity' | 'ruleId'>;

/** A value kept in memory, or written to the spill file. */
type Held<T> = { value: T } | Stored;

/** Where a value written to the spill file is (one object per value kept there). */
class Stored {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {}
}

/** Where a candidate's diagnosis is: a stored report's top diagnosis, or its own. */
type DiagnosisSource = { top: Held<Report> } | { own: Held<Diagnosis | null> };

interface Candidate {
  key: DiagnosisKey | null;
  at: Location;
  source: DiagnosisSource;
}

/** Keys are shared: a handful of rules diagnose 100,000s of groups. */
const keys = new Map<string, DiagnosisKey>();
const keyOf = (d: Diagnosis | null): DiagnosisKey | null => {
  if (!d) return null;
  const id = `${d.scope}\u0000${d.confidence}\u0000${d.severity}\u0000${d.ruleId}`;
  let key = keys.get(id);
  if (!key) {
    key = { scope: d.scope, confidence: d.confidence, severity: d.severity, ruleId: d.ruleId };
    if (keys.size < 10_000) keys.set(id, key);
  }
  return key;
};
const severityOf = (d: DiagnosisKey | null) => SEVERITIES.indexOf(d?.severity ?? UNDIAGNOSED_SEVERITY);

/**
 * Orders two occurrences' top diagnoses, best first: severity (a crash no rule diagnosed counts
 * as UNDIAGNOSED_SEVERITY and, at equal severity, comes after a diagnosed one), then the engine's
 * own ranking (known issues before crash classes, confidence, rule id), then location.
 */
function compareCandidates(a: Omit<Candidate, 'source'>, b: Omit<Candidate, 'source'>): number {
  const da = a.key;
  const db = b.key;
  return (
    severityOf(db) - severityOf(da) ||
    Number(!da) - Number(!db) ||
    // compareDiagnoses reads only the fields of a DiagnosisKey.
    (da && db ? compareDiagnoses(da as Diagnosis, db as Diagnosis) : 0) ||
    compareLocation(a.at, b.at)
  );
}

// ---- The spill file (one per thread, opened on first use) ----

const spill = { enabled: false, after: 0, held: 0, fd: -1, size: 0, failed: false, heapGrowingPercent: 0 };
/** The last values read back: a renderer asks for one group's report several times in a row. */
const recent = new Map<number, unknown>();
const RECENT = 8;

/**
 * Turns writing reports away to a temporary file on (or off): groups beyond the first `after` keep
 * their report and diagnosis there, not in memory (see above). Off by default: a library caller's
 * groups hold their objects. The file is unlinked as soon as it is open (nothing is left behind,
 * whatever ends the process); when it cannot be written (no temporary directory, a full disk) the
 * reports stay in memory.
 */
export function spillReports(options: { after?: number; heapGrowingPercent?: number } | false): void {
  spill.enabled = options !== false;
  spill.after = options === false ? 0 : Math.max(0, options.after ?? 0);
  spill.heapGrowingPercent = options === false ? 0 : (options.heapGrowingPercent ?? 0);
}

/**
 * A run large enough to spill (the CLI's) also asks V8 to grow its heap by `heapGrowingPercent`
 * over what is live after each full collection (V8's own factor goes up to 4x): the garbage of
 * 100,000s of reports read and written then waits in less memory, for some more collections. Set
 * once, for the process (worker threads included); small runs never pay for it.
 */
function tightenHeap(): void {
  if (spill.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(spill.heapGrowingPercent)}`);
}

function openSpill(): boolean {
  if (spill.fd >= 0) return true;
  if (spill.failed) return false;
  const path = join(tmpdir(), `coredx-groups-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    spill.fd = openSync(path, 'wx+', 0o600);
  } catch {
    spill.failed = true;
    return false;
  }
  tightenHeap();
  try {
    unlinkSync(path);
  } catch {
    // A system that cannot unlink an open file: removed at exit instead.
    process.once('exit', () => {
      try {
        closeSync(spill.fd);
        unlinkSync(path);
      } catch {
        // already gone
      }
    });
  }
  return true;
}

let shared = Buffer.alloc(0);
/** The one buffer values are written and read through, at least `length` bytes. */
function bufferOf(length: number): Buffer {
  if (shared.length < length) shared = Buffer.allocUnsafe(Math.max(length, 64 * 1024, shared.length * 2));
  return shared;
}

/** Keeps a value: in memory, or (spilling, beyond the first `after`) in the spill file. */
function hold<T>(value: T): Held<T> {
  if (!spill.enabled || value === null || spill.held++ < spill.after || !openSpill()) return { value };
  return writeSpill(JSON.stringify(value)) ?? { value };
}

/** Appends JSON text to the spill file; null when it cannot be written. */
function writeSpill(text: string): Stored | null {
  const length = Buffer.byteLength(text, 'utf8');
  // One buffer reused (grown to the largest value): no buffer of its own for each of 100,000s of values.
  const buf = bufferOf(length);
  buf.write(text, 0, length, 'utf8');
  try {
    for (let off = 0; off < length; ) off += writeSync(spill.fd, buf, off, length - off, spill.size + off);
  } catch {
    return null;
  }
  const stored = new Stored(spill.size, length);
  spill.size += length;
  return stored;
}

/** A stored value's bytes, in the shared buffer (valid until the next read or write). */
function readBytes({ offset, length }: Stored): Buffer {
  const buf = bufferOf(length);
  for (let off = 0; off < length; ) {
    const n = readSync(spill.fd, buf, off, length - off, offset + off);
    if (n === 0) throw new Error('coredx: the temporary file of crash reports was cut short');
    off += n;
  }
  return buf;
}

/** hold() for a value given as its JSON text: written as it is when it goes to the spill file, parsed only when it stays in memory. */
function holdText<T>(text: string): Held<T> {
  if (text === 'null') return { value: null as T };
  if (!spill.enabled || spill.held++ < spill.after || !openSpill()) return { value: JSON.parse(text) as T };
  const stored = writeSpill(text);
  return stored ?? { value: JSON.parse(text) as T };
}

/** A held value's JSON text (read from the spill file as it is, not parsed). */
function textOf<T>(h: Held<T>): string {
  if ('value' in h) return JSON.stringify(h.value) ?? 'null';
  return readBytes(h).toString('utf8', 0, h.length);
}

function read<T>(h: Held<T>): T {
  if ('value' in h) return h.value;
  const cached = recent.get(h.offset);
  if (cached !== undefined) return cached as T;
  const value = JSON.parse(readBytes(h).toString('utf8', 0, h.length)) as T;
  if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
  recent.set(h.offset, value);
  return value;
}

const diagnosisOf = (s: DiagnosisSource): Diagnosis | null => ('top' in s ? (read(s.top).diagnoses[0] ?? null) : read(s.own));

/** A candidate's source: a report in memory gives its diagnosis itself (the rest of the report is not kept for it). */
function sourceOf(report: Held<Report>): DiagnosisSource {
  return 'value' in report ? { own: { value: report.value.diagnoses[0] ?? null } } : { top: report };
}

interface Internals {
  report: Held<Report>;
  source: DiagnosisSource;
  key: DiagnosisKey | null;
}

/** Where a group made here keeps its report and diagnosis (so merging does not read them back): not enumerable, so not copied or written. */
const HELD = Symbol('coredx.held');
type HoldingGroup = CrashGroup & { [HELD]: Internals };

/** `report` and `diagnosis` read back on access (one pair of functions for every group), replaced when assigned. */
const lazy = (key: 'report' | 'diagnosis', get: (g: HoldingGroup) => unknown): PropertyDescriptor => ({
  enumerable: true,
  configurable: true,
  get(this: HoldingGroup) {
    return get(this);
  },
  set(this: HoldingGroup, value: unknown) {
    Object.defineProperty(this, key, { value, enumerable: true, configurable: true, writable: true });
  },
});
const LAZY_DIAGNOSIS = lazy('diagnosis', (g) => diagnosisOf(g[HELD].source));
const LAZY_REPORT = lazy('report', (g) => read(g[HELD].report));

function makeGroup(
  fields: Pick<CrashGroup, 'signature' | 'signatureText' | 'count' | 'occurrences' | 'severity'>,
  best: Candidate,
  report: Held<Report>,
): CrashGroup {
  const source = best.source;
  if ('value' in report && 'own' in source && 'value' in source.own) {
    return { ...fields, diagnosis: source.own.value, diagnosisAt: best.at, report: report.value };
  }
  // Same keys in the same order as a plain group. A literal (not `{...fields}`, which V8 gave a
  // hidden class of its own per group: ~400 bytes each) so that every group shares one.
  const group = { signature: fields.signature, signatureText: fields.signatureText, count: fields.count, occurrences: fields.occurrences, severity: fields.severity } as HoldingGroup;
  Object.defineProperty(group, HELD, { value: { report, source, key: best.key } satisfies Internals });
  Object.defineProperty(group, 'diagnosis', LAZY_DIAGNOSIS);
  group.diagnosisAt = best.at;
  Object.defineProperty(group, 'report', LAZY_REPORT);
  return group;
}

/** What merging needs of a group: its report and diagnosis where they are kept, and the diagnosis's rank. */
function partsOf(g: CrashGroup): Internals {
  const known = (g as Partial<HoldingGroup>)[HELD];
  if (known) return known;
  // A group from elsewhere (a JSON report's, one holding its objects): kept as a group made here would be.
  const report = hold(g.report);
  const top = g.report.diagnoses[0] ?? null;
  // Its diagnosis is its first report's top one when it is that very object (a structured clone keeps that).
  const source: DiagnosisSource = g.diagnosis === top && report instanceof Stored ? { top: report } : { own: hold(g.diagnosis) };
  return { report, source, key: keyOf(g.diagnosis) };
}

interface Entry {
  signatureText: string;
  first: Held<Report>;
  firstAt: Location;
  best: Candidate;
  occurrences: Location[];
}

/**
 * Collects reports into groups as they arrive, keeping only the first occurrence of each group in
 * full and the best diagnosis seen (memory grows with the number of distinct crashes, not with
 * the number of occurrences; with spillReports() on, by their locations only).
 */
export class GroupCollector {
  private readonly bySignature = new Map<string, Entry>();

  add(report: Report): void {
    const entry = this.bySignature.get(report.signature);
    const at = { path: report.source.path, line: report.source.line };
    const top = report.diagnoses[0] ?? null;
    const key = keyOf(top);
    if (!entry) {
      const first = hold(report);
      this.bySignature.set(report.signature, { signatureText: report.signatureText, first, firstAt: at, best: { key, at, source: sourceOf(first) }, occurrences: [at] });
      return;
    }
    entry.occurrences.push(at);
    const better = compareCandidates({ key, at }, entry.best) < 0;
    if (compareLocation(at, entry.firstAt) < 0) {
      const first = hold(report);
      entry.first = first;
      entry.firstAt = at;
      entry.signatureText = report.signatureText;
      if (better) entry.best = { key, at, source: sourceOf(first) };
    } else if (better) entry.best = { key, at, source: { own: hold(top) } };
  }

  /** The groups, in report order. The collector is emptied: each entry is dropped as its group is made (not two sets at once). */
  groups(): CrashGroup[] {
    const groups: CrashGroup[] = [];
    for (const [signature, { signatureText, first, best, occurrences }] of this.bySignature) {
      groups.push(makeGroup({ signature, signatureText, count: occurrences.length, occurrences: occurrences.sort(compareLocation), severity: best.key?.severity ?? UNDIAGNOSED_SEVERITY }, best, first));
      this.bySignature.delete(signature);
    }
    return sortGroups(groups);
  }
}

/** Groups in report order: severity, then count, then signature. */
export function sortGroups(groups: CrashGroup[]): CrashGroup[] {
  return groups.sort(
    (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || b.count - a.count || a.signature.localeCompare(b.signature),
  );
}

/**
 * Combines groups found by several scans of disjoint sets of files (shards) into the groups one
 * scan of all of them gives: occurrences united, the first occurrence the earliest of the firsts,
 * the diagnosis the best of each part's best (the same ranking as GroupCollector), same order.
 * Throws when two parts hold the same occurrence (the parts overlap).
 */
export function mergeGroups(parts: CrashGroup[][], options: { consume?: boolean } = {}): CrashGroup[] {
  // With `consume`, a part's groups are dropped as soon as it is merged (its array emptied), so two sets are never held.
  const fold = new GroupFold();
  for (let p = 0; p < parts.length; p++) {
    for (const g of parts[p]!) fold.add(g, !options.consume);
    if (options.consume) parts[p] = [];
  }
  return fold.groups();
}

interface FoldEntry {
  signatureText: string;
  firstAt: Location;
  report: Held<Report>;
  best: Candidate;
  occurrences: Location[];
}

/**
 * mergeGroups a part at a time: groups are added as their parts arrive (a thread's file, a
 * batch) and nothing else of the parts is kept. The result does not depend on the order they are
 * added in: the first occurrence is the least location, the best diagnosis the least by
 * compareCandidates (a total order: location breaks ties), and groups() sorts.
 */
export class GroupFold {
  private readonly bySignature = new Map<string, FoldEntry>();

  /** Groups so far. */
  get size(): number {
    return this.bySignature.size;
  }

  /** Adds a group; its occurrences array is taken over unless `copy`. */
  add(g: CrashGroup, copy = false): void {
    this.addParts(g.signature, g.signatureText, copy ? [...g.occurrences] : g.occurrences, g.diagnosisAt, partsOf(g));
  }

  /** Adds a group a thread packed (packGroup): its report kept from its JSON text, never parsed when it is written away. */
  addPacked(p: PackedGroup): void {
    const report = holdText<Report>(p.report);
    let source: DiagnosisSource;
    if (p.diagnosis !== null) source = { own: holdText<Diagnosis | null>(p.diagnosis) };
    else source = sourceOf(report);
    this.addParts(p.signature, p.signatureText, p.occurrences, p.diagnosisAt, { report, source, key: keyOf(p.key as Diagnosis | null) });
  }

  private addParts(signature: string, signatureText: string, occurrences: Location[], diagnosisAt: Location, { report, source, key }: Internals): void {
    const candidate: Candidate = { key, at: diagnosisAt, source };
    const entry = this.bySignature.get(signature);
    if (!entry) {
      this.bySignature.set(signature, { signatureText, firstAt: occurrences[0]!, report, best: candidate, occurrences });
      return;
    }
    for (const o of occurrences) entry.occurrences.push(o);
    if (compareLocation(occurrences[0]!, entry.firstAt) < 0) {
      entry.signatureText = signatureText;
      entry.firstAt = occurrences[0]!;
      entry.report = report;
    }
    if (compareCandidates(candidate, entry.best) < 0) entry.best = candidate;
  }

  /** The merged groups in report order; the fold is emptied (each entry dropped as its group is made). */
  groups(): CrashGroup[] {
    const groups: CrashGroup[] = [];
    for (const [signature, { signatureText, report, best, occurrences }] of this.bySignature) {
      occurrences.sort(compareLocation);
      for (let i = 1; i < occurrences.length; i++) {
        if (compareLocation(occurrences[i - 1]!, occurrences[i]!) === 0) throw new Error(`${occurrences[i]!.path}:${occurrences[i]!.line} is in more than one report (do the shards overlap?)`);
      }
      groups.push(makeGroup({ signature, signatureText, count: occurrences.length, occurrences, severity: best.key?.severity ?? UNDIAGNOSED_SEVERITY }, best, report));
      this.bySignature.delete(signature);
    }
    return sortGroups(groups);
  }
}

/**
 * A group as a thread posts it to the main thread (see parallel.ts): its report and diagnosis as
 * JSON text (one string each, cheap to post, and written to the spill file as it is, never parsed
 * on the main thread), its locations, and what its diagnosis is ranked by.
 */
export interface PackedGroup {
  signature: string;
  signatureText: string;
  occurrences: Location[];
  diagnosisAt: Location;
  key: DiagnosisKey | null;
  /** The first occurrence's report, as JSON. */
  report: string;
  /** The group's diagnosis as JSON; null when it is the report's own top diagnosis (not written twice). */
  diagnosis: string | null;
}

export function packGroup(g: CrashGroup): PackedGroup {
  const { report, source, key } = partsOf(g);
  const own = 'own' in source ? source.own : null;
  // The diagnosis is the report's top one (a group made here from a report in memory holds that very object).
  const top = own === null || ('value' in own && 'value' in report && own.value === (report.value.diagnoses[0] ?? null));
  return {
    signature: g.signature,
    signatureText: g.signatureText,
    occurrences: g.occurrences,
    diagnosisAt: g.diagnosisAt,
    key,
    report: textOf(report),
    diagnosis: top ? null : textOf(own),
  };
}

/**
 * One group kept compactly (its report and diagnosis written away when spillReports() is on, read
 * back on access): the same group to its readers, cheap to merge (mergeGroups does not read it back).
 */
export function holdGroup(g: CrashGroup): CrashGroup {
  const parts = partsOf(g);
  if ('value' in parts.report && 'own' in parts.source && 'value' in parts.source.own) return g;
  return makeGroup(
    { signature: g.signature, signatureText: g.signatureText, count: g.count, occurrences: g.occurrences, severity: g.severity },
    { key: parts.key, at: g.diagnosisAt, source: parts.source },
    parts.report,
  );
}

/** Groups kept compactly (their reports written away when spillReports() is on): the same groups, same order. */
export function compactGroups(groups: CrashGroup[]): CrashGroup[] {
  return mergeGroups([groups]);
}

function compareLocation(a: Location, b: Location): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}

/** A group's title in every format: its diagnosis' title, or its crash kind and first frame. */
export function groupTitle(g: CrashGroup): string {
  if (g.diagnosis) return g.diagnosis.title;
  // A trace that printed no signal (eu-stack on a core, a bare bt) says "crash", not "UNKNOWN".
  const kind = g.report.crashKind === 'UNKNOWN' ? 'Crash (signal not shown)' : g.report.crashKind;
  return `${kind} in ${g.report.signatureFrames[0] ?? 'unknown code'}`;
}

/** The first meaningful frame with a file, when that file is in the repository (see SarifContext.sources). */
export function sourceFrameOf(g: CrashGroup) {
  const r = g.report;
  const i = firstMeaningfulFrame(r, (f) => !!f.file);
  return i < 0 ? null : r.threads[r.crashedThread!]!.frames[i]!;
}
