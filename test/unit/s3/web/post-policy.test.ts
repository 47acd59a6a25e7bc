import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../../src/core/errors.ts';
import { checkContentLength, checkPostPolicy, parsePostPolicy } from '../../../../src/services/s3/web/post-policy.ts';
import { taggingQueryOf } from '../../../../src/services/s3/web/post-upload.ts';
import { bucketAndKey } from '../../../../src/services/s3/web/outside-api.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');

function encode(document: unknown): string {
  return Buffer.from(typeof document === 'string' ? document : JSON.stringify(document)).toString('base64');
}

function refusal(fn: () => unknown): { code: string; status: number; message: string; fields: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AwsError, String(err));
    return { code: err.code, status: err.status, message: err.message, fields: err.fields };
  }
  assert.fail('expected a refusal');
}

const BASE = ['starts-with', '$x-amz-date', ''];

function check(conditions: unknown[], fields: Record<string, string>, expiration = '2030-01-02T00:00:00.000Z'): void {
  const policy = parsePostPolicy(encode({ expiration, conditions: [{ bucket: 'b' }, BASE, ...conditions] }));
  checkPostPolicy(policy, new Map(Object.entries({ 'x-amz-date': 'd', ...fields })), 'b', NOW);
}

test('parsing: S3\'s InvalidPolicyDocument for what is not a policy', () => {
  const cases: Array<[string, string]> = [
    ['{not json', 'Invalid Policy: Invalid JSON.'],
    [encode([]), 'Invalid Policy: Invalid JSON.'],
    [encode({ conditions: [] }), 'Invalid Policy: Policy missing expiration.'],
    [encode({ expiration: '2030-02-30T00:00:00Z', conditions: [] }), "Invalid Policy: Invalid 'expiration' value: '2030-02-30T00:00:00Z'"],
    [encode({ expiration: '2030-01-01 00:00:00', conditions: [] }), "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00'"],
    [encode({ expiration: '2030-01-01T00:00:00Z' }), 'Invalid Policy: Policy missing conditions.'],
    [encode({ expiration: '2030-01-01T00:00:00Z', conditions: [{ acl: 'a', key: 'k' }] }), 'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.'],
  ];
  for (const [text, message] of cases) {
    const raw = text.startsWith('{') ? Buffer.from(text).toString('base64') : text;
    assert.deepEqual(refusal(() => parsePostPolicy(raw)), { code: 'InvalidPolicyDocument', status: 400, message, fields: {} }, message);
  }
  for (const bad of [[['ends-with', '$key', 'x']], [['content-length-range', -1, 5]], [['eq', '$key']], ['bucket']]) {
    assert.match(refusal(() => parsePostPolicy(encode({ expiration: '2030-01-01T00:00:00Z', conditions: bad }))).message, /^Invalid Policy: /);
  }
  const parsed = parsePostPolicy(encode({ expiration: '2030-01-01T00:00:00.123Z', conditions: [['content-length-range', '1', 10], ['StArTs-WiTh', '$Key', 'a']] }));
  assert.deepEqual(parsed.lengthRange, { min: 1, max: 10 });
  assert.equal(parsed.expiration.toISOString(), '2030-01-01T00:00:00.123Z');
  assert.deepEqual(parsed.conditions[0], { kind: 'starts-with', field: 'key', value: 'a', text: '["starts-with", "$Key", "a"]', validReference: true });
});

test('checking: conditions hold, case-insensitive names, Content-Type lists, absent fields', () => {
  check([{ Key: 'a/b' }], { key: 'a/b' });
  check([['starts-with', '$content-type', 'image/']], { 'content-type': 'image/png, image/gif' });
  check([['starts-with', '$acl', '']], {});
  const message = (conditions: unknown[], fields: Record<string, string>) => refusal(() => check(conditions, fields)).message;
  assert.equal(message([['eq', '$key', 'a/c']], { key: 'a/b' }), 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a/c"]');
  assert.equal(message([{ acl: 'private' }], {}), 'Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "private"]');
  assert.equal(message([['eq', 'key', 'k']], { key: 'k' }), 'Invalid according to Policy: Policy Condition failed: ["eq", "key", "k"]');
  assert.equal(message([['starts-with', '$Content-Type', 'image/']], { 'content-type': 'image/png,text/html' }), 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]');
  assert.equal(message([{ key: 'k' }], { key: 'k', expires: '0' }), 'Invalid according to Policy: Extra input fields: expires');
  assert.equal(message([{ bucket: 'other' }], {}), 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "other"]');
  check([{ key: 'k' }], { key: 'k', 'x-ignore-me': '1', policy: 'p', 'x-amz-signature': 's' });
});

test('checking: expiry, and a bucket no condition names', () => {
  const expired = refusal(() => check([], {}, '2029-12-31T23:59:59Z'));
  assert.deepEqual(expired, { code: 'AccessDenied', status: 403, message: 'Invalid according to Policy: Policy expired.', fields: {} });
  const policy = parsePostPolicy(encode({ expiration: '2030-01-02T00:00:00Z', conditions: [] }));
  assert.equal(refusal(() => checkPostPolicy(policy, new Map(), 'b', NOW)).message, 'Invalid according to Policy: Extra input fields: bucket');
});

test('content-length-range', () => {
  checkContentLength({ min: 5, max: 10 }, 5);
  checkContentLength({ min: 5, max: 10 }, 10);
  checkContentLength(undefined, 1e9);
  assert.deepEqual(refusal(() => checkContentLength({ min: 5, max: 10 }, 11)), {
    code: 'EntityTooLarge',
    status: 400,
    message: 'Your proposed upload exceeds the maximum allowed size',
    fields: { ProposedSize: 11, MaxSizeAllowed: 10 },
  });
  assert.deepEqual(refusal(() => checkContentLength({ min: 5, max: 10 }, 4)).fields, { ProposedSize: 4, MinSizeAllowed: 5 });
});

test('the tagging field as x-amz-tagging; malformed XML refused', () => {
  assert.equal(taggingQueryOf('<Tagging><TagSet><Tag><Key>a b</Key><Value>1&amp;2</Value></Tag><Tag><Key>c</Key><Value></Value></Tag></TagSet></Tagging>'), 'a%20b=1%262&c=');
  assert.equal(taggingQueryOf('<Tagging><TagSet></TagSet></Tagging>'), '');
  assert.equal(refusal(() => taggingQueryOf('a=1')).code, 'MalformedXML');
  assert.equal(refusal(() => taggingQueryOf('<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>')).code, 'MalformedXML');
});

test('bucketAndKey reads the path-style routing path', () => {
  assert.deepEqual(bucketAndKey('/'), {});
  assert.deepEqual(bucketAndKey('/b'), { bucket: 'b' });
  assert.deepEqual(bucketAndKey('/b/'), { bucket: 'b', key: '' });
  assert.deepEqual(bucketAndKey('/b/a%20b/c'), { bucket: 'b', key: 'a b/c' });
});
