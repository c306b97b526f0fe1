// Native core facts -> a Report of the crash model: one frame per thread (the pc, placed in its
// module), so signatures, rules (modules such as libtcmalloc) and renderers work on it unchanged.

import type { Report } from '../model.js';
import { buildReport } from '../normalize/build-report.js';
import type { ParsedThread } from '../parse/types.js';
import type { CoreFacts } from './native.js';

const hex = (n: bigint) => `0x${n.toString(16).padStart(16, '0')}`;

export function nativeReport(facts: CoreFacts): Report {
  const threads: ParsedThread[] = facts.threads.map((t, i) => ({
    id: String(i + 1),
    name: null,
    lwp: t.lwp,
    frames: [
      {
        index: 0,
        address: hex(t.pc),
        rawFunction: '??',
        module: t.module,
        file: null,
        line: null,
        column: null,
        inlined: false,
        raw: `#0  ${hex(t.pc)} in ?? ()${t.module ? ` from ${t.module}` : ''}${t.moduleOffset !== null ? ` (+0x${t.moduleOffset.toString(16)})` : ''}  sp=${hex(t.sp)}`,
      },
    ],
  }));
  const crashedId = facts.crashed === null ? null : String(facts.crashed + 1);
  const report = buildReport(
    {
      trace: {
        format: 'core',
        startLine: 1,
        endLine: 1,
        signal: facts.signalName,
        signalDescription: facts.signalDescription,
        faultAddress: facts.faultAddress,
        program: facts.process ? facts.process.args || facts.process.fname : null,
        threads,
        hints: crashedId ? [{ threadId: crashedId, reason: 'core-signal' }] : [],
        inside: [],
      },
      before: [],
      after: [],
    },
    facts.path,
  );
  report.modules = facts.modules;
  report.warnings = [...facts.warnings];
  return report;
}
