// The tool's name and version, as every output format states them.

export const TOOL = { name: 'coredx', version: '0.1.0' } as const;
