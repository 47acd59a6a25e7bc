import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefixUpperBound } from '../../../src/store/documents.ts';

test('prefixUpperBound increments the last code point', () => {
  assert.equal(prefixUpperBound('abc'), 'abd');
  assert.equal(prefixUpperBound('a\u007f'), 'a\u0080'); // one UTF-8 byte becomes two
  assert.equal(prefixUpperBound('日本'), '日札');
  assert.equal(prefixUpperBound('x😀'), 'x😁'); // a surrogate pair counts as one code point
});

test('prefixUpperBound skips the surrogate range and carries past U+10FFFF', () => {
  assert.equal(prefixUpperBound('a\ud7ff'), 'a\ue000');
  assert.equal(prefixUpperBound('a\u{10FFFF}'), 'b');
  assert.equal(prefixUpperBound('\u{10FFFF}\u{10FFFF}'), undefined);
});

test('every string with the prefix sorts below the bound in UTF-8 byte order', () => {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  for (const prefix of ['a', 'a\u007f', 'é', '\uFFFF', 'z\u{10FFFF}']) {
    const upper = prefixUpperBound(prefix)!;
    for (const suffix of ['', '\u0000', '\u00ff', '\uffff', '\u{10FFFF}\u{10FFFF}']) {
      assert.ok(Buffer.compare(bytes(prefix + suffix), bytes(upper)) < 0, `${JSON.stringify(prefix + suffix)} < ${JSON.stringify(upper)}`);
    }
  }
});
