// Exit codes, documented in the README. Scripts depend on them: never renumber.

export const EXIT = {
  /** analyze: at least one backtrace was found; scan: no crash group reached --fail-on. */
  OK: 0,
  /** analyze: the input was read but held no backtrace. */
  NO_TRACE: 1,
  /** scan: a crash group at or above the --fail-on severity was found. */
  FINDINGS: 1,
  /** Bad usage, or an input could not be read (missing, unreadable, binary). */
  USAGE_OR_INPUT: 2,
} as const;
