// `coredx scan --format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. One result per group.
//
// Locations: an artifact or source file inside the repository root is a relative URI (each path
// segment percent-encoded, RFC 3986) with uriBaseId %SRCROOT%, which the run's originalUriBaseIds
// maps to the root; anything outside it is an absolute file: URI. Rules describe the rule in
// general (their text is shared by every result of the rule); what one crash group found (its
// function, its assertion message) is in that result's message, as plain text.

import type { ArtifactLocation, Log, ReportingDescriptor, Result, Location } from 'sarif';
import type { Diagnosis } from '../model.js';
import type { CompiledRule } from '../rules/compile.js';
import { generalText, type RuleSet } from '../rules/engine.js';
import { builtinRules } from '../rules/load.js';
import type { CrashGroup } from '../scan/group.js';
import type { ScanReport } from '../scan/baseline.js';
import { escapeMarkdown } from './escape.js';
import { diagnosisText, groupRuleId, groupTitle, topFrames } from './group-text.js';
import { TOOL } from './json.js';
import { joinChunks, jsonChunks, JsonArrayStream } from './stream.js';
import { encodePath, fileUri, pathInside, repositoryRoot, sourceInRepository } from './repository.js';
import { isAbsolute, resolve } from 'node:path';
import { readFileSync } from 'node:fs';

/** The project's page from package.json (`homepage`, else `repository`); left out when it names none. */
const INFORMATION_URI = ((): { informationUri?: string } => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { homepage?: unknown; repository?: unknown };
    const repo = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository as { url?: unknown } | undefined)?.url;
    const url = [pkg.homepage, typeof repo === 'string' ? repo.replace(/^git\+/, '').replace(/\.git$/, '') : undefined].find((u): u is string => typeof u === 'string' && /^https:\/\/\S+$/.test(u));
    return url ? { informationUri: url } : {};
  } catch {
    return {};
  }
})();

export interface SarifOptions {
  /** The repository root relative URIs are written against (default: repositoryRoot(): $GITHUB_WORKSPACE, the git top level, the working directory). */
  root?: string;
  /** The directory relative artifact paths are relative to (default: the working directory). */
  cwd?: string;
  /** The rules the scan ran, for their unfilled help text (default: the bundled packs). */
  rules?: RuleSet;
}

const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' } as const;
const SRCROOT = '%SRCROOT%';

export function renderSarif(result: ScanReport, options: SarifOptions = {}): string {
  return joinChunks(sarifChunks(result, options));
}

/** The SARIF log in chunks, a result at a time (see stream.ts): the bytes renderSarif gives. */
export function* sarifChunks(result: ScanReport, options: SarifOptions = {}): Generator<string> {
  const cwd = options.cwd ?? process.cwd();
  const root = resolve(cwd, options.root ?? repositoryRoot(cwd));
  const artifact = (path: string): ArtifactLocation => {
    const abs = isAbsolute(path) ? path : resolve(cwd, path);
    const rel = pathInside(root, abs);
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
      rules.push(ruleFor(g, id, options.rules));
    }
  }
  const resultOf = (g: CrashGroup): Result => {
    const id = groupRuleId(g);
    const first = g.occurrences[0]!;
    const locations: Location[] = [location(artifact(first.path), first.line, 'first occurrence in the artifacts')];
    const source = sourceLocation(g, root);
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
        tool: { driver: { name: TOOL.name, version: TOOL.version, ...INFORMATION_URI, rules } },
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

function sourceLocation(g: CrashGroup, root: string): Location | null {
  const r = g.report;
  const t = r.crashedThread === null ? null : r.threads[r.crashedThread];
  const skipped = new Set(r.skippedFrames);
  const frame = t?.frames.find((f, i) => !skipped.has(i) && f.file);
  const path = frame?.file ? sourceInRepository(root, frame.file) : null;
  if (!frame || !path) return null;
  return location({ uri: encodePath(path.split('/')), uriBaseId: SRCROOT }, frame.line ?? 1, `first meaningful frame: ${frame.fullFunction}`);
}

/** The rule the diagnosis came from, when its text is at hand (and is that rule: same title). */
function ruleSpec(d: Diagnosis, rules: RuleSet | undefined): CompiledRule['spec'] | null {
  let rule: CompiledRule | undefined;
  try {
    rule = (rules ?? builtinRules()).get(d.ruleId);
  } catch {
    return null;
  }
  return rule && rule.spec.title === d.title ? rule.spec : null;
}

function ruleFor(g: CrashGroup, id: string, rules: RuleSet | undefined): ReportingDescriptor {
  const d = g.diagnosis;
  const spec = d ? ruleSpec(d, rules) : null;
  const title = spec?.title ?? d?.title ?? `Crash with ${g.report.crashKind}`;
  const references = spec?.references ?? d?.references ?? [];
  const rootCause = spec ? generalText(spec.diagnosis.root_cause) : null;
  const remediation = spec ? spec.diagnosis.remediation.map(generalText) : [];
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
  const severity = spec?.severity ?? g.severity;
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
