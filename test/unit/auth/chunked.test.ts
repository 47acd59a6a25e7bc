/**
 * aws-chunked uploads with trailing checksums: STREAMING-UNSIGNED-PAYLOAD-TRAILER (the SDK v3
 * default for streamed S3 bodies) and STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER. The chunk and
 * trailer signatures here are computed independently from AWS's documented strings to sign.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { computeChecksum, crc32c, crc64nvme, type ChecksumAlgorithm } from '../../../src/auth/checksums.ts';
import { verifySigV4 } from '../../../src/auth/sigv4/verify.ts';
import { failureOf, options, signWithSmithy } from './helpers.ts';

const AKID = 'AKIACHUNKED0000001';
const SECRET = 'chunked/secret';
const KEYS = { [AKID]: { secret: SECRET } };
const DATE = new Date('2024-06-01T12:00:00Z');
const NOW = '2024-06-01T12:01:00Z';
const DATA = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(300)); // 13500 bytes

/** Expected trailer values computed without Bonsai's checksum module where Node has one. */
function expectedChecksum(alg: ChecksumAlgorithm, data: Buffer): string {
  const be32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b.toString('base64');
  };
  switch (alg) {
    case 'crc32':
      return be32(crc32(data));
    case 'crc32c':
      return be32(crc32c(data));
    case 'crc64nvme':
      return crc64nvme(data).toString('base64');
    case 'sha1':
      return createHash('sha1').update(data).digest('base64');
    case 'sha256':
      return createHash('sha256').update(data).digest('base64');
  }
}

function unsignedTrailerBody(data: Buffer, trailerName: string, trailerValue: string, chunkSize = 8192): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) {
    const chunk = data.subarray(i, i + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailerName}:${trailerValue}\r\n\r\n`));
  return Buffer.concat(parts);
}

async function trailerRequest(mode: string, body: Buffer, trailerName: string, decodedLength = DATA.length) {
  return signWithSmithy({
    service: 's3',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'PUT',
    path: '/bucket/streamed.txt',
    headers: {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': mode,
      'x-amz-decoded-content-length': String(decodedLength),
      'x-amz-trailer': trailerName,
      'x-amz-sdk-checksum-algorithm': trailerName.slice('x-amz-checksum-'.length).toUpperCase(),
    },
    body,
    signingDate: DATE,
    s3: true,
  });
}

for (const alg of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const) {
  test(`unsigned trailer x-amz-checksum-${alg}: a correct value decodes, a wrong one is checksum-mismatch`, async () => {
    const name = `x-amz-checksum-${alg}`;
    const value = expectedChecksum(alg, DATA);
    assert.equal(computeChecksum(alg, DATA), value);
    const good = await trailerRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', unsignedTrailerBody(DATA, name, value), name);
    const out = await verifySigV4(good, options(KEYS, NOW, true));
    assert.equal(out.kind, 'signed');
    if (out.kind !== 'signed') return;
    assert.ok(out.body.equals(DATA));
    assert.deepEqual(out.trailers, { [name]: value });
    assert.equal(out.payloadMode, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');

    const wrong = expectedChecksum(alg, Buffer.from('something else'));
    const bad = await trailerRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', unsignedTrailerBody(DATA, name, wrong), name);
    const f = await failureOf(verifySigV4(bad, options(KEYS, NOW, true)));
    assert.equal(f.reason, 'checksum-mismatch');
    assert.equal(f.detail.checksumAlgorithm, alg);
  });
}

test('unsigned trailer: a trailer announced in x-amz-trailer but not sent is malformed-chunk', async () => {
  const body = Buffer.concat([Buffer.from(`${DATA.length.toString(16)}\r\n`), DATA, Buffer.from('\r\n0\r\n\r\n')]);
  const req = await trailerRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', body, 'x-amz-checksum-crc32');
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'malformed-chunk');
  assert.equal(f.detail.message, 'the trailer x-amz-checksum-crc32 announced in x-amz-trailer is missing');
});

test('unsigned trailer: chunks carrying fewer bytes than x-amz-decoded-content-length are incomplete-body', async () => {
  const name = 'x-amz-checksum-crc32';
  const req = await trailerRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', unsignedTrailerBody(DATA, name, expectedChecksum('crc32', DATA)), name, DATA.length + 1);
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'incomplete-body');
  assert.equal(f.detail.message, `x-amz-decoded-content-length is ${DATA.length + 1} but the chunks carry ${DATA.length} bytes`);
});

test('unsigned trailer: chunks carrying more bytes than x-amz-decoded-content-length are malformed-chunk', async () => {
  const name = 'x-amz-checksum-crc32';
  const req = await trailerRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', unsignedTrailerBody(DATA, name, expectedChecksum('crc32', DATA)), name, DATA.length - 1);
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'malformed-chunk');
  assert.equal(f.detail.message, `x-amz-decoded-content-length is ${DATA.length - 1} but the chunks carry more bytes`);
});

test('a chunk size that is not hex is malformed-chunk; a body cut before the final chunk too', async () => {
  const name = 'x-amz-checksum-crc32';
  const good = unsignedTrailerBody(DATA, name, expectedChecksum('crc32', DATA));
  const notHex = Buffer.concat([Buffer.from('2g00\r\n'), good.subarray(6)]);
  const f = await failureOf(verifySigV4(await trailerRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', notHex, name), options(KEYS, NOW, true)));
  assert.equal(f.reason, 'malformed-chunk');
  assert.equal(f.detail.message, "invalid chunk size '2g00'");
  const cut = good.subarray(0, 8192 + 8);
  const g = await failureOf(verifySigV4(await trailerRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', cut, name), options(KEYS, NOW, true)));
  assert.equal(g.reason, 'malformed-chunk');
});

/** Independent SigV4 chunk signing, straight from the documented strings to sign. */
function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
const sha = (d: Buffer | string) => createHash('sha256').update(d).digest('hex');
const SCOPE = '20240601/us-east-1/s3/aws4_request';
const AMZ_DATE = '20240601T120000Z';
const KEY = hmac(hmac(hmac(hmac('AWS4' + SECRET, '20240601'), 'us-east-1'), 's3'), 'aws4_request');

function signedTrailerBody(seed: string, data: Buffer, trailer: string, opts: { tamperTrailerSignature?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  let previous = seed;
  const chunks = [data.subarray(0, 8192), data.subarray(8192), Buffer.alloc(0)];
  for (const chunk of chunks) {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${AMZ_DATE}\n${SCOPE}\n${previous}\n${sha('')}\n${sha(chunk)}`;
    previous = hmac(KEY, sts).toString('hex');
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
  }
  const trailerSts = `AWS4-HMAC-SHA256-TRAILER\n${AMZ_DATE}\n${SCOPE}\n${previous}\n${sha(trailer + '\n')}`;
  let trailerSignature = hmac(KEY, trailerSts).toString('hex');
  if (opts.tamperTrailerSignature) trailerSignature = trailerSignature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  parts.push(Buffer.from(`${trailer}\r\nx-amz-trailer-signature:${trailerSignature}\r\n\r\n`));
  return Buffer.concat(parts);
}

