// `coredx scan --format markdown`: for $GITHUB_STEP_SUMMARY and PR comments. Every string from a
// log is escaped for where it lands (Markdown text, or raw HTML: <summary>, <code>, <pre>), so it
// renders as written and cannot inject markup, links, @mentions or issue references; control
// characters are shown as \xNN.

import { baselineSummary, type ScanReport } from '../scan/baseline.js';
import { escapeHtmlInMarkdown as escapeHtml, escapeMarkdown, withVisibleControls } from './escape.js';
import { groupTitle, topFrames } from './group-text.js';

export function renderMarkdown(input: ScanReport): string {
  const result = withVisibleControls(input);
  const t = result.totals;
  const out: string[] = ['## coredx: crash report', ''];
  out.push(`${t.crashes} crash${t.crashes === 1 ? '' : 'es'} in ${t.groups} group${t.groups === 1 ? '' : 's'}; ${t.scanned} of ${t.files} files scanned, ${t.skipped} skipped.`, '');
  const b = result.baseline;
  if (b) out.push(b.comparable ? `Compared with the baseline: ${escapeMarkdown(baselineSummary(b))}.` : `> **Warning:** ${escapeMarkdown(baselineSummary(b))}.`, '');
  if (result.groups.length > 0) {
    // With --baseline, a "state" column: new, unchanged, or unknown (signature versions differ).
    const state = (g: (typeof result.groups)[number]) => (b ? ` ${g.baselineState === 'new' ? '**new**' : (g.baselineState ?? 'unknown')} |` : '');
    out.push(`| # |${b ? ' state |' : ''} count | severity | diagnosis | first seen |`, `|---|${b ? '---|' : ''}---|---|---|---|`);
    result.groups.forEach((g, i) => {
      const first = g.occurrences[0]!;
      out.push(`| ${i + 1} |${state(g)} ${g.count} | ${g.severity} | ${escapeMarkdown(groupTitle(g))} | ${escapeMarkdown(`${first.path}:${first.line}`)} |`);
    });
    out.push('');
  }
  result.groups.forEach((g, i) => {
    out.push('<details>', `<summary>${i + 1}. ${escapeHtml(groupTitle(g))} (${g.count}×, ${g.severity}${b ? `, ${g.baselineState ?? 'unknown'}` : ''})</summary>`, '');
    if (g.diagnosis) {
      out.push(`**Root cause.** ${escapeMarkdown(g.diagnosis.rootCause)}`, '', '**Remediation**', '');
      g.diagnosis.remediation.forEach((s, k) => out.push(`${k + 1}. ${escapeMarkdown(s)}`));
      out.push('');
    } else out.push('No known-issue rule matched.', '');
    out.push(`Signature: <code>${escapeHtml(g.signatureText)}</code>`, '', '<pre>', ...topFrames(g).map(escapeHtml), '</pre>', '');
    out.push(`Occurrences: ${g.occurrences.slice(0, 20).map((o) => escapeMarkdown(`${o.path}:${o.line}`)).join(', ')}${g.count > 20 ? `, +${g.count - 20} more` : ''}`, '', '</details>', '');
  });
  if (b && b.absent.length > 0) {
    out.push('<details>', `<summary>Absent: ${b.absent.length} group${b.absent.length === 1 ? '' : 's'} of the baseline not seen in this run</summary>`, '');
    out.push('| state | count before | severity | diagnosis | first seen before |', '|---|---|---|---|---|');
    for (const g of b.absent) out.push(`| absent | ${g.count} | ${g.severity} | ${escapeMarkdown(g.title)} | ${g.first ? escapeMarkdown(`${g.first.path}:${g.first.line}`) : ''} |`);
    out.push('', '</details>', '');
  }
  if (result.files.skipped.length > 0) {
    out.push('<details>', `<summary>Skipped files (${result.files.skipped.length})</summary>`, '');
    for (const s of result.files.skipped) out.push(`- ${escapeMarkdown(s.path)}: ${escapeMarkdown(s.reason)}`);
    out.push('', '</details>', '');
  }
  return out.join('\n');
}
