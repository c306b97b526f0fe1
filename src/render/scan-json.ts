// `coredx scan --format json`: the full result (docs/json-schema.md, "scan" section), written a
// group at a time (see stream.ts): bytes identical to JSON.stringify({ tool, ...result }, null, 2).

import type { ScanReport } from '../scan/baseline.js';
import { TOOL } from './json.js';
import { joinChunks, jsonChunks, JsonArrayStream } from './stream.js';

export function* scanJsonChunks(result: ScanReport): Generator<string> {
  const doc = {
    tool: TOOL,
    ...result,
    groups: new JsonArrayStream(result.groups),
    files: { ...result.files, skipped: new JsonArrayStream(result.files.skipped) },
  };
  yield* jsonChunks(doc);
  yield '\n';
}

export function renderScanJson(result: ScanReport): string {
  return joinChunks(scanJsonChunks(result));
}
