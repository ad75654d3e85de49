/** Every exit code of the command line, in one place (documented in README.md). */
export const ExitCode = {
  /** Success; for `run`: the gate passed. */
  OK: 0,
  /** `run`: the gate failed (a score below its threshold). */
  GATE_FAILED: 1,
  /** `run`: not enough results to decide. */
  INCONCLUSIVE: 2,
  /** The configuration (file or flags) is invalid. */
  CONFIG_ERROR: 3,
  /** A runtime error: a side unreachable, the port taken, an unexpected failure. */
  RUNTIME_ERROR: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
