/** Exit codes of raftkv-ctl, for scripts. */
export const ExitCode = {
  Success: 0,
  /** A node answered with an error (printed as `Error: <message>`), or some endpoints failed a status/health check. */
  RequestError: 1,
  /** Bad command line or input (unknown flag, malformed txn, bad number). */
  UsageError: 2,
  /** No endpoint could be reached within the command timeout. */
  Unreachable: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad input from the user: reported as `Error: <message>` with exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
