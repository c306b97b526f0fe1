// `coredx scan --format github`: workflow-command annotations (::error file=...,line=...::message).

import type { ScanResult } from '../scan/scan.js';
import { escapeCommandData, escapeCommandProperty, withVisibleControls } from './escape.js';
import { diagnosisText, groupTitle } from './group-text.js';

const COMMAND = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' } as const;

export function renderGithub(input: ScanResult): string {
  // Control characters from logs as visible \xNN: a workflow log is shown on a terminal-like view.
  const result = withVisibleControls(input);
  const lines = result.groups.map((g) => {
    const first = g.occurrences[0]!;
    const props = `file=${escapeCommandProperty(first.path)},line=${first.line},title=${escapeCommandProperty(`coredx: ${groupTitle(g)} (${g.count}x)`)}`;
    return `::${COMMAND[g.severity]} ${props}::${escapeCommandData(diagnosisText(g))}`;
  });
  for (const s of result.files.skipped.filter((s) => s.error)) {
    lines.push(`::warning file=${escapeCommandProperty(s.path)},title=coredx%3A file not read::${escapeCommandData(s.reason)}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}
