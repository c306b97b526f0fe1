// Grouping: crashes with the same signature are one group. Deterministic whatever order files
// finished in: occurrences are sorted by (path, line), the first one is shown in full, and the
// group's diagnosis is the highest-ranked one among all its occurrences (see rankDiagnoses).

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

interface Candidate {
  diagnosis: Diagnosis | null;
  at: Location;
}

const severityOf = (d: Diagnosis | null) => SEVERITIES.indexOf(d?.severity ?? UNDIAGNOSED_SEVERITY);

/**
 * Orders two occurrences' top diagnoses, best first: severity (a crash no rule diagnosed counts
 * as UNDIAGNOSED_SEVERITY and, at equal severity, comes after a diagnosed one), then the engine's
 * own ranking (known issues before crash classes, confidence, rule id), then location.
 */
function compareCandidates(a: Candidate, b: Candidate): number {
  const da = a.diagnosis;
  const db = b.diagnosis;
  return (
    severityOf(db) - severityOf(da) ||
    Number(!da) - Number(!db) ||
    (da && db ? compareDiagnoses(da, db) : 0) ||
    compareLocation(a.at, b.at)
  );
}

/**
 * Collects reports into groups as they arrive, keeping only the first occurrence of each group in
 * full and the best diagnosis seen (memory grows with the number of distinct crashes, not with
 * the number of occurrences).
 */
export class GroupCollector {
  private readonly bySignature = new Map<string, { first: Report; best: Candidate; occurrences: Location[] }>();

  add(report: Report): void {
    const entry = this.bySignature.get(report.signature);
    const at = { path: report.source.path, line: report.source.line };
    const candidate = { diagnosis: report.diagnoses[0] ?? null, at };
    if (!entry) this.bySignature.set(report.signature, { first: report, best: candidate, occurrences: [at] });
    else {
      entry.occurrences.push(at);
      if (compareLocation(at, entry.first.source) < 0) entry.first = report;
      if (compareCandidates(candidate, entry.best) < 0) entry.best = candidate;
    }
  }

  groups(): CrashGroup[] {
    const groups = [...this.bySignature.values()].map(({ first, best, occurrences }): CrashGroup => ({
      signature: first.signature,
      signatureText: first.signatureText,
      count: occurrences.length,
      occurrences: occurrences.sort(compareLocation),
      severity: best.diagnosis?.severity ?? UNDIAGNOSED_SEVERITY,
      diagnosis: best.diagnosis,
      diagnosisAt: best.at,
      report: first,
    }));
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
export function mergeGroups(parts: CrashGroup[][]): CrashGroup[] {
  const bySignature = new Map<string, { first: CrashGroup; best: Candidate; occurrences: Location[] }>();
  for (const part of parts) {
    for (const g of part) {
      const candidate = { diagnosis: g.diagnosis, at: g.diagnosisAt };
      const entry = bySignature.get(g.signature);
      if (!entry) bySignature.set(g.signature, { first: g, best: candidate, occurrences: [...g.occurrences] });
      else {
        entry.occurrences.push(...g.occurrences);
        if (compareLocation(g.occurrences[0]!, entry.first.occurrences[0]!) < 0) entry.first = g;
        if (compareCandidates(candidate, entry.best) < 0) entry.best = candidate;
      }
    }
  }
  const groups = [...bySignature.values()].map(({ first, best, occurrences }): CrashGroup => {
    occurrences.sort(compareLocation);
    for (let i = 1; i < occurrences.length; i++) {
      if (compareLocation(occurrences[i - 1]!, occurrences[i]!) === 0) throw new Error(`${occurrences[i]!.path}:${occurrences[i]!.line} is in more than one report (do the shards overlap?)`);
    }
    return {
      signature: first.signature,
      signatureText: first.signatureText,
      count: occurrences.length,
      occurrences,
      severity: best.diagnosis?.severity ?? UNDIAGNOSED_SEVERITY,
      diagnosis: best.diagnosis,
      diagnosisAt: best.at,
      report: first.report,
    };
  });
  return sortGroups(groups);
}

function compareLocation(a: Location, b: Location): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}