async function signedTrailerRequest(makeBody: (seed: string) => Buffer) {
  // The seed signature does not cover the body, so sign first and attach the body afterwards.
  const req = await trailerRequest('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', Buffer.alloc(0), 'x-amz-checksum-crc32c');
  const seed = /Signature=([0-9a-f]{64})/.exec(req.headers['authorization']!)![1]!;
  return { ...req, body: makeBody(seed) };
}

test('signed trailer: chunk and trailer signatures chain from the seed and verify', async () => {
  const trailer = `x-amz-checksum-crc32c:${expectedChecksum('crc32c', DATA)}`;
  const req = await signedTrailerRequest((seed) => signedTrailerBody(seed, DATA, trailer));
  const out = await verifySigV4(req, options(KEYS, NOW, true));
  assert.equal(out.kind, 'signed');
  if (out.kind !== 'signed') return;
  assert.ok(out.body.equals(DATA));
  assert.deepEqual(out.trailers, { 'x-amz-checksum-crc32c': expectedChecksum('crc32c', DATA) });
});

test('signed trailer: a wrong trailer signature is chunk-signature-mismatch', async () => {
  const trailer = `x-amz-checksum-crc32c:${expectedChecksum('crc32c', DATA)}`;
  const req = await signedTrailerRequest((seed) => signedTrailerBody(seed, DATA, trailer, { tamperTrailerSignature: true }));
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'chunk-signature-mismatch');
});

test('signed trailer: a correctly signed but wrong checksum is checksum-mismatch', async () => {
  const trailer = `x-amz-checksum-crc32c:${expectedChecksum('crc32c', Buffer.from('x'))}`;
  const req = await signedTrailerRequest((seed) => signedTrailerBody(seed, DATA, trailer));
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'checksum-mismatch');
  assert.equal(f.detail.checksumAlgorithm, 'crc32c');
});

test('signed chunks: a chunk signed against the wrong seed is chunk-signature-mismatch', async () => {
  const trailer = `x-amz-checksum-crc32c:${expectedChecksum('crc32c', DATA)}`;
  const req = await signedTrailerRequest(() => signedTrailerBody('0'.repeat(64), DATA, trailer));
  const f = await failureOf(verifySigV4(req, options(KEYS, NOW, true)));
  assert.equal(f.reason, 'chunk-signature-mismatch');
});
