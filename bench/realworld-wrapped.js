// The realworld pastes (../shared/realworld, read in place) wrapped the ways a paste gets wrapped
// on its way to coredx: quoted in a reply, indented as a code block, padded with trailing blanks by a
// page's copy, timestamped by a CI runner, behind docker compose's service prefix or in a container's
// log file, indented with a rendered page's no-break spaces, with a reporter's words around it,
// behind Python's logging, pm2 or TeamCity. Each wrapped paste should give what the paste itself
// gives (found, first signature frame, top category): the wrapping is the paste's, never the
// crash's. Run by bench/conformance.js.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../dist/index.js';
import { lastComponent } from './realworld.js';

const eachLine = (s, f) => s.split('\n').map(f).join('\n');

export const WRAPPED = {
  'quoted "> "': (s) => eachLine(s, (l) => `> ${l}`),
  'code block (4 spaces)': (s) => eachLine(s, (l) => `    ${l}`),
  'trailing blanks': (s) => eachLine(s, (l, i) => l + (i % 2 ? '  ' : '\t')),
  'CRLF': (s) => s.replaceAll('\n', '\r\n'),
  'GitHub Actions time': (s) => eachLine(s, (l, i) => `2026-03-01T10:00:${String(i % 60).padStart(2, '0')}.1234567Z ${l}`),
  'Markdown fence': (s) => `\`\`\`\n${s}\n\`\`\``,
  'words around it': (s) => `I get this crash when running the tests:\n\n${s}\n\nAny idea? Thanks!\n`,
  'docker compose prefix': (s) => eachLine(s, (l) => `worker-1  | ${l}`),
  'container log (CRI)': (s) => eachLine(s, (l, i) => `2026-03-01T10:00:00.${String(100000000 + i)}Z stderr F ${l}`),
  'no-break spaces': (s) => eachLine(s, (l) => `    ${l}`.replace(/^ +/, (m) => '\u00a0'.repeat(m.length))),
  // Loggers whose prefix coredx knows by no kind (learned from the trace's first line as a shape).
  "Python's logging": (s) => eachLine(s, (l, i) => `2026-03-01 10:00:${String(i % 60).padStart(2, '0')},123 ERROR ${l}`),
  'pm2 prefix': (s) => eachLine(s, (l) => `0|api      | ${l}`),
  'TeamCity': (s) => eachLine(s, (l, i) => `[10:00:${String(i % 60).padStart(2, '0')}]W:\t [Step 2/3] ${l}`),
};

const outcome = (text) => {
  const r = analyze(text).reports[0] ?? null;
  const top = r?.signatureFrames?.[0] ?? null;
  return { found: r !== null, top: top === null ? null : lastComponent(top), category: r?.diagnoses?.[0]?.category ?? null };
};

/** Per wrapping, the cases whose outcome the wrapping changed. */
export function scoreWrapped(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8'));
  const changed = Object.fromEntries(Object.keys(WRAPPED).map((w) => [w, []]));
  for (const entry of manifest) {
    const text = readFileSync(join(dir, entry.file), 'utf8');
    const plain = JSON.stringify(outcome(text));
    for (const [w, wrap] of Object.entries(WRAPPED)) if (JSON.stringify(outcome(wrap(text))) !== plain) changed[w].push(entry.file.replace(/^cases\//, '').slice(0, 3));
  }
  const total = manifest.length * Object.keys(WRAPPED).length;
  const kept = total - Object.values(changed).reduce((n, l) => n + l.length, 0);
  return { cases: manifest.length, ways: Object.keys(WRAPPED).length, total, kept, changed };
}
