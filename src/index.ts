// The public API: what `import { ... } from 'coredx'` gives. The CLI uses nothing else.

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
export { analyzeCore, type CoreOptions } from './core/analyze-core.js';
export { readCoreFacts, type CoreFacts } from './core/native.js';
