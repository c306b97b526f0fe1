// `coredx scan --format github`: workflow-command annotations (::error file=...,line=...::message),
// written a group at a time (see stream.ts).

import type { ScanReport } from '../scan/baseline.js';
import { escapeCommandData, escapeCommandProperty, visibleControls } from './escape.js';
import { diagnosisText, groupTitle } from './group-text.js';
import { joinChunks, visibleGroups } from './stream.js';

const COMMAND = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' } as const;

export function renderGithub(input: ScanReport): string {
  return joinChunks(githubChunks(input));
}

export function* githubChunks(input: ScanReport): Generator<string> {
  // Control characters from logs as visible \xNN: a workflow log is shown on a terminal-like view.
  const b = input.baseline;
  if (b && !b.comparable) yield `::warning title=coredx%3A baseline::${escapeCommandData(`${visibleControls(b.message ?? 'null')} (baseline ${visibleControls(b.path)}): every group is annotated`)}\n`;
  // With a baseline, only new groups are annotated (all of them when the baseline cannot be compared).
  const groups = b?.comparable ? input.groups.filter((g) => g.baselineState === 'new') : input.groups;
  for (const g of visibleGroups(groups, 1)) {
    const first = g.occurrences[0]!;
    const props = `file=${escapeCommandProperty(first.path)},line=${first.line},title=${escapeCommandProperty(`coredx: ${b?.comparable ? 'new: ' : ''}${groupTitle(g)} (${g.count}x)`)}`;
    yield `::${COMMAND[g.severity]} ${props}::${escapeCommandData(diagnosisText(g))}\n`;
  }
  for (const s of input.files.skipped) {
    if (s.error) yield `::warning file=${escapeCommandProperty(visibleControls(s.path))},title=coredx%3A file not read::${escapeCommandData(visibleControls(s.reason))}\n`;
  }
}
