// `coredx scan --format markdown`: for $GITHUB_STEP_SUMMARY and PR comments. Every string from a
// log is escaped for where it lands (Markdown text, or raw HTML: <summary>, <code>, <pre>), so it
// renders as written and cannot inject markup, links, @mentions or issue references; control
// characters are shown as \xNN. Written a group at a time (see stream.ts).

import { baselineSummary, type ScanReport } from '../scan/baseline.js';
import { escapeHtmlInMarkdown as escapeHtml, escapeMarkdown, visibleControls, withVisibleControls } from './escape.js';
import { groupTitle, topFrames } from './group-text.js';
import { joinChunks, visibleGroups } from './stream.js';

export function renderMarkdown(input: ScanReport): string {
  return joinChunks(markdownChunks(input));
}

export function* markdownChunks(input: ScanReport): Generator<string> {
  const t = input.totals;
  // Control characters made visible a part at a time (the baseline without its absent groups, each group, each absent group).
  const b = input.baseline ? withVisibleControls({ ...input.baseline, absent: [] }) : undefined;
  const absent = input.baseline?.absent ?? [];
  // Lines joined by line breaks (none after the last line), a few at a time.
  let started = false;
  const lines = (out: string[]) => {
    let text = '';
    for (const line of out) {
      text += started ? `\n${line}` : line;
      started = true;
    }
    return text;
  };
  const out: string[] = ['## coredx: crash report', ''];
  out.push(`${t.crashes} crash${t.crashes === 1 ? '' : 'es'} in ${t.groups} group${t.groups === 1 ? '' : 's'}; ${t.scanned} of ${t.files} files scanned, ${t.skipped} skipped.`, '');
  if (b) out.push(b.comparable ? `Compared with the baseline: ${escapeMarkdown(baselineSummary(b))}.` : `> **Warning:** ${escapeMarkdown(baselineSummary(b))}.`, '');
  if (input.groups.length > 0) {
    // With --baseline, a "state" column: new, unchanged, or unknown (signature versions differ).
    const state = (g: (typeof input.groups)[number]) => (b ? ` ${g.baselineState === 'new' ? '**new**' : (g.baselineState ?? 'unknown')} |` : '');
    out.push(`| # |${b ? ' state |' : ''} count | severity | diagnosis | first seen |`, `|---|${b ? '---|' : ''}---|---|---|---|`);
    yield lines(out.splice(0));
    let i = 0;
    for (const g of visibleGroups(input.groups, 1)) {
      const first = g.occurrences[0]!;
      yield lines([`| ${++i} |${state(g)} ${g.count} | ${g.severity} | ${escapeMarkdown(groupTitle(g))} | ${escapeMarkdown(`${first.path}:${first.line}`)} |`]);
    }
    out.push('');
  }
  let i = 0;
  for (const g of visibleGroups(input.groups, 20)) {
    i++;
    out.push('<details>', `<summary>${i}. ${escapeHtml(groupTitle(g))} (${g.count}×, ${g.severity}${b ? `, ${g.baselineState ?? 'unknown'}` : ''})</summary>`, '');
    if (g.diagnosis) {
      out.push(`**Root cause.** ${escapeMarkdown(g.diagnosis.rootCause)}`, '', '**Remediation**', '');
      g.diagnosis.remediation.forEach((s, k) => out.push(`${k + 1}. ${escapeMarkdown(s)}`));
      out.push('');
    } else out.push('No known-issue rule matched.', '');
    out.push(`Signature: <code>${escapeHtml(g.signatureText)}</code>`, '', '<pre>', ...topFrames(g).map(escapeHtml), '</pre>', '');
    out.push(`Occurrences: ${g.occurrences.slice(0, 20).map((o) => escapeMarkdown(`${o.path}:${o.line}`)).join(', ')}${g.count > 20 ? `, +${g.count - 20} more` : ''}`, '', '</details>', '');
    yield lines(out.splice(0));
  }
  if (b && absent.length > 0) {
    out.push('<details>', `<summary>Absent: ${absent.length} group${absent.length === 1 ? '' : 's'} of the baseline not seen in this run</summary>`, '');
    out.push('| state | count before | severity | diagnosis | first seen before |', '|---|---|---|---|---|');
    yield lines(out.splice(0));
    for (const a of absent) {
      const g = withVisibleControls(a);
      yield lines([`| absent | ${g.count} | ${g.severity} | ${escapeMarkdown(g.title)} | ${g.first ? escapeMarkdown(`${g.first.path}:${g.first.line}`) : ''} |`]);
    }
    out.push('', '</details>', '');
  }
  const skipped = input.files.skipped;
  if (skipped.length > 0) {
    out.push('<details>', `<summary>Skipped files (${skipped.length})</summary>`, '');
    yield lines(out.splice(0));
    for (const s of skipped) yield lines([`- ${escapeMarkdown(visibleControls(s.path))}: ${escapeMarkdown(visibleControls(s.reason))}`]);
    out.push('', '</details>', '');
  }
  yield lines(out);
}
