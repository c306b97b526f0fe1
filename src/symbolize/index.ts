// Symbols for unsymbolized text traces (release builds): see symbolize.ts.

export { symbolizeReports, type SymbolizeOptions } from './symbolize.js';
export { ModuleMapCollector, type Mapping } from './module-map.js';
export { findSymbolizer, type Symbolizer, type SymbolizerName } from './tools.js';
export { findDebugFile } from './debug-file.js';
export { readElfInfo } from './elf.js';
