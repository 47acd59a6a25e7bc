/** Awaits an SDK v3 call that must fail, and returns what the client made of AWS's error. */
import assert from 'node:assert/strict';

export interface SdkFailure {
  name: string;
  message: string;
  status?: number;
}

export async function failure(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}
