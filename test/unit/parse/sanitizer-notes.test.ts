// UBSan's notes between its error line and its stack (class: a vptr verdict whose note tells a dead
// object from a live one of another type) are kept as the report's inside lines, so rules can read
// them; the stack still starts at the frames.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const report = (note: string) =>
  analyze([
    "/src/ui/w.cc:21:9: runtime error: member call on address 0x60c000001a40 which does not point to an object of type 'ui::Widget'",
    `0x60c000001a40: note: ${note}`,
    ' 00 00 00 00  de be ad de 00 00 00 00  00 00 00 00',
    '              ^~~~~~~~~~~~~~~~~~~~~~~',
    '    #0 0x55b0e2a1c3f4 in ui::Panel::repaint() /src/ui/w.cc:21:9',
    '    #1 0x55b0e29f0a31 in main /src/ui/main.cc:19:3',
  ].join('\n')).reports[0]!;

describe('UBSan notes', () => {
  it('an invalid vptr is a dead object: use-after-free', () => {
    const r = report('object has invalid vptr');
    expect(r.signatureFrames[0]).toBe('ui::Panel::repaint');
    expect(r.diagnoses[0]?.ruleId ?? r.diagnoses[0]?.id).toBe('generic/ubsan-dead-object');
    expect(r.diagnoses[0]?.category).toBe('use-after-free');
  });
  it('a live object of another type is not', () => {
    const r = report("object is of type 'ui::Label'");
    expect(r.diagnoses.map((d) => d.category)).not.toContain('use-after-free');
  });
});
