// `coredx scan --format text`: summary table, top frames per group, totals. Written a group at a
// time (see stream.ts): one pass over the groups for the table's column widths, then the rows.

import type { ChalkInstance } from 'chalk';
import { baselineSummary, type ScanReport } from '../scan/baseline.js';
import type { CrashGroup } from '../scan/group.js';
import { visibleControls, withVisibleControls } from './escape.js';
import { groupTitle, topFrames } from './group-text.js';
import { joinChunks, visibleGroups } from './stream.js';

export function renderScanText(input: ScanReport, chalk: ChalkInstance): string {
  return joinChunks(scanTextChunks(input, chalk));
}

export function* scanTextChunks(input: ScanReport, chalk: ChalkInstance): Generator<string> {
  // Control characters from logs (escape sequences, backspaces) never reach the terminal raw; the
  // colours are added afterwards.
  const c = chalk;
  const b = input.baseline ? withVisibleControls({ ...input.baseline, absent: [] }) : undefined;
  const absent = input.baseline?.absent ?? [];
  if (input.groups.length > 0) {
    // With --baseline, a "state" column: new, unchanged, or unknown (signature versions differ).
    const state = b ? (g: CrashGroup) => [g.baselineState ?? 'unknown'] : () => [];
    const row = (g: CrashGroup, i: number) => [String(i + 1), ...state(g), String(g.count), g.severity, groupTitle(g), `${g.occurrences[0]!.path}:${g.occurrences[0]!.line}`];
    const head = ['#', ...(b ? ['state'] : []), 'count', 'severity', 'diagnosis', 'first seen'];
    const widths = head.map((h) => h.length);
    let i = 0;
    for (const g of visibleGroups(input.groups, 1)) row(g, i++).forEach((cell, k) => (widths[k] = Math.max(widths[k]!, cell.length)));
    for (let k = 0; k < widths.length; k++) widths[k] = Math.min(60, widths[k]!);
    const fmt = (r: string[]) => r.map((cell, k) => (cell.length > widths[k]! ? cell.slice(0, widths[k]! - 1) + '…' : cell.padEnd(widths[k]!))).join('  ');
    yield `${c.bold(fmt(head))}\n`;
    i = 0;
    for (const g of visibleGroups(input.groups, 1)) yield `${fmt(row(g, i++))}\n`;
    yield '\n';
    i = 0;
    for (const g of visibleGroups(input.groups, 4)) {
      const out = [c.bold(`[${++i}] ${groupTitle(g)}`) + c.dim(`  ${g.signatureText} [${g.signature}]`)];
      for (const f of topFrames(g, 5)) out.push(`    ${f}`);
      if (g.diagnosis?.remediation[0]) out.push(c.green(`    fix: ${g.diagnosis.remediation[0]}`));
      if (g.count > 1) out.push(c.dim(`    also at: ${g.occurrences.slice(1, 4).map((o) => `${o.path}:${o.line}`).join(', ')}${g.count > 4 ? `, +${g.count - 4} more` : ''}`));
      yield `${out.join('\n')}\n`;
    }
    yield '\n';
  }
  if (b && absent.length > 0) {
    yield `${c.bold(`absent: ${absent.length} group${absent.length === 1 ? '' : 's'} of the baseline not seen in this run`)}\n`;
    for (const a of absent) {
      const g = withVisibleControls(a);
      yield `    ${g.title}  ${c.dim(`${g.signatureText} [${g.signature}]`)}  (was ${g.count}x, ${g.severity}${g.first ? `, first at ${g.first.path}:${g.first.line}` : ''})\n`;
    }
    yield '\n';
  }
  const skipped = input.files.skipped;
  for (const s of skipped) yield `${c.dim(`skipped ${visibleControls(s.path)}: ${visibleControls(s.reason)}`)}\n`;
  const t = input.totals;
  // A path that is not there (or a glob that matched nothing) is not a file found.
  let missing = 0;
  let missingErrors = 0;
  for (const s of skipped) {
    const reason = visibleControls(s.reason);
    if (reason === 'no such file or directory' || reason === 'glob matched no file') {
      missing++;
      if (s.error) missingErrors++;
    }
  }
  const unreadable = t.errors - missingErrors;
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  yield `${n(t.files - missing, 'file')} found${missing ? ` (${n(missing, 'path')} not found)` : ''}, ${t.scanned} scanned, ${t.skipped - missing} skipped${unreadable ? ` (${unreadable} unreadable)` : ''}; ${n(t.crashes, 'crash', 'crashes')} in ${n(t.groups, 'group')}\n`;
  if (b) yield `baseline: ${baselineSummary(b)}\n`;
}
