// `coredx scan --format github`: workflow-command annotations (::error file=...,line=...::message),
// written a group at a time (see stream.ts).

import type { ScanReport } from '../scan/baseline.js';
import type { CrashGroup } from '../scan/group.js';
import { escapeCommandData, escapeCommandPath, escapeCommandProperty, visibleControls } from './escape.js';
import { diagnosisText, groupTitle } from './group-text.js';
import { joinChunks, visibleGroups } from './stream.js';

const COMMAND = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' } as const;

export function renderGithub(input: ScanReport): string {
  return joinChunks(githubChunks(input));
}

export function* githubChunks(input: ScanReport): Generator<string> {
  // Control characters from logs as visible \xNN in text (a workflow log is shown on a terminal-like
  // view); file= names the real file (escapeCommandPath), or the annotation would point at no file.
  const b = input.baseline;
  if (b && !b.comparable) yield `::warning title=coredx%3A baseline::${escapeCommandData(`${visibleControls(b.message ?? 'null')} (baseline ${visibleControls(b.path)}): every group is annotated`)}\n`;
  // With a baseline, only new groups are annotated (all of them when the baseline cannot be compared).
  const groups = b?.comparable ? input.groups.filter((g) => g.baselineState === 'new') : input.groups;
  for (const group of groups) {
    const first = group.occurrences[0]!;
    const g: CrashGroup = visibleGroups([group], 1).next().value!;
    const props = `file=${escapeCommandPath(first.path)},line=${first.line},title=${escapeCommandProperty(`coredx: ${b?.comparable ? 'new: ' : ''}${groupTitle(g)} (${g.count}x)`)}`;
    yield `::${COMMAND[g.severity]} ${props}::${escapeCommandData(diagnosisText(g))}\n`;
  }
  for (const s of input.files.skipped) {
    if (s.error) yield `::warning file=${escapeCommandPath(s.path)},title=coredx%3A file not read::${escapeCommandData(visibleControls(s.reason))}\n`;
  }
}
