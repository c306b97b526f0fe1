// Scores coredx on ../shared/realworld (pastes from public issue threads, each with the crashing
// function and the cause category its thread established). Read in place, never copied: the cases
// belong to their authors. Scoring as the set's README defines it:
//   frame:    the first signatureFrames entry vs crashing_function, compared by the last name
//             component (argument lists and template arguments dropped; split on ::, ., `);
//             a null crashing_function is right only when the report has no signature frame;
//   category: the top diagnosis' category vs the case's category (no diagnosis is a miss);
//   found:    any report at all (every case holds a crash or hang).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../dist/index.js';

/** The last component of a function name, as the set's README compares them. */
export function lastComponent(name) {
  let s = name.trim();
  // Drop template arguments (nested) and argument lists.
  for (let prev = ''; prev !== s; ) { prev = s; s = s.replace(/<[^<>]*>/g, ''); }
  s = s.replace(/\s*\[clone[^\]]*\]/g, '');
  for (let prev = ''; prev !== s; ) { prev = s; s = s.replace(/\([^()]*\)(?=\s*(?:const)?\s*$)/, '').trim(); }
  const pieces = s.split(/::|\.|`/).filter((p) => p !== '');
  return (pieces.at(-1) ?? s).replace(/^\*|\)$/g, '');
}

export async function scoreRealworld(dir, { verbose = false } = {}) {
  const manifestPath = join(dir, 'MANIFEST.json');
  if (!existsSync(manifestPath)) return null;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const rows = [];
  for (const entry of manifest) {
    let report = null;
    let error = null;
    try {
      const result = await analyzeFile(join(dir, entry.file));
      report = result.reports[0] ?? null;
    } catch (err) {
      error = err.message;
    }
    const top = report?.signatureFrames?.[0] ?? null;
    const frameOk = entry.crashing_function === null ? top === null && report !== null : top !== null && lastComponent(top) === lastComponent(entry.crashing_function);
    const category = report?.diagnoses?.[0]?.category ?? null;
    rows.push({
      file: entry.file, format: entry.format, expected: entry.crashing_function, expectedCategory: entry.category,
      found: report !== null, top, frameOk, category, categoryOk: category === entry.category, error,
      ruleId: report?.diagnoses?.[0]?.ruleId ?? null, signal: report?.signal ?? null,
    });
  }
  const n = rows.length;
  const count = (f) => rows.filter(f).length;
  const summary = { cases: n, found: count((r) => r.found), frame: count((r) => r.frameOk), category: count((r) => r.categoryOk), rows };
  if (verbose) {
    for (const r of rows) {
      const marks = `${r.found ? 'F' : '-'}${r.frameOk ? 'T' : '-'}${r.categoryOk ? 'C' : '-'}`;
      console.log(`  ${marks} ${r.file.replace(/^cases\//, '').slice(0, 44).padEnd(44)} top=${JSON.stringify(r.top)} want=${JSON.stringify(r.expected)} cat=${r.category}/${r.expectedCategory} rule=${r.ruleId}${r.error ? ' ERR ' + r.error : ''}`);
    }
  }
  return summary;
}
