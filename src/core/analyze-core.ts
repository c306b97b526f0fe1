// Compatibility re-export for the public API (src/index.ts) and bench/core-bench.js, which import
// analyzeCore from here: analyzing a core is the pipeline's (src/pipeline.ts, from core/read-core.ts's
// reading). The one file of core/ that imports the pipeline; to go when those two import it from
// the pipeline (test/unit/core/layering.test.ts lists it as the exception).

export { analyzeCore } from '../pipeline.js';
export { DEFAULT_DEBUGGER_TIMEOUT_MS, type CoreOptions } from './read-core.js';
