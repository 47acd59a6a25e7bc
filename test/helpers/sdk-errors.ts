/** Helpers for asserting failures: through an SDK v3 client, or thrown by Bonsai's code directly. */
import assert from 'node:assert/strict';
import { AwsError } from '../../src/core/errors.ts';

export interface SdkFailure {
  name: string;
  message: string;
  status?: number;
}

/** Awaits an SDK v3 call that must fail, and returns what the client made of AWS's error. */
export async function failure(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}

/** Calls code that must throw Bonsai's AwsError directly (no client in between); returns its code and message. */
export function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    return { code: err.code, message: err.message };
  }
  assert.fail('expected an error');
}
