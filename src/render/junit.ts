// `coredx scan --format junit`: one failing test case per crash group, for Jenkins and GitLab.

import type { ScanResult } from '../scan/scan.js';
import { escapeXml, withVisibleControls } from './escape.js';
import { diagnosisText, groupTitle, topFrames } from './group-text.js';

export function renderJunit(input: ScanResult): string {
  // XML 1.0 forbids most control characters: those from logs are shown as \xNN.
  const result = withVisibleControls(input);
  const n = result.groups.length;
  const cases = result.groups.map((g) => {
    const first = g.occurrences[0]!;
    const details = `${diagnosisText(g)}\n\nTop frames:\n${topFrames(g).join('\n')}\n\nOccurrences (${g.count}):\n${g.occurrences.slice(0, 100).map((o) => `${o.path}:${o.line}`).join('\n')}`;
    return [
      `    <testcase classname="coredx.${escapeXml(g.report.crashKind)}" name="${escapeXml(`${groupTitle(g)} [${g.signature}]`)}" file="${escapeXml(first.path)}" line="${first.line}">`,
      `      <failure message="${escapeXml(groupTitle(g))}" type="${escapeXml(g.diagnosis?.category ?? 'crash')}">${escapeXml(details)}</failure>`,
      `    </testcase>`,
    ].join('\n');
  });
  if (n === 0) cases.push('    <testcase classname="coredx" name="no crashes found"/>');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="coredx" tests="${Math.max(1, n)}" failures="${n}" errors="0">`,
    `  <testsuite name="coredx scan" tests="${Math.max(1, n)}" failures="${n}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
