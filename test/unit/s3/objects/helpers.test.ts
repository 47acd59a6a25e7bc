// Pure helpers of the objects part: prefix bounds in UTF-8 order, S3's URL encoding of listings,
// Range resolution, copy-source parsing, conditional-read precedence, tag checks, version ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixUpperBound } from '../../../../src/services/s3/objects/scan.ts';
import { s3UrlEncode } from '../../../../src/services/s3/objects/listing.ts';
import { checkReadConditions, resolveRange } from '../../../../src/services/s3/objects/read.ts';
import { parseCopySource } from '../../../../src/services/s3/objects/copy.ts';
import { parseTaggingHeader } from '../../../../src/services/s3/objects/tagging.ts';
import { isWellFormedVersionId, newVersionId } from '../../../../src/services/s3/objects/versions.ts';
import type { ObjectVersion } from '../../../../src/services/s3/objects/record.ts';
import { thrown } from '../../../helpers/sdk-errors.ts';

test('prefixUpperBound: the least string above every key with the prefix, in code point order', () => {
  assert.equal(prefixUpperBound('photos/'), 'photos0');
  assert.equal(prefixUpperBound('a\u{10FFFF}'), 'b');
  assert.equal(prefixUpperBound('\u{D7FF}'), '\u{E000}');
  assert.equal(prefixUpperBound('\u{10FFFF}'), undefined);
  const keys = ['photos/', 'photos/x', 'photos/\u{10FFFF}', 'photos0', 'photos.'];
  assert.deepEqual(keys.filter((k) => k >= 'photos/' && k < prefixUpperBound('photos/')!), ['photos/', 'photos/x', 'photos/\u{10FFFF}']);
});

test('s3UrlEncode: space as +, + as %2B, UTF-8 percent-encoded, / kept', () => {
  assert.equal(s3UrlEncode('a b+c/100%.csv'), 'a+b%2Bc/100%25.csv');
  assert.equal(s3UrlEncode('한글/x.txt'), '%ED%95%9C%EA%B8%80/x.txt');
});

test('resolveRange: clamps, suffixes, ignores what S3 ignores, 416 past the end', () => {
  assert.deepEqual(resolveRange('bytes=0-4', 10), { start: 0, end: 4 });
  assert.deepEqual(resolveRange('bytes=5-', 10), { start: 5, end: 9 });
  assert.deepEqual(resolveRange('bytes=-20', 10), { start: 0, end: 9 });
  assert.equal(resolveRange('bytes=0-1,3-4', 10), undefined);
  assert.equal(resolveRange('items=0-1', 10), undefined);
  assert.equal(resolveRange('bytes=4-2', 10), undefined);
  assert.deepEqual(thrown(() => resolveRange('bytes=10-', 10)), { code: 'InvalidRange', message: 'The requested range is not satisfiable' });
  assert.equal(thrown(() => resolveRange('bytes=0-', 0)).code, 'InvalidRange');
});

test('parseCopySource: leading slash, URL encoding, versionId', () => {
  assert.deepEqual(parseCopySource('/bkt/a%20b%2Bc.txt'), { bucket: 'bkt', key: 'a b+c.txt' });
  assert.deepEqual(parseCopySource('bkt/dir/k?versionId=abc'), { bucket: 'bkt', key: 'dir/k', versionId: 'abc' });
  assert.deepEqual(thrown(() => parseCopySource('bkt')), { code: 'InvalidArgument', message: 'Invalid copy source object key' });
});

const version = { etag: 'abc', lastModified: '2026-01-01T00:00:10.000Z' } as ObjectVersion;

test('checkReadConditions: If-Match over If-Unmodified-Since, If-None-Match over If-Modified-Since', () => {
  const before = new Date('2026-01-01T00:00:00Z');
  const after = new Date('2026-01-01T00:01:00Z');
  checkReadConditions({ IfMatch: '"abc"', IfUnmodifiedSince: before }, version);
  assert.equal(thrown(() => checkReadConditions({ IfMatch: '"x"' }, version)).code, 'PreconditionFailed');
  assert.equal(thrown(() => checkReadConditions({ IfUnmodifiedSince: before }, version)).code, 'PreconditionFailed');
  assert.equal(thrown(() => checkReadConditions({ IfNoneMatch: '*' }, version)).code, 'NotModified');
  checkReadConditions({ IfNoneMatch: '"x"', IfModifiedSince: after }, version);
  assert.equal(thrown(() => checkReadConditions({ IfModifiedSince: after }, version)).code, 'NotModified');
  // the same second counts as not modified
  assert.equal(thrown(() => checkReadConditions({ IfModifiedSince: new Date('2026-01-01T00:00:10.999Z') }, version)).code, 'NotModified');
});

test('parseTaggingHeader: form-encoded pairs; limits as S3 words them', () => {
  assert.deepEqual(parseTaggingHeader('a=1&b=two%20words'), [{ Key: 'a', Value: '1' }, { Key: 'b', Value: 'two words' }]);
  assert.deepEqual(thrown(() => parseTaggingHeader(`k=${'v'.repeat(257)}`)), { code: 'InvalidTag', message: 'The TagValue you have provided is too long, max 256' });
  assert.deepEqual(thrown(() => parseTaggingHeader(`${'k'.repeat(129)}=v`)), { code: 'InvalidTag', message: 'The TagKey you have provided is too long, max 128' });
});

test('version ids: 32 URL-safe characters; null is well formed', () => {
  const id = newVersionId();
  assert.match(id, /^[A-Za-z0-9._]{32}$/);
  assert.ok(isWellFormedVersionId(id));
  assert.ok(isWellFormedVersionId('null'));
  assert.ok(!isWellFormedVersionId('short'));
});
