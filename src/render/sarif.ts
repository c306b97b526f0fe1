// `coredx scan --format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. One result per group.
//
// Locations: an artifact or source file inside the repository root is a relative URI (each path
// segment percent-encoded, RFC 3986) with uriBaseId %SRCROOT%, which the run's originalUriBaseIds
// maps to the root; anything outside it is an absolute file: URI. Rules describe the rule in
// general (their text is shared by every result of the rule); what one crash group found (its
// function, its assertion message) is in that result's message, as plain text.
//
// A pure function of the scan result and a SarifContext: what it needs of the file system (the
// repository root, which artifacts and source files lie in it) and of the tool is found by the
// caller (sarifContext, src/scan/render-context.ts), and each diagnosis carries its rule's general
// text (Diagnosis.ruleHelp), so nothing here loads rules or touches a file.

import type { ArtifactLocation, Log, ReportingDescriptor, Result, Location } from 'sarif';
import type { CrashGroup } from '../scan/group.js';
import type { ScanReport } from '../scan/baseline.js';
import { escapeMarkdown } from './escape.js';
import { diagnosisText, groupRuleId, groupTitle, topFrames } from './group-text.js';
import { TOOL } from './json.js';
import { joinChunks, jsonChunks, JsonArrayStream } from './stream.js';
import { encodePath, fileUri } from './uri.js';
import type { SarifContext, ToolInfo } from '../scan/render-context.js';
import { relativeInside } from '../scan/paths.js';
import { sourceFrameOf } from '../scan/group.js';
export type { SarifContext, ToolInfo };
import { isAbsolute, resolve } from 'node:path';

/** The tool that wrote the log (SARIF's tool.driver). */
const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' } as const;
const SRCROOT = '%SRCROOT%';

export function renderSarif(result: ScanReport, context: Partial<SarifContext> = {}): string {
  return joinChunks(sarifChunks(result, context));
}

/**
 * The SARIF log in chunks, a result at a time (see stream.ts): the bytes renderSarif gives. Without
 * a context: the working directory as the root, no source locations, the tool without its page.
 */
export function* sarifChunks(result: ScanReport, context: Partial<SarifContext> = {}): Generator<string> {
  const cwd = context.cwd ?? process.cwd();
  const root = resolve(cwd, context.root ?? cwd);
  const tool: ToolInfo = context.tool ?? TOOL;
  const artifact = (path: string): ArtifactLocation => {
    const abs = isAbsolute(path) ? path : resolve(cwd, path);
    const known = context.artifacts?.get(path);
    const rel = known !== undefined ? known : relativeInside(root, abs);
    return rel !== null ? { uri: encodePath(rel.split('/')), uriBaseId: SRCROOT } : { uri: fileUri(abs) };
  };
  // The rules come before the results in the log: one pass for them (a rule per distinct id, from
  // its first group), then the results a group at a time.
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const g of result.groups) {
    const id = groupRuleId(g);
    if (!ruleIndex.has(id)) {
      ruleIndex.set(id, rules.length);
      rules.push(ruleFor(g, id));
    }
  }
  const resultOf = (g: CrashGroup): Result => {
    const id = groupRuleId(g);
    const first = g.occurrences[0]!;
    const locations: Location[] = [location(artifact(first.path), first.line, 'first occurrence in the artifacts')];
    const source = sourceLocation(g, context.sources);
    if (source) locations.unshift(source);
    return {
      ruleId: id,
      ruleIndex: ruleIndex.get(id)!,
      level: LEVEL[g.severity],
      message: { text: `${groupTitle(g)} (${g.count} occurrence${g.count === 1 ? '' : 's'})\n\n${diagnosisText(g)}\n\nTop frames:\n${topFrames(g, 5).join('\n')}` },
      locations,
      relatedLocations: g.occurrences.slice(1, 50).map((o, i) => ({ id: i + 1, ...location(artifact(o.path), o.line, 'same crash') })),
      partialFingerprints: { [`coredxCrashSignature/v${result.signatureVersion}`]: g.signature },
      // SARIF's baselineState has no "unknown": a group that could not be compared has none.
      ...(g.baselineState === 'new' || g.baselineState === 'unchanged' ? { baselineState: g.baselineState } : {}),
      properties: { count: g.count, signature: g.signatureText, title: groupTitle(g), severity: g.severity, confidence: g.diagnosis?.confidence ?? null },
    };
  };
  const results = new JsonArrayStream((function* () {
    for (const g of result.groups) yield resultOf(g);
  })());
  const b = result.baseline;
  // Absent groups are listed in the run's properties, not as results: a result uploaded to GitHub
  // code scanning is an alert whatever its baselineState, and would keep a fixed crash's alert open.
  const baseline = b && {
    file: b.path,
    signatureVersion: b.signatureVersion,
    comparable: b.comparable,
    ...(b.message ? { message: b.message } : {}),
    counts: b.counts,
    absent: b.absent.map((g) => ({ baselineState: 'absent', signature: g.signature, signatureText: g.signatureText, title: g.title, severity: g.severity, count: g.count, first: g.first })),
  };
  const rootUri = fileUri(root);
  const log: Omit<Log, 'runs'> & { runs: unknown[] } = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool.name, version: tool.version, ...(tool.informationUri ? { informationUri: tool.informationUri } : {}), rules } },
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri.endsWith('/') ? rootUri : `${rootUri}/` } },
        ...(b && !b.comparable
          ? { invocations: [{ executionSuccessful: true, toolExecutionNotifications: [{ level: 'warning' as const, message: { text: `${b.message} (baseline ${b.path}): results have no baselineState` } }] }] }
          : {}),
        results,
        properties: { signatureVersion: result.signatureVersion, ...(baseline ? { baseline } : {}) },
      },
    ],
  };
  yield* jsonChunks(log);
  yield '\n';
}

