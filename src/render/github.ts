// `coredx scan --format github`: workflow-command annotations (::error file=...,line=...::message).

import type { ScanReport } from '../scan/baseline.js';
import { escapeCommandData, escapeCommandProperty, withVisibleControls } from './escape.js';
import { diagnosisText, groupTitle } from './group-text.js';

const COMMAND = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' } as const;

export function renderGithub(input: ScanReport): string {
  // Control characters from logs as visible \xNN: a workflow log is shown on a terminal-like view.
  const result = withVisibleControls(input);
  const b = result.baseline;
  // With a baseline, only new groups are annotated (all of them when the baseline cannot be compared).
  const groups = b?.comparable ? result.groups.filter((g) => g.baselineState === 'new') : result.groups;
  const lines = b && !b.comparable ? [`::warning title=coredx%3A baseline::${escapeCommandData(`${b.message} (baseline ${b.path}): every group is annotated`)}`] : [];
  lines.push(...groups.map((g) => {
    const first = g.occurrences[0]!;
    const props = `file=${escapeCommandProperty(first.path)},line=${first.line},title=${escapeCommandProperty(`coredx: ${b?.comparable ? 'new: ' : ''}${groupTitle(g)} (${g.count}x)`)}`;
    return `::${COMMAND[g.severity]} ${props}::${escapeCommandData(diagnosisText(g))}`;
  }));
  for (const s of result.files.skipped.filter((s) => s.error)) {
    lines.push(`::warning file=${escapeCommandProperty(s.path)},title=coredx%3A file not read::${escapeCommandData(s.reason)}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}
