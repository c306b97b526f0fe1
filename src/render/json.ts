// --format json: the documented, versioned schema (docs/json-schema.md).

import type { AnalyzeResult } from '../model.js';

export { TOOL } from '../model/tool.js';
import { TOOL } from '../model/tool.js';

export function renderJson(result: AnalyzeResult): string {
  return JSON.stringify({ tool: TOOL, ...result }, null, 2) + '\n';
}
