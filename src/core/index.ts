// Core files: the public surface of src/core. readCore turns a core into the pipeline's input (the
// debugger's text and the core's own facts); analyzing one is the pipeline's (analyzeCore in
// src/pipeline.ts). The native reader and the debugger runner are exported for tools that want
// only part of it.

export { readCore, DEFAULT_DEBUGGER_TIMEOUT_MS, type CoreOptions, type CoreReading } from './read-core.js';
export { readCoreFacts, type CoreFacts, type CoreThread } from './native.js';
export { nativeReport } from './summary.js';
export { readElfCore, MACHINES, type ElfCore, type Machine, type RawNote } from './elf.js';
export type { Mapping, ProcessInfo, SignalInfo, ThreadStatus } from './notes.js';
export { runDebugger, debuggerArgs, debuggerNotes, lldbEnv, onPath, GDB_COMMANDS, LLDB_COMMANDS, type DebuggerName, type DebuggerRun } from './debugger.js';
