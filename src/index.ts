// The public API: what `import { ... } from 'coredx'` gives. The CLI uses nothing else.

export { analyze, analyzeFile, analyzeStream, type AnalyzeOptions } from './analyze.js';
export { CoredxInputError, describeError } from './errors.js';
export * from './model.js';
export { normalizeFunctionName } from './normalize/function-name.js';
export { computeSignature, SIGNATURE_VERSION } from './normalize/signature.js';
export { PARSERS } from './parse/registry.js';
export type { TraceParser, BlockParser, ParsedTrace } from './parse/types.js';
export { renderJson } from './render/json.js';
export { renderText, type TextOptions } from './render/text.js';
