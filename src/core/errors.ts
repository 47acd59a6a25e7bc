/**
 * One error type for the whole pipeline. Anything a stage throws becomes an AwsError through
 * toAwsError(), and the codec of the request's protocol renders it in that protocol's envelope.
 */

export type Fault = 'client' | 'server';

export interface AwsErrorOptions {
  /** HTTP status; defaults to 400 for client faults and 500 for server faults. */
  status?: number;
  fault?: Fault;
  /** Extra modeled members rendered beside code and message (e.g. S3's BucketName, Key). */
  fields?: Record<string, unknown>;
  /** Extra response headers (e.g. x-amz-bucket-region). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: Fault;
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: string, message: string, options: AwsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AwsError';
    this.code = code;
    this.fault = options.fault ?? (options.status !== undefined && options.status >= 500 ? 'server' : 'client');
    this.status = options.status ?? (this.fault === 'server' ? 500 : 400);
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

/** Thrown for an operation the model knows but Bonsai does not implement: HTTP 501. */
export function notImplemented(service: string, operation: string): AwsError {
  return new AwsError('NotImplemented', `Bonsai does not implement ${service}:${operation} yet.`, { status: 501, fault: 'server' });
}

/**
 * Turns anything thrown into an AwsError. Unknown errors become InternalFailure; the original is
 * logged by the caller (with its stack) and never leaks to the client.
 */
export function toAwsError(err: unknown): { error: AwsError; unexpected: boolean } {
  if (err instanceof AwsError) return { error: err, unexpected: false };
  return {
    error: new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', {
      status: 500,
      fault: 'server',
      cause: err,
    }),
    unexpected: true,
  };
}
