// LastEvaluatedKey of a page read as runs of stored text comes from the last item's encoded key
// (keys.ts decodeKeyValue): decoding must give back exactly the canonical value stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKeyValue, encodeKeyValue } from '../../../src/services/dynamodb/keys.ts';
import { canonicalDecimal } from '../../../src/services/dynamodb/attributes.ts';

test('numbers decode to their canonical form, across the whole range and both signs', () => {
  const numbers = ['0', '-0', '1', '-1', '10', '100', '1e2', '1.50', '-10.5', '-0.121', '0.00125', '-1875e-5', '123456789012345678901234567890.12345678',
    '-1e125', '9.9999999999999999999999999999999999999e125', '1e-130', '-1e-130', '0.1', '-99.99', '1000000', '7e3'];
  for (const n of numbers) {
    assert.deepEqual(decodeKeyValue('N', encodeKeyValue('N', { N: n })), { N: canonicalDecimal(n) }, n);
  }
  assert.deepEqual(decodeKeyValue('N', encodeKeyValue('N', { N: '-12.0' })), { N: '-12' });
  assert.deepEqual(decodeKeyValue('N', encodeKeyValue('N', { N: '0.000' })), { N: '0' });
});

test('strings and binaries decode to the same value; a string UTF-8 cannot carry is left to the caller', () => {
  for (const s of ['a', 'é', 'employee#1', '\u{1F600} ✓', 'x'.repeat(2048)]) assert.deepEqual(decodeKeyValue('S', encodeKeyValue('S', { S: s })), { S: s });
  assert.deepEqual(decodeKeyValue('B', encodeKeyValue('B', { B: Buffer.from([0, 255, 7]) })), { B: Buffer.from([0, 255, 7]) });
  // A lone surrogate encodes as U+FFFD's bytes, so it cannot be decoded back: undefined, not a wrong key.
  assert.equal(decodeKeyValue('S', encodeKeyValue('S', { S: 'a\uD800' })), undefined);
});
