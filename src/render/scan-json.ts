// `coredx scan --format json`: the full result (docs/json-schema.md, "scan" section).

import type { ScanReport } from '../scan/baseline.js';
import { TOOL } from './json.js';

export function renderScanJson(result: ScanReport): string {
  return JSON.stringify({ tool: TOOL, ...result }, null, 2) + '\n';
}
