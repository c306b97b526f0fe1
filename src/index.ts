// The public API: what `import { ... } from 'coredx'` gives. The CLI uses nothing else (it imports
// the modules directly, for start-up time; test/unit/cli/public-api.test.ts checks every name is here).

export { analyze, analyzeFile, analyzeStream, type AnalyzeOptions } from './pipeline.js';
export { CoredxInputError, describeError } from './errors.js';
export * from './model.js';
export { normalizeFunctionName } from './normalize/function-name.js';
export { computeSignature, SIGNATURE_VERSION } from './normalize/signature.js';
export { PARSERS } from './parse/registry.js';
export type { TraceParser, BlockParser, ParsedTrace } from './parse/types.js';
export { renderJson } from './render/json.js';
export { renderText, type TextOptions } from './render/text.js';
export { scan, type ScanOptions, type ScanResult, type ScanProgress, type SkippedFile } from './scan/scan.js';
export { GroupCollector, SEVERITIES, type CrashGroup, type Severity } from './scan/group.js';
export { renderSarif, type SarifContext } from './render/sarif.js';
export { sarifContext, toolInfo } from './scan/render-context.js';
export { renderJunit } from './render/junit.js';
export { renderMarkdown } from './render/markdown.js';
export { renderGithub } from './render/github.js';
export { renderScanText } from './render/scan-text.js';
export { renderScanJson } from './render/scan-json.js';
export { loadRules, loadRuleFile, builtinRules, formatProblem, BUILTIN_RULES_DIR, type LoadOptions, type LoadedRules } from './rules/load.js';
export { RuleSet, type RuleExplanation } from './rules/engine.js';
export { compileRule, type CompiledRule } from './rules/compile.js';
export { parseRuleText, type RuleProblem } from './rules/validate.js';
export { runRuleTests, type RuleTestResult } from './rule-tester.js';
export { RULE_SCHEMA, type RuleSpec } from './rules/schema.js';
export { loadConfig, findConfigFile, type CoredxConfig } from './config.js';
export { analyzeCore, analyzeSource, analyzeInput, type CoreOptions } from './pipeline.js';
export { openInput, type InputSource, type OpenedInput, type OpenOptions } from './source/open.js';
export { InputRejection } from './errors.js';
export { readCoreFacts, type CoreFacts } from './core/native.js';

// What the CLI builds on beyond the calls above (test/unit/cli/public-api.test.ts keeps the list
// complete): input problems, debugger processes, rule files and samples, scan results' streaming
// renderers, baselines, shards and merging.
export { forEachLine, onReadProblem, type ReadProblem } from './source/lines.js';
export { jsonChunks, JsonArrayStream } from './render/stream.js';
export { installInterruptHandlers, MAX_TIMEOUT_MS, onPath, lldbEnv } from './core/debugger.js';
export { TOOL } from './model/tool.js';
export { LOOKED_FOR, LOOKED_FOR_EACH } from './parse/registry.js';
export type { SymbolizeOptions } from './symbolize/index.js';
export { mergeResults, readScanReport, MergeError, type MergeInput } from './scan/merge.js';
export { spillReports } from './scan/group.js';
export { RULE_ID } from './rules/schema.js';
export { ruleSkeleton } from './rules/skeleton.js';
export { resolveSample, SAMPLE_OUTSIDE } from './rule-tester.js';
export { MAX_SAMPLE_BYTES, readSampleBytes, SampleFileError } from './rules/sample-file.js';
export { githubChunks } from './render/github.js';
export { junitChunks } from './render/junit.js';
export { markdownChunks } from './render/markdown.js';
export { sarifChunks } from './render/sarif.js';
export { scanJsonChunks } from './render/scan-json.js';
export { scanTextChunks } from './render/scan-text.js';
export { BaselineError, baselineSummary, compareWithBaseline, readBaseline, type Baseline, type ScanReport } from './scan/baseline.js';
export { scanParallel, threadsFor, type ParallelScanOptions } from './scan/parallel.js';
export { startScanThreads, type ScanThreads, type WorkerKind } from './scan/threads.js';
export { parseShard } from './scan/shard.js';
