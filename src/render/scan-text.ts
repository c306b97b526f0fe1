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
  out.push(`${t.files} file${t.files === 1 ? '' : 's'} found, ${t.scanned} scanned, ${t.skipped} skipped${t.errors ? ` (${t.errors} unreadable)` : ''}; ${t.crashes} crash${t.crashes === 1 ? '' : 'es'} in ${t.groups} group${t.groups === 1 ? '' : 's'}`);
  if (b) out.push(`baseline: ${baselineSummary(b)}`);
  return out.join('\n') + '\n';
}
