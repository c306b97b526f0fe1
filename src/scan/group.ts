// Grouping: crashes with the same signature are one group. Deterministic whatever order files
// finished in: occurrences are sorted by (path, line) and the first one is shown in full.

import type { Diagnosis, Report } from '../model.js';

export type Severity = Diagnosis['severity'];
export const SEVERITIES: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
/** Severity of a crash that no rule diagnosed: a crash is a serious finding in CI. */
export const UNDIAGNOSED_SEVERITY: Severity = 'high';

export interface CrashGroup {
  signature: string;
  signatureText: string;
  count: number;
  occurrences: { path: string; line: number }[];
  severity: Severity;
  diagnosis: Diagnosis | null;
  /** The first occurrence, in full. */
  report: Report;
}

/**
 * Collects reports into groups as they arrive, keeping only the first occurrence of each group in
 * full (memory grows with the number of distinct crashes, not with the number of occurrences).
 */
export class GroupCollector {
  private readonly bySignature = new Map<string, { first: Report; occurrences: { path: string; line: number }[] }>();

  add(report: Report): void {
    const entry = this.bySignature.get(report.signature);
    const at = { path: report.source.path, line: report.source.line };
    if (!entry) this.bySignature.set(report.signature, { first: report, occurrences: [at] });
    else {
      entry.occurrences.push(at);
      if (compareLocation(at, entry.first.source) < 0) entry.first = report;
    }
  }

  groups(): CrashGroup[] {
    const groups = [...this.bySignature.values()].map(({ first, occurrences }) => {
      const diagnosis = first.diagnoses[0] ?? null;
      return {
        signature: first.signature,
        signatureText: first.signatureText,
        count: occurrences.length,
        occurrences: occurrences.sort(compareLocation),
        severity: diagnosis?.severity ?? UNDIAGNOSED_SEVERITY,
        diagnosis,
        report: first,
      };
    });
    return groups.sort(
      (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || b.count - a.count || a.signature.localeCompare(b.signature),
    );
  }
}

function compareLocation(a: { path: string; line: number }, b: { path: string; line: number }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}
