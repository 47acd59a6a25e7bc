// EC2's UnauthorizedOperation for an action on a resource ends with an encoded authorization
// message (random per denial): tests compare the rest exactly and decode the end with STS.
import assert from 'node:assert/strict';

const ENCODED = /^(.*)\. Encoded authorization failure message: ([A-Za-z0-9+/]+={0,2})$/s;

/** The error with its encoded message cut off (the sentence before it keeps no trailing period), and the encoded message. */
export function splitEncoded<T extends { message: string }>(error: T): { error: T; encoded: string } {
  const m = ENCODED.exec(error.message);
  assert.ok(m, `no encoded authorization message in: ${error.message}`);
  return { error: { ...error, message: m[1]! }, encoded: m[2]! };
}
