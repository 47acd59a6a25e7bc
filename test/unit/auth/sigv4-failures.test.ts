/** Every way verifySigV4 refuses a request, with the detail errors.ts needs to word it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../src/core/errors.ts';
import { verifySigV4 } from '../../../src/auth/sigv4/verify.ts';
import type { VerifyOptions } from '../../../src/auth/sigv4/types.ts';
import { failureOf, options, rawRequest, signWithSmithy, stubResolver, type KeyEntry } from './helpers.ts';

const AKID = 'AKIAFAILURES000001';
const SECRET = 'failure-secret/abc+def';
const KEYS: Record<string, KeyEntry> = { [AKID]: { secret: SECRET } };
const DATE = new Date('2023-01-01T00:30:00Z');
const NOW = '2023-01-01T00:30:00Z';
const VALID_CRED = `Credential=${AKID}/20230101/us-east-1/sts/aws4_request`;

function headerRequest(authorization: string, headers: Record<string, string> = { 'x-amz-date': '20230101T003000Z' }) {
  return rawRequest({ method: 'POST', target: '/', headers: { host: '127.0.0.1:4566', authorization, ...headers }, body: 'Action=GetCallerIdentity' });
}

function sts(extra: Partial<Parameters<typeof signWithSmithy>[0]> = {}) {
  return signWithSmithy({
    service: 'sts',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    signingDate: DATE,
    s3: false,
    ...extra,
  });
}

test('no Authorization header and no presigned query is anonymous, body untouched', async () => {
  const req = rawRequest({ method: 'GET', target: '/bucket/key?versionId=3', headers: { host: 'x' }, body: 'abc' });
  const out = await verifySigV4(req, options(KEYS, NOW, true));
  assert.deepEqual(out, { kind: 'anonymous', body: Buffer.from('abc'), trailers: {} });
});

test('a well-signed STS request verifies and the resolver sees the key without a token', async () => {
  const opts = options(KEYS, NOW, false);
  const out = await verifySigV4(await sts(), opts);
  assert.equal(out.kind, 'signed');
  assert.deepEqual((opts.resolver as ReturnType<typeof stubResolver>).calls, [[AKID, undefined]]);
});

test('missing Signature and SignedHeaders: incomplete-signature listing both and echoing the header', async () => {
  const header = `AWS4-HMAC-SHA256 ${VALID_CRED}`;
  const f = await failureOf(verifySigV4(headerRequest(header), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'incomplete-signature');
  assert.equal(
    f.detail.message,
    `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${header}`,
  );
});

test('a token that is not SigV4 at all lists every missing piece, the date included', async () => {
  const f = await failureOf(verifySigV4(headerRequest('eyJhbGciOiJIUzI1NiJ9.e30.sig', {}), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'incomplete-signature');
  assert.equal(
    f.detail.message,
    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=eyJhbGciOiJIUzI1NiJ9.e30.sig",
  );
});

test('a component without "=" is refused as AWS words it', async () => {
  const f = await failureOf(verifySigV4(headerRequest('Bearer abc'), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'incomplete-signature');
  assert.equal(f.detail.message, "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'.");
});

test('all parts but no date: missing-date', async () => {
  const header = `AWS4-HMAC-SHA256 ${VALID_CRED}, SignedHeaders=host, Signature=abc`;
  const f = await failureOf(verifySigV4(headerRequest(header, {}), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'missing-date');
  assert.equal(f.detail.message, `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`);
});

test('a date not in ISO-8601 basic format: missing-date with the value', async () => {
  const header = `AWS4-HMAC-SHA256 ${VALID_CRED}, SignedHeaders=host, Signature=abc`;
  const f = await failureOf(verifySigV4(headerRequest(header, { 'x-amz-date': '2023-01-01T00:30:00Z' }), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'missing-date');
  assert.equal(f.detail.message, "Date must be in ISO-8601 'basic format'. Got '2023-01-01T00:30:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
});

test('unsupported algorithm', async () => {
  const header = `AWS4-HMAC-SHA512 ${VALID_CRED}, SignedHeaders=host;x-amz-date, Signature=abc`;
  const f = await failureOf(verifySigV4(headerRequest(header), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'unsupported-algorithm');
  assert.equal(f.detail.message, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
  // S3 judges the type first: an authorization type it does not know is unsupported, not incomplete.
  const s3 = await failureOf(verifySigV4(headerRequest('Bearer c2lnbmF0dXJl'), options(KEYS, NOW, true)));
  assert.equal(s3.reason, 'unsupported-algorithm');
  assert.equal(s3.detail.authorization, 'Bearer c2lnbmF0dXJl');
});

test("S3's Signature Version 2, as a header or a presigned URL: InvalidRequest naming AWS4-HMAC-SHA256", async () => {
  const expected = { code: 'InvalidRequest', status: 400, message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.' };
  const header = await verifySigV4(headerRequest('AWS AKIAFAILURES000001:c2lnbmF0dXJl'), options(KEYS, NOW, true)).catch((err: AwsError) => err);
  assert.ok(header instanceof AwsError);
  assert.deepEqual({ code: header.code, status: header.status, message: header.message }, expected);
  const presigned = { ...headerRequest(''), headers: { host: 'example.amazonaws.com' }, query: 'AWSAccessKeyId=AKIAFAILURES000001&Expires=1700000000&Signature=c2lnbmF0dXJl' };
  const url = await verifySigV4(presigned, options(KEYS, NOW, true)).catch((err: AwsError) => err);
  assert.ok(url instanceof AwsError);
  assert.deepEqual({ code: url.code, status: url.status, message: url.message }, expected);
});

test('a credential without 5 parts is incomplete-signature', async () => {
  const header = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host;x-amz-date, Signature=abc';
  const f = await failureOf(verifySigV4(headerRequest(header), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'incomplete-signature');
  assert.equal(f.detail.message, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE'");
});

test('wrong terminator and a scope date that is not the request date: malformed-credential', async () => {
  const header = `AWS4-HMAC-SHA256 Credential=${AKID}/20221231/us-east-1/sts/aws5_request, SignedHeaders=host;x-amz-date, Signature=abc`;
  const f = await failureOf(verifySigV4(headerRequest(header), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'malformed-credential');
  assert.equal(
    f.detail.message,
    "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20221231' != '20230101', from '20230101T003000Z'.",
  );
});

test('host must be signed (non-S3)', async () => {
  const header = `AWS4-HMAC-SHA256 ${VALID_CRED}, SignedHeaders=x-amz-date, Signature=abc`;
  const f = await failureOf(verifySigV4(headerRequest(header), options(KEYS, NOW, false)));
  assert.equal(f.reason, 'signature-mismatch');
  assert.equal(f.detail.message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
});

test('an access key the resolver does not know: unknown-key', async () => {
  const f = await failureOf(verifySigV4(await sts(), options({}, NOW, false)));
  assert.equal(f.reason, 'unknown-key');
  assert.equal(f.detail.accessKeyId, AKID);
});

test('a wrong secret: signature-mismatch with the canonical request and string to sign', async () => {
  const f = await failureOf(verifySigV4(await sts(), options({ [AKID]: { secret: 'other' } }, NOW, false)));
  assert.equal(f.reason, 'signature-mismatch');
  assert.equal(f.detail.accessKeyId, AKID);
  assert.match(f.detail.canonicalRequest ?? '', /^POST\n\/\n\ncontent-type:application\/x-www-form-urlencoded\nhost:127\.0\.0\.1:4566\nx-amz-date:20230101T003000Z\n\ncontent-type;host;x-amz-date\n[0-9a-f]{64}$/);
  assert.match(f.detail.stringToSign ?? '', /^AWS4-HMAC-SHA256\n20230101T003000Z\n20230101\/us-east-1\/sts\/aws4_request\n[0-9a-f]{64}$/);
});

test('clock skew: exactly 15 minutes either way passes, one second more fails with the times', async () => {
  const req = await sts();
  assert.equal((await verifySigV4(req, options(KEYS, '2023-01-01T00:45:00Z', false))).kind, 'signed');
  assert.equal((await verifySigV4(req, options(KEYS, '2023-01-01T00:15:00Z', false))).kind, 'signed');
  const late = await failureOf(verifySigV4(req, options(KEYS, '2023-01-01T00:45:01Z', false)));
  assert.equal(late.reason, 'skewed');
  assert.equal(late.detail.requestTime?.toISOString(), '2023-01-01T00:30:00.000Z');
  assert.equal(late.detail.serverTime?.toISOString(), '2023-01-01T00:45:01.000Z');
  assert.equal(late.detail.maxSkewMs, 900000);
  const early = await failureOf(verifySigV4(req, options(KEYS, '2023-01-01T00:14:59Z', false)));
  assert.equal(early.reason, 'skewed');
});

test('maxSkewMs narrows the window (Lambda: 5 minutes)', async () => {
  const req = await sts();
  const f = await failureOf(verifySigV4(req, options(KEYS, '2023-01-01T00:35:01Z', false, { maxSkewMs: 300000 })));
  assert.equal(f.reason, 'skewed');
  assert.equal(f.detail.maxSkewMs, 300000);
});

test('the Date header is used when x-amz-date is absent', async () => {
  const header = `AWS4-HMAC-SHA256 ${VALID_CRED}, SignedHeaders=date;host, Signature=abc`;
  const req = headerRequest(header, { date: 'Sun, 01 Jan 2023 00:30:00 GMT' });
  const f = await failureOf(verifySigV4(req, options(KEYS, '2023-01-01T02:00:00Z', false)));
  assert.equal(f.reason, 'skewed');
  assert.equal(f.detail.requestTime?.toISOString(), '2023-01-01T00:30:00.000Z');
});

function s3Presigned(expiresIn: number, extra: Partial<Parameters<typeof signWithSmithy>[0]> = {}) {
  return signWithSmithy({
    service: 's3',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'GET',
    path: '/bucket/key.txt',
    headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    signingDate: DATE,
    presignExpiresIn: expiresIn,
    s3: true,
    ...extra,
  });
}

test('S3 presigned: X-Amz-Expires above 604800 is presign-expiry-too-long, 604800 itself is fine', async () => {
  // The SDK refuses to presign beyond a week, so the URL is edited after signing (the expiry is judged before the signature).
  const signed = await s3Presigned(60);
  const query = signed.query.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801');
  const tooLong = { ...signed, query, target: `${signed.path}?${query}` };
  const f = await failureOf(verifySigV4(tooLong, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'presign-expiry-too-long');
  assert.equal(f.detail.expiresSeconds, 604801);
  assert.equal((await verifySigV4(await s3Presigned(604800), options(KEYS, '2023-01-08T00:29:59Z', true))).kind, 'signed');
});

test('S3 presigned: expired one second after X-Amz-Date + X-Amz-Expires', async () => {
  const req = await s3Presigned(60);
  assert.equal((await verifySigV4(req, options(KEYS, '2023-01-01T00:31:00Z', true))).kind, 'signed');
  const f = await failureOf(verifySigV4(req, options(KEYS, '2023-01-01T00:31:01Z', true)));
  assert.equal(f.reason, 'presign-expired');
  assert.equal(f.detail.expiresSeconds, 60);
  assert.equal(f.detail.presigned, true);
});

test('S3 presigned: dated more than 15 minutes ahead is presign-not-yet-valid', async () => {
  const f = await failureOf(verifySigV4(await s3Presigned(3600), options(KEYS, '2023-01-01T00:14:59Z', true)));
  assert.equal(f.reason, 'presign-not-yet-valid');
});

test('S3 presigned without X-Amz-Expires is incomplete-signature', async () => {
  const req = await s3Presigned(60);
  const query = req.query.replace(/&?X-Amz-Expires=60/, '');
  const f = await failureOf(verifySigV4({ ...req, query, target: `${req.path}?${query}` }, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'incomplete-signature');
  assert.equal(f.detail.presigned, true);
});

test('presigned query missing parameters lists them', async () => {
  const req = rawRequest({ method: 'GET', target: `/?X-Amz-Credential=${AKID}%2F20230101%2Fus-east-1%2Fsts%2Faws4_request`, headers: { host: 'h' } });
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, false)));
  assert.equal(f.reason, 'incomplete-signature');
  assert.equal(
    f.detail.message,
    "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
  );
});

test('non-S3 presigned: X-Amz-Expires is ignored, the 15-minute window around X-Amz-Date applies', async () => {
  const req = await sts({ presignExpiresIn: 60, method: 'GET', body: undefined, headers: {} });
  assert.equal((await verifySigV4(req, options(KEYS, '2023-01-01T00:44:00Z', false))).kind, 'signed');
  const f = await failureOf(verifySigV4(req, options(KEYS, '2023-01-01T00:45:01Z', false)));
  assert.equal(f.reason, 'presign-expired');
  const g = await failureOf(verifySigV4(req, options(KEYS, '2023-01-01T00:14:59Z', false)));
  assert.equal(g.reason, 'presign-not-yet-valid');
});

const TEMP = 'ASIATEMPORARY00001';
const TEMP_KEYS: Record<string, KeyEntry> = { [TEMP]: { secret: 'temp-secret', sessionToken: 'session-token-1' } };

test('session credentials: the token reaches the resolver and must match, header or presigned', async () => {
  const good = await sts({ accessKeyId: TEMP, secret: 'temp-secret', sessionToken: 'session-token-1' });
  const opts = options(TEMP_KEYS, NOW, false);
  assert.equal((await verifySigV4(good, opts)).kind, 'signed');
  assert.deepEqual((opts.resolver as ReturnType<typeof stubResolver>).calls, [[TEMP, 'session-token-1']]);

  const wrong = await sts({ accessKeyId: TEMP, secret: 'temp-secret', sessionToken: 'session-token-2' });
  const f = await failureOf(verifySigV4(wrong, options(TEMP_KEYS, NOW, false)));
  assert.equal(f.reason, 'invalid-token');
  assert.equal(f.detail.securityToken, 'session-token-2');

  const missing = await sts({ accessKeyId: TEMP, secret: 'temp-secret' });
  assert.equal((await failureOf(verifySigV4(missing, options(TEMP_KEYS, NOW, false)))).reason, 'invalid-token');

  const presigned = await s3Presigned(300, { accessKeyId: TEMP, secret: 'temp-secret', sessionToken: 'session-token-1' });
  assert.equal((await verifySigV4(presigned, options(TEMP_KEYS, NOW, true))).kind, 'signed');
});

test('a permanent key sent with a security token: invalid-token', async () => {
  const req = await sts({ sessionToken: 'made-up' });
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, false)));
  assert.equal(f.reason, 'invalid-token');
});

test('an AwsError thrown by the resolver (e.g. ExpiredToken) passes through unchanged', async () => {
  const expired = new AwsError('ExpiredToken', 'The security token included in the request is expired', { status: 403 });
  const opts: VerifyOptions = { nowMs: Date.parse(NOW), s3: false, resolver: { resolve: async () => { throw expired; } } };
  await assert.rejects(verifySigV4(await sts(), opts), (err) => err === expired);
});

test('S3: a declared x-amz-content-sha256 that is not the hash of the body: payload-hash-mismatch', async () => {
  const declared = 'a'.repeat(64);
  const req = await signWithSmithy({
    service: 's3',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'PUT',
    path: '/bucket/key',
    headers: { 'x-amz-content-sha256': declared },
    body: 'hello',
    signingDate: DATE,
    s3: true,
  });
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'payload-hash-mismatch');
  assert.equal(f.detail.declaredHash, declared);
  assert.equal(f.detail.computedHash, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
});

test('S3: UNSIGNED-PAYLOAD leaves the body unchecked', async () => {
  const req = await signWithSmithy({
    service: 's3',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'PUT',
    path: '/bucket/key',
    headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    body: 'hello',
    signingDate: DATE,
    s3: true,
  });
  const out = await verifySigV4({ ...req, body: Buffer.from('other') }, options(KEYS, NOW, true));
  assert.equal(out.kind, 'signed');
  if (out.kind === 'signed') {
    assert.equal(out.payloadMode, 'UNSIGNED-PAYLOAD');
    assert.equal(out.body.toString(), 'other');
  }
});
