// `coredx scan --format junit`: one failing test case per crash group, for Jenkins and GitLab.
// Written a test case at a time (see stream.ts).

import type { ScanReport } from '../scan/baseline.js';
import { escapeXml, visibleControls, withVisibleControls } from './escape.js';
import { diagnosisText, groupTitle, topFrames } from './group-text.js';
import { joinChunks, visibleGroups } from './stream.js';

export function renderJunit(input: ScanReport): string {
  return joinChunks(junitChunks(input));
}

export function* junitChunks(input: ScanReport): Generator<string> {
  // XML 1.0 forbids most control characters: those from logs are shown as \xNN (a group at a time).
  const n = input.groups.length;
  const b = input.baseline;
  const message = b?.message ? visibleControls(b.message) : b?.message;
  const tests = Math.max(1, n + (b?.absent.length ?? 0));
  yield [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="coredx" tests="${tests}" failures="${n}" errors="0">`,
    `  <testsuite name="coredx scan" tests="${tests}" failures="${n}" errors="0" skipped="0">`,
    '',
  ].join('\n');
  for (const g of visibleGroups(input.groups, 100)) {
    const first = g.occurrences[0]!;
    const details = `${diagnosisText(g)}\n\nTop frames:\n${topFrames(g).join('\n')}\n\nOccurrences (${g.count}):\n${g.occurrences.slice(0, 100).map((o) => `${o.path}:${o.line}`).join('\n')}`;
    const state = b ? g.baselineState ?? 'unknown' : null;
    yield [
      `    <testcase classname="coredx.${escapeXml(g.report.crashKind)}" name="${escapeXml(`${groupTitle(g)} [${g.signature}]`)}" file="${escapeXml(first.path)}" line="${first.line}">`,
      ...(state ? [`      <properties><property name="baselineState" value="${state}"/></properties>`] : []),
      `      <failure message="${escapeXml(`${state ? `${state}: ` : ''}${groupTitle(g)}`)}" type="${escapeXml(g.diagnosis?.category ?? 'crash')}">${escapeXml(`${state ? `Baseline state: ${state}${message ? ` (${message})` : ''}\n\n` : ''}${details}`)}</failure>`,
      `    </testcase>`,
      '',
    ].join('\n');
  }
  // A baseline group not seen any more passes, under the name it failed under: shown as fixed.
  for (const absent of b?.absent ?? []) {
    const g = withVisibleControls(absent);
    yield [
      `    <testcase classname="coredx.${escapeXml(g.crashKind)}" name="${escapeXml(`${g.title} [${g.signature}]`)}"${g.first ? ` file="${escapeXml(g.first.path)}" line="${g.first.line}"` : ''}>`,
      `      <properties><property name="baselineState" value="absent"/></properties>`,
      `      <system-out>${escapeXml(`absent: in the baseline (${g.count} occurrence${g.count === 1 ? '' : 's'}), not in this run`)}</system-out>`,
      `    </testcase>`,
      '',
    ].join('\n');
  }
  if (n + (b?.absent.length ?? 0) === 0) yield '    <testcase classname="coredx" name="no crashes found"/>\n';
  yield ['  </testsuite>', '</testsuites>', ''].join('\n');
}
