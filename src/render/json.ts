// --format json: the documented, versioned schema (docs/json-schema.md).

import type { AnalyzeResult } from '../model.js';

export const TOOL = { name: 'coredx', version: '0.1.0' } as const;

export function renderJson(result: AnalyzeResult): string {
  return JSON.stringify({ tool: TOOL, ...result }, null, 2) + '\n';
}
