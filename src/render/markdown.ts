// `coredx scan --format markdown`: for $GITHUB_STEP_SUMMARY and PR comments. Every string from a
// log is escaped for where it lands (Markdown text, or raw HTML: <summary>, <code>, <pre>), so it
// renders as written and cannot inject markup, links, @mentions or issue references; control
// characters are shown as \xNN.

import type { ScanResult } from '../scan/scan.js';
import { escapeHtmlInMarkdown as escapeHtml, escapeMarkdown, withVisibleControls } from './escape.js';
import { groupTitle, topFrames } from './group-text.js';

export function renderMarkdown(input: ScanResult): string {
  const result = withVisibleControls(input);
  const t = result.totals;
  const out: string[] = ['## coredx: crash report', ''];
  out.push(`${t.crashes} crash${t.crashes === 1 ? '' : 'es'} in ${t.groups} group${t.groups === 1 ? '' : 's'}; ${t.scanned} of ${t.files} files scanned, ${t.skipped} skipped.`, '');
  if (result.groups.length > 0) {
    out.push('| # | count | severity | diagnosis | first seen |', '|---|---|---|---|---|');
    result.groups.forEach((g, i) => {
      const first = g.occurrences[0]!;
      out.push(`| ${i + 1} | ${g.count} | ${g.severity} | ${escapeMarkdown(groupTitle(g))} | ${escapeMarkdown(`${first.path}:${first.line}`)} |`);
    });
    out.push('');
  }
  result.groups.forEach((g, i) => {
    out.push('<details>', `<summary>${i + 1}. ${escapeHtml(groupTitle(g))} (${g.count}×, ${g.severity})</summary>`, '');
    if (g.diagnosis) {
      out.push(`**Root cause.** ${escapeMarkdown(g.diagnosis.rootCause)}`, '', '**Remediation**', '');
      g.diagnosis.remediation.forEach((s, k) => out.push(`${k + 1}. ${escapeMarkdown(s)}`));
      out.push('');
    } else out.push('No known-issue rule matched.', '');
    out.push(`Signature: <code>${escapeHtml(g.signatureText)}</code>`, '', '<pre>', ...topFrames(g).map(escapeHtml), '</pre>', '');
    out.push(`Occurrences: ${g.occurrences.slice(0, 20).map((o) => escapeMarkdown(`${o.path}:${o.line}`)).join(', ')}${g.count > 20 ? `, +${g.count - 20} more` : ''}`, '', '</details>', '');
  });
  if (result.files.skipped.length > 0) {
    out.push('<details>', `<summary>Skipped files (${result.files.skipped.length})</summary>`, '');
    for (const s of result.files.skipped) out.push(`- ${escapeMarkdown(s.path)}: ${escapeMarkdown(s.reason)}`);
    out.push('', '</details>', '');
  }
  return out.join('\n');
}
