// Shared wording for a crash group across the scan renderers (one place, so formats agree).

import { groupTitle, type CrashGroup } from '../scan/group.js';

export { groupTitle };

export function groupRuleId(g: CrashGroup): string {
  return g.diagnosis?.ruleId ?? `coredx/crash/${g.report.crashKind.toLowerCase()}`;
}

/** The crashing thread's top frames as "#N function at file:line" lines. */
export function topFrames(g: CrashGroup, max = 8): string[] {
  const r = g.report;
  const t = r.crashedThread === null ? null : r.threads[r.crashedThread];
  if (!t) return [];
  return t.frames.slice(0, max).map((f) => {
    let s = `#${f.index} ${f.function === '??' && f.address ? `?? ${f.address}` : f.fullFunction}`;
    if (f.file) s += ` at ${f.file}${f.line !== null ? `:${f.line}` : ''}`;
    else if (f.module) s += ` in ${f.module}`;
    return s;
  });
}

/** Root cause and remediation as plain text, or a plain statement that no rule matched. */
export function diagnosisText(g: CrashGroup): string {
  const d = g.diagnosis;
  if (!d) return `No known-issue rule matched. Signature: ${g.signatureText}`;
  const steps = d.remediation.map((step, i) => `${i + 1}. ${step}`).join('\n');
  return `${d.summary || d.title}\n\nRoot cause: ${d.rootCause}\n\nRemediation:\n${steps}`;
}
