// analyze --format json writes each report as it is final, indented into the report list. A line
// separator (U+2028, U+2029) inside a string value is text, not a line: indenting must not put
// spaces after it (issue 16: a frame whose name or argument holds U+2028 came out changed).
import { describe, expect, it } from 'vitest';
import { writeJsonStreaming } from '../../../src/cli/analyze.js';
import { analyze } from '../../../src/pipeline.js';
import { renderJson } from '../../../src/render/json.js';

const TRACE = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse\u2028header (p=0x0 "a\u2029b") at src/parse.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n';

describe('streamed JSON', () => {
  it('keeps U+2028 and U+2029 in string values as they are, byte for byte what renderJson gives', () => {
    const result = analyze(TRACE.repeat(2), { rules: null });
    const parts: string[] = [];
    writeJsonStreaming(result, (s) => parts.push(s));
    const text = parts.join('');
    expect(text).toBe(renderJson(result));
    expect(JSON.parse(text).reports[0].threads[0].frames[0].function).toBe('parse\u2028header');
  });
});
