// Exit codes, documented in the README. Scripts depend on them: never renumber.

export const EXIT = {
  /** At least one backtrace was found and analyzed. */
  OK: 0,
  /** The input was read but held no backtrace. */
  NO_TRACE: 1,
  /** Bad usage, or an input could not be read (missing, unreadable, binary). */
  USAGE_OR_INPUT: 2,
} as const;
