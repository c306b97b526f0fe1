// `coredx scan --format text`: summary table, top frames per group, totals.

import type { ChalkInstance } from 'chalk';
import { baselineSummary, type ScanReport } from '../scan/baseline.js';
import { withVisibleControls } from './escape.js';
import { groupTitle, topFrames } from './group-text.js';

export function renderScanText(input: ScanReport, chalk: ChalkInstance): string {
  // Control characters from logs (escape sequences, backspaces) never reach the terminal raw; the
  // colours are added afterwards.
  const result = withVisibleControls(input);
  const c = chalk;
  const out: string[] = [];
  if (result.groups.length > 0) {
    // With --baseline, a "state" column: new, unchanged, or unknown (signature versions differ).
    const state = result.baseline ? (g: (typeof result.groups)[number]) => [g.baselineState ?? 'unknown'] : () => [];
    const rows = result.groups.map((g, i) => [String(i + 1), ...state(g), String(g.count), g.severity, groupTitle(g), `${g.occurrences[0]!.path}:${g.occurrences[0]!.line}`]);
    const head = ['#', ...(result.baseline ? ['state'] : []), 'count', 'severity', 'diagnosis', 'first seen'];
    const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
    const fmt = (r: string[]) => r.map((cell, i) => (cell.length > widths[i]! ? cell.slice(0, widths[i]! - 1) + '…' : cell.padEnd(widths[i]!))).join('  ');
    out.push(c.bold(fmt(head)));
    for (const r of rows) out.push(fmt(r));
    out.push('');
    result.groups.forEach((g, i) => {
      out.push(c.bold(`[${i + 1}] ${groupTitle(g)}`) + c.dim(`  ${g.signatureText} [${g.signature}]`));
      for (const f of topFrames(g, 5)) out.push(`    ${f}`);
      if (g.diagnosis?.remediation[0]) out.push(c.green(`    fix: ${g.diagnosis.remediation[0]}`));
      if (g.count > 1) out.push(c.dim(`    also at: ${g.occurrences.slice(1, 4).map((o) => `${o.path}:${o.line}`).join(', ')}${g.count > 4 ? `, +${g.count - 4} more` : ''}`));
    });
    out.push('');
  }
  const b = result.baseline;
  if (b && b.absent.length > 0) {
    out.push(c.bold(`absent: ${b.absent.length} group${b.absent.length === 1 ? '' : 's'} of the baseline not seen in this run`));
    for (const g of b.absent) out.push(`    ${g.title}  ${c.dim(`${g.signatureText} [${g.signature}]`)}  (was ${g.count}x, ${g.severity}${g.first ? `, first at ${g.first.path}:${g.first.line}` : ''})`);
    out.push('');
  }
  for (const s of result.files.skipped) out.push(c.dim(`skipped ${s.path}: ${s.reason}`));
  const t = result.totals;
  // A path that is not there (or a glob that matched nothing) is not a file found.
  const notThere = result.files.skipped.filter((s) => s.reason === 'no such file or directory' || s.reason === 'glob matched no file');
  const missing = notThere.length;
  const unreadable = t.errors - notThere.filter((s) => s.error).length;
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  out.push(`${n(t.files - missing, 'file')} found${missing ? ` (${n(missing, 'path')} not found)` : ''}, ${t.scanned} scanned, ${t.skipped - missing} skipped${unreadable ? ` (${unreadable} unreadable)` : ''}; ${n(t.crashes, 'crash', 'crashes')} in ${n(t.groups, 'group')}`);
  if (b) out.push(`baseline: ${baselineSummary(b)}`);
  return out.join('\n') + '\n';
}
