/**
 * Store-level failures. Plain Error subclasses on purpose: the store knows nothing of AWS, and each
 * service decides which AWS error a conflict becomes (ConcurrentModificationException, a
 * ConditionalCheckFailedException, ...), while toAwsError() turns an unavailable store into a 500.
 */
import type { DocKey } from './types.ts';

/** What the caller expected, or found: a version number or 'absent'. */
export type VersionState = number | 'absent';

/** A version check failed (optimistic concurrency), or a transaction never managed to serialize. */
export class StoreConflictError extends Error {
  /** The document whose version did not match; undefined for an exhausted transaction retry. */
  readonly key: DocKey | undefined;
  readonly expected: VersionState | undefined;
  /** The version found when the check failed (informational: it may have changed since). */
  readonly actual: VersionState | undefined;

  constructor(message: string, details: { key?: DocKey; expected?: VersionState; actual?: VersionState; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StoreConflictError';
    this.key = details.key;
    this.expected = details.expected;
    this.actual = details.actual;
  }

  static versionMismatch(key: DocKey, expected: VersionState, actual: VersionState): StoreConflictError {
    return new StoreConflictError(
      `Version conflict on ${describeKey(key)}: expected ${expected}, found ${actual}`,
      { key, expected, actual },
    );
  }
}

/** The database cannot be reached or used: connection lost, store closed, file locked or unreadable. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreUnavailableError';
  }
}

export function describeKey(key: DocKey): string {
  return `${key.kind} ${key.account}/${key.region || '(global)'}/${key.id}`;
}
