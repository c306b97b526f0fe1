// Small text scanners the parsers and the name normalizer share (normalize/ reads them from here:
// parse/ sits below it).

/** Index of the closing quote of the string or char literal opening at `i` (or `end - 1`). */
export function skipQuoted(s: string, i: number, end: number): number {
  const q = s[i];
  for (let j = i + 1; j < end; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === q) return j;
  }
  return end - 1;
}
