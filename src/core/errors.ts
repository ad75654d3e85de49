/**
 * The closed set of reasons a sample can fail for. Only these strings reach the `reason` label;
 * the human-readable message goes to the API and the log.
 */
export const failureReasons = [
  'timeout',
  'connect',
  'auth',
  /** The role lacks a privilege the check needs; the message names it and the GRANT that gives it. */
  'permission',
  'query',
  'read_only',
  'limit',
  'parse',
  'http_status',
  'config',
  'canceled',
  'internal',
] as const;

export type FailureReason = (typeof failureReasons)[number];

export class SampleError extends Error {
  readonly reason: FailureReason;

  constructor(reason: FailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SampleError';
    this.reason = reason;
  }
}

export function isSampleError(error: unknown): error is SampleError {
  return error instanceof SampleError;
}

/** Anything thrown that is not a SampleError becomes an `internal` failure with a plain message. */
export function toSampleError(error: unknown): SampleError {
  if (isSampleError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SampleError('internal', message, { cause: error });
}
