import assert from 'node:assert/strict';
import { AwsError } from '../../../../src/core/errors.ts';

/** Asserts that `fn` throws DynamoDB's ValidationException (HTTP 400) with exactly `message`. */
export function assertValidation(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AwsError, `expected AwsError, got ${String(error)}`);
    assert.equal(error.code, 'ValidationException');
    assert.equal(error.status, 400);
    assert.equal(error.message, message);
    return true;
  });
}
