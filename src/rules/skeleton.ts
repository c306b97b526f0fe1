// `coredx rules new --from TRACE`: a rule skeleton from a real backtrace, for a contributor to finish.

import type { Report } from '../model.js';

/**
 * `sample`: the trace's path relative to the rule file (inside its pack folder, where `rules test`
 * reads samples); `input`: the trace as a TOML string instead, for a skeleton printed to stdout.
 */
export function ruleSkeleton(report: Report, options: { id: string; sample?: string; input?: string }): string {
  const q = (s: string) => JSON.stringify(s);
  const frames = report.signatureFrames.filter((f) => !f.includes('!')).slice(0, 3);
  const lines = [
    `id = ${q(options.id)}`,
    'title = "TODO: what went wrong, in one line"',
    'category = "other"  # null-deref, use-after-free, double-free, ... (docs/rules.md)',
    'severity = "medium"',
    'references = []  # TODO: the issue, commit or doc that explains this crash',
    '',
    '[when]',
    report.signal ? `signal = [${q(report.signal)}]` : '# signal = ["SIGSEGV"]',
  ];
  frames.forEach((f, i) => {
    lines.push('', '[[when.stack]]', `function = ${q(f)}`);
    if (i === 0) lines.push('first_meaningful = true');
    else lines.push('max_gap = 5');
  });
  if (frames.length === 0) lines.push('# [[when.stack]]', '# function = "namespace::Function"');
  lines.push(
    '',
    '# [[evidence]]',
    '# weight = 0.1',
    '# why = "TODO: why this makes the diagnosis more likely"',
    '# log = [{ pattern = "*some log text*", where = "before" }]',
    '',
    '[diagnosis]',
    'summary = "TODO: one line a developer reads at 3 a.m."',
    'root_cause = """',
    'TODO: what really happens, in a short paragraph."""',
    'remediation = [',
    '  "TODO: the first thing to do",',
    ']',
    '',
    '[[tests]]',
    options.input !== undefined ? `input = ${options.input}` : `sample = ${q(options.sample ?? 'samples/TODO.txt')}`,
    'match = true',
    '',
    '# [[tests]]',
    '# sample = "samples/a-crash-this-rule-must-not-match.txt"  # beside this file, in the pack folder',
    '# match = false',
    '',
  );
  return lines.join('\n');
}
