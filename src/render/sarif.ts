// `coredx scan --format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. One result per group.

import type { Log, ReportingDescriptor, Result, Location } from 'sarif';
import type { CrashGroup } from '../scan/group.js';
import type { ScanResult } from '../scan/scan.js';
import { diagnosisText, groupRuleId, groupTitle, topFrames } from './group-text.js';
import { TOOL } from './json.js';

export interface SarifOptions {
  /** Maps a frame's source file to a repository-relative path, or null when it is not in the repo. */
  sourceInRepo?: (file: string) => string | null;
  /** Maps an artifact path to the URI written in the report (default: as given, with forward slashes). */
  artifactUri?: (path: string) => string;
}

const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' } as const;

export function renderSarif(result: ScanResult, options: SarifOptions = {}): string {
  const uri = options.artifactUri ?? ((p: string) => p.replace(/\\/g, '/').replace(/^\.\//, ''));
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const results: Result[] = result.groups.map((g) => {
    const id = groupRuleId(g);
    if (!ruleIndex.has(id)) {
      ruleIndex.set(id, rules.length);
      rules.push(ruleFor(g, id));
    }
    const first = g.occurrences[0]!;
    const locations: Location[] = [location(uri(first.path), first.line, 'first occurrence in the artifacts')];
    const source = sourceLocation(g, options.sourceInRepo);
    if (source) locations.unshift(source);
    return {
      ruleId: id,
      ruleIndex: ruleIndex.get(id)!,
      level: LEVEL[g.severity],
      message: { text: `${groupTitle(g)} (${g.count} occurrence${g.count === 1 ? '' : 's'})\n\n${diagnosisText(g)}\n\nTop frames:\n${topFrames(g, 5).join('\n')}` },
      locations,
      relatedLocations: g.occurrences.slice(1, 50).map((o, i) => ({ id: i + 1, ...location(uri(o.path), o.line, 'same crash') })),
      partialFingerprints: { [`coredxCrashSignature/v${result.signatureVersion}`]: g.signature },
      properties: { count: g.count, signature: g.signatureText, confidence: g.diagnosis?.confidence ?? null },
    };
  });
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: TOOL.name, version: TOOL.version, informationUri: 'https://github.com/coredx/coredx', rules } }, results }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function location(uri: string, line: number, text: string): Location {
  return { physicalLocation: { artifactLocation: { uri }, region: { startLine: Math.max(1, line) } }, message: { text } };
}

function sourceLocation(g: CrashGroup, inRepo: SarifOptions['sourceInRepo']): Location | null {
  if (!inRepo) return null;
  const r = g.report;
  const t = r.crashedThread === null ? null : r.threads[r.crashedThread];
  const skipped = new Set(r.skippedFrames);
  const frame = t?.frames.find((f, i) => !skipped.has(i) && f.file);
  const path = frame?.file ? inRepo(frame.file) : null;
  if (!frame || !path) return null;
  return location(path, frame.line ?? 1, `first meaningful frame: ${frame.fullFunction}`);
}

function ruleFor(g: CrashGroup, id: string): ReportingDescriptor {
  const d = g.diagnosis;
  const title = d?.title ?? `Crash with ${g.report.crashKind}`;
  const help = d
    ? `${d.rootCause}\n\nRemediation:\n${d.remediation.map((s, i) => `${i + 1}. ${s}`).join('\n')}${d.references.length ? `\n\nReferences:\n${d.references.map((r) => `- ${r}`).join('\n')}` : ''}`
    : 'No known-issue rule matched this crash. Look at the first meaningful frame and the log lines before the crash.';
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]+/g, '_'),
    shortDescription: { text: title },
    fullDescription: { text: d?.rootCause ?? title },
    help: { text: help, markdown: help },
    ...(d?.references[0] ? { helpUri: d.references[0] } : {}),
    defaultConfiguration: { level: LEVEL[g.severity] },
    properties: { category: d?.category ?? 'crash', tags: [...new Set(['crash', d?.category ?? 'crash'])] },
  };
}
