// `coredx scan --format json`: the full result (docs/json-schema.md, "scan" section).

import type { ScanResult } from '../scan/scan.js';
import { TOOL } from './json.js';

export function renderScanJson(result: ScanResult): string {
  return JSON.stringify({ tool: TOOL, ...result }, null, 2) + '\n';
}
