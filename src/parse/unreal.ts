// Unreal Engine's crash report on Linux and macOS (FUnixPlatformCrashContext), in the log and on stderr:
//   Unhandled Exception: SIGSEGV: invalid attempt to read memory at address 0x0000000000000010
//   [2025.01.20-10.11.12:345][412]LogCore: Fatal error!
//   0x00007f3e9a1b2c3d libUnrealEditor-MyGame.so!UMyComponent::TickComponent(float, ELevelTick, FActorComponentTickFunction*) [/src/MyComponent.cpp:214]
//   0x00007f3eb2c10000 libc.so.6!UnknownFunction(0x94ac2)
// Each frame is "address module!function [file:line]"; frames the engine could not name say
// "UnknownFunction(offset)". The log may put its prefix ("[...][412]LogCore: Error: ") before each line.

import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const PREFIX = /^\s*(?:\[[^\]]*\]\[\s*\d+\]Log\w+:\s+(?:(?:Error|Fatal|Warning):\s+)?)?/;
const UNHANDLED = /^Unhandled Exception: (SIG[A-Z]+)(?:: (.*?))?\s*$/;
const AT_ADDRESS = /at address (0x[0-9a-fA-F]+)/;
const FRAME = /^(0x[0-9a-fA-F]{6,16}) ([^\s!]+)!(.*?)(?: \[([^\]]*?)(?::(\d+))?\])?\s*$/;
const OTHER = /^(?:=== Critical error: ===|Fatal error!|Signal \d+ caught\.|Malloc Size=|Engine crash handling finished)/;

const dialect: HandlerDumpDialect = {
  format: 'unreal',
  program: null,
  strip: (line) => line.replace(PREFIX, ''),
  header(text) {
    const m = UNHANDLED.exec(text);
    if (!m) return null;
    const address = m[1] === 'SIGSEGV' || m[1] === 'SIGBUS' ? (AT_ADDRESS.exec(m[2] ?? '')?.[1] ?? null) : null;
    return { signal: m[1]!, description: m[2] ?? null, faultAddress: address ? `0x${BigInt(address).toString(16)}` : null };
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    const name = /^UnknownFunction\(0x[0-9a-fA-F]+\)$/.test(m[3]!) ? '??' : m[3]!;
    return dumpFrame(m[1]!, name, m[2]!, text, m[4] || null, m[5] ? Number(m[5]) : null);
  },
  other: (text) => OTHER.test(text),
};

export const unrealParser: TraceParser = {
  format: 'unreal',
  label: "Unreal Engine's crash reports ('Unhandled Exception: SIGSEGV: ...', '0x... libUnrealEditor-X.so!f() [file:line]')",
  markers: ['Unhandled Exception: SIG'],
  startsTrace: (line) => line.includes('Unhandled Exception: SIG') && UNHANDLED.test(line.replace(PREFIX, '')),
  begin: () => new HandlerDumpBlock(dialect),
};
