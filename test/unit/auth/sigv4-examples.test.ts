/**
 * AWS's own published SigV4 examples: the IAM ListUsers request of the SigV4 guide, and the S3
 * examples of "Signature Calculations for the Authorization Header" (single chunk and multiple
 * chunks) and "Authenticating Requests: Using Query Parameters".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifySigV4 } from '../../../src/auth/sigv4/verify.ts';
import { DOC_CHUNK_SIGNATURES, failureOf, IAM_DOC_KEY, options, rawRequest, S3_DOC_KEY, s3PutObjectExample, streamingBody, streamingRequest } from './helpers.ts';

const S3_CRED = 'Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('IAM ListUsers example from the SigV4 guide verifies', async () => {
  const req = rawRequest({
    method: 'GET',
    target: '/?Action=ListUsers&Version=2010-05-08',
    headers: {
      host: 'iam.amazonaws.com',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    },
  });
  const out = await verifySigV4(req, options(IAM_DOC_KEY, '2015-08-30T12:40:00Z', false));
  assert.equal(out.kind, 'signed');
  if (out.kind !== 'signed') return;
  assert.equal(out.accessKeyId, 'AKIDEXAMPLE');
  assert.equal(out.region, 'us-east-1');
  assert.equal(out.service, 'iam');
  assert.equal(out.signedAt.toISOString(), '2015-08-30T12:36:00.000Z');
  assert.deepEqual(out.signedHeaders, ['content-type', 'host', 'x-amz-date']);
  assert.equal(out.presigned, false);
  assert.equal(out.payloadMode, EMPTY);
  assert.equal(out.credential.principal.name, 'AKIDEXAMPLE');
});

test('IAM example with one changed character of the signature fails with signature-mismatch', async () => {
  const req = rawRequest({
    method: 'GET',
    target: '/?Action=ListUsers&Version=2010-05-08',
    headers: {
      host: 'iam.amazonaws.com',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d8',
    },
  });
  const f = await failureOf(verifySigV4(req, options(IAM_DOC_KEY, '2015-08-30T12:40:00Z', false)));
  assert.equal(f.reason, 'signature-mismatch');
  assert.equal(
    f.detail.canonicalRequest,
    'GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n' + EMPTY,
  );
  assert.equal(
    f.detail.stringToSign,
    'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
  );
});

test('S3 GET Object example (Range header) verifies', async () => {
  const req = rawRequest({
    method: 'GET',
    target: '/test.txt',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY,
      'x-amz-date': '20130524T000000Z',
      authorization: `AWS4-HMAC-SHA256 ${S3_CRED},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
    },
  });
  const out = await verifySigV4(req, options(S3_DOC_KEY, '2013-05-24T00:05:00Z', true));
  assert.equal(out.kind, 'signed');
});

test('S3 PUT Object example (test$file.text, Date and storage class signed) verifies', async () => {
  const req = s3PutObjectExample('Welcome to Amazon S3.');
  const out = await verifySigV4(req, options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true));
  assert.equal(out.kind, 'signed');
  if (out.kind === 'signed') assert.equal(out.body.toString(), 'Welcome to Amazon S3.');
  // Sent encoded on the wire, the same signature holds.
  const encoded = { ...req, path: '/test%24file.text', target: '/test%24file.text' };
  assert.equal((await verifySigV4(encoded, options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true))).kind, 'signed');
});

test('S3 GET Bucket lifecycle example (valueless query parameter) verifies', async () => {
  const req = rawRequest({
    method: 'GET',
    target: '/?lifecycle',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': EMPTY,
      authorization: `AWS4-HMAC-SHA256 ${S3_CRED},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543`,
    },
  });
  assert.equal((await verifySigV4(req, options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true))).kind, 'signed');
});

test('S3 GET Bucket (list objects) example verifies', async () => {
  const req = rawRequest({
    method: 'GET',
    target: '/?max-keys=2&prefix=J',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': EMPTY,
      authorization: `AWS4-HMAC-SHA256 ${S3_CRED},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7`,
    },
  });
  assert.equal((await verifySigV4(req, options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true))).kind, 'signed');
});

const PRESIGNED_TARGET =
  '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

test('S3 presigned URL example verifies within its 86400 s and expires after', async () => {
  const req = rawRequest({ method: 'GET', target: PRESIGNED_TARGET, headers: { host: 'examplebucket.s3.amazonaws.com' } });
  const out = await verifySigV4(req, options(S3_DOC_KEY, '2013-05-24T23:59:59Z', true));
  assert.equal(out.kind, 'signed');
  if (out.kind === 'signed') {
    assert.equal(out.presigned, true);
    assert.equal(out.payloadMode, 'UNSIGNED-PAYLOAD');
    assert.deepEqual(out.signedHeaders, ['host']);
  }
  const f = await failureOf(verifySigV4(req, options(S3_DOC_KEY, '2013-05-25T00:00:01Z', true)));
  assert.equal(f.reason, 'presign-expired');
  assert.equal(f.detail.expiresSeconds, 86400);
  assert.equal(f.detail.requestTime?.toISOString(), '2013-05-24T00:00:00.000Z');
  assert.equal(f.detail.serverTime?.toISOString(), '2013-05-25T00:00:01.000Z');
});

test('S3 streaming upload example (65 KiB in 64 KiB chunks) verifies and decodes', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES);
  assert.equal(body.length, 66824);
  const out = await verifySigV4(streamingRequest(body), options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true));
  assert.equal(out.kind, 'signed');
  if (out.kind !== 'signed') return;
  assert.equal(out.payloadMode, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  assert.equal(out.body.length, 66560);
  assert.ok(out.body.equals(Buffer.alloc(66560, 'a')));
  assert.deepEqual(out.trailers, {});
});

test('S3 streaming example: a changed byte in the second chunk breaks its chunk signature', async () => {
  const f = await failureOf(verifySigV4(streamingRequest(streamingBody(DOC_CHUNK_SIGNATURES, true)), options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true)));
  assert.equal(f.reason, 'chunk-signature-mismatch');
  assert.equal(f.detail.signatureProvided, DOC_CHUNK_SIGNATURES[1]);
});

test('S3 streaming example: a wrong final chunk signature fails', async () => {
  const sigs: [string, string, string] = [DOC_CHUNK_SIGNATURES[0], DOC_CHUNK_SIGNATURES[1], 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df8'];
  const f = await failureOf(verifySigV4(streamingRequest(streamingBody(sigs)), options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true)));
  assert.equal(f.reason, 'chunk-signature-mismatch');
});

test('S3 streaming example: chunks swapped in order break the chain', async () => {
  const sigs: [string, string, string] = [DOC_CHUNK_SIGNATURES[1], DOC_CHUNK_SIGNATURES[0], DOC_CHUNK_SIGNATURES[2]];
  const f = await failureOf(verifySigV4(streamingRequest(streamingBody(sigs)), options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true)));
  assert.equal(f.reason, 'chunk-signature-mismatch');
  assert.equal(f.detail.signatureProvided, DOC_CHUNK_SIGNATURES[1]);
});

test('S3 streaming example: a truncated chunk is malformed-chunk', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES).subarray(0, 40000);
  const f = await failureOf(verifySigV4(streamingRequest(body), options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true)));
  assert.equal(f.reason, 'malformed-chunk');
  assert.equal(f.detail.message, 'a chunk of 65536 bytes is truncated');
});

test('S3 streaming example: changing the signed x-amz-decoded-content-length breaks the seed signature', async () => {
  const req = streamingRequest(streamingBody(DOC_CHUNK_SIGNATURES));
  req.headers['x-amz-decoded-content-length'] = '66561';
  const f = await failureOf(verifySigV4(req, options(S3_DOC_KEY, '2013-05-24T00:00:00Z', true)));
  // x-amz-decoded-content-length is signed, so the seed signature fails first.
  assert.equal(f.reason, 'signature-mismatch');
});