function location(artifactLocation: ArtifactLocation, line: number, text: string): Location {
  return { physicalLocation: { artifactLocation, region: { startLine: Math.max(1, line) } }, message: { text } };
}


function sourceLocation(g: CrashGroup, sources: ReadonlyMap<string, string> | undefined): Location | null {
  const frame = sourceFrameOf(g);
  const path = frame?.file ? sources?.get(frame.file) : undefined;
  if (!frame || !path) return null;
  return location({ uri: encodePath(path.split('/')), uriBaseId: SRCROOT }, frame.line ?? 1, `first meaningful frame: ${frame.fullFunction}`);
}

/**
 * A rule described in general (its text is shared by every result of the rule): the diagnosis'
 * rule help, or for a diagnosis without one (scan JSON from before it was carried) its title and
 * a pointer to the results' messages.
 */
function ruleFor(g: CrashGroup, id: string): ReportingDescriptor {
  const d = g.diagnosis;
  const title = d?.title ?? `Crash with ${g.report.crashKind}`;
  const references = d?.references ?? [];
  const rootCause = d?.ruleHelp?.rootCause ?? null;
  const remediation = d?.ruleHelp?.remediation ?? [];
  const noRule = 'No known-issue rule matched this crash. Look at the first meaningful frame and the log lines before the crash.';
  const unknownText = 'The root cause and remediation found for each crash are in the result\'s message.';
  const plain = [
    title,
    d ? (rootCause ?? unknownText) : noRule,
    ...(remediation.length ? [`Remediation:\n${remediation.map((s, i) => `${i + 1}. ${s}`).join('\n')}`] : []),
    ...(references.length ? [`References:\n${references.map((r) => `- ${r}`).join('\n')}`] : []),
  ].join('\n\n');
  const paragraphs = (t: string) => t.split(/\n\s*\n/).map(escapeMarkdown).join('\n\n');
  const link = (u: string) => (/^https?:\/\/[^\s<>()[\]`]+$/.test(u) ? `<${u}>` : escapeMarkdown(u));
  const markdown = [
    `**${escapeMarkdown(title)}**`,
    paragraphs(d ? (rootCause ?? unknownText) : noRule),
    ...(remediation.length ? [`**Remediation**\n\n${remediation.map((s, i) => `${i + 1}. ${escapeMarkdown(s)}`).join('\n')}`] : []),
    ...(references.length ? [`**References**\n\n${references.map((r) => `- ${link(r)}`).join('\n')}`] : []),
  ].join('\n\n');
  const severity = d?.severity ?? g.severity;
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]+/g, '_'),
    shortDescription: { text: title },
    fullDescription: { text: rootCause ?? title },
    help: { text: plain, markdown },
    ...(references[0] ? { helpUri: references[0] } : {}),
    defaultConfiguration: { level: LEVEL[severity] },
    properties: { category: d?.category ?? 'crash', tags: [...new Set(['crash', d?.category ?? 'crash'])] },
  };
}
