// The message a program printed as it died (glibc, libstdc++, assert, glog): the single most
// telling line around a trace, and the one rules and the text output show first.

const ABORT_MESSAGES: RegExp[] = [
  /^(?:free|malloc|realloc|calloc|munmap_chunk|malloc_consolidate|_int_malloc|_int_free)\(\): .+/,
  /double free or corruption/,
  /corrupted (?:size vs\. prev_size|double-linked list|top size)/,
  /^terminate called (?:after throwing an instance of '.*'|without an active exception|recursively)/,
  /^pure virtual method called/,
  /\*\*\* (?:stack smashing|buffer overflow) detected \*\*\*/,
  /: Assertion `.*' failed\.?$/,
  /Check failed: /,
  /^Fatal glibc error: /,
];

export function findAbortMessage(lines: { text: string }[]): string | null {
  for (const { text } of lines) {
    if (text.length > 2000) continue;
    const t = text.trim();
    if (ABORT_MESSAGES.some((re) => re.test(t))) return t;
  }
  return null;
}
