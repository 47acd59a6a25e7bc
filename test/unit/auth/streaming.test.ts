/**
 * Streamed request bodies (RawRequest.bodyStream): the signature is verified up front, then the
 * body is decoded and checked as it is read. AWS's documented S3 examples are fed in 1-byte,
 * 7-byte and random splits; failures must surface on the stream as the very AwsError the
 * buffered path gives (S3 wording through authError).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createHash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { RawRequest, RequestBodyStream } from '../../../src/core/http.ts';
import { AwsError } from '../../../src/core/errors.ts';
import { AuthFailure } from '../../../src/auth/sigv4/types.ts';
import { decodeBodyWithoutVerifying, verifySigV4 } from '../../../src/auth/sigv4/verify.ts';
import { AwsChunkedDecoder } from '../../../src/auth/sigv4/chunked.ts';
import {
  assertSameError,
  bufferedS3Error,
  crc32Base64,
  readAll,
  streamError,
  STREAMING_AKID as AKID,
  STREAMING_KEYS as KEYS,
  STREAMING_NOW as NOW,
  STREAMING_SECRET as SECRET,
  STREAMING_SIGNED_AT as SIGNED_AT,
  DOC_CHUNK_SIGNATURES, DOC_NOW, options, S3_DOC_KEY, s3PutObjectExample, signWithSmithy, streamingBody, streamingRequest, toS3Error } from './helpers.ts';

const S3_SIGNATURE_MESSAGE = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

/** Cuts bytes into pieces: a fixed size, or random sizes (1..max) when size is 'random'. */
function split(bytes: Buffer, size: number | 'random', max = 9000): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = size === 'random' ? randomInt(1, max + 1) : size;
    pieces.push(bytes.subarray(i, i + n));
    i += n;
  }
  return pieces;
}

/** The buffered request turned into a streamed one: same headers, body only as a stream. */
function streamed(req: RawRequest, pieces: Buffer[]): RawRequest {
  return { ...req, body: Buffer.alloc(0), bodyStream: Readable.from(pieces, { objectMode: false }) };
}

async function verifiedStream(req: RawRequest, nowIso = DOC_NOW): Promise<RequestBodyStream> {
  const out = await verifySigV4(req, options(S3_DOC_KEY, nowIso, true, { streamErrors: toS3Error }));
  assert.equal(out.kind, 'signed');
  if (out.kind !== 'signed') throw new Error('unreachable');
  assert.equal(out.body.length, 0, 'a streamed request leaves body empty');
  assert.ok(out.bodyStream, 'a streamed request gets a bodyStream');
  return out.bodyStream;
}


for (const size of [1, 7, 'random'] as const) {
  test(`AWS's S3 multiple-chunks example streamed in ${size}-byte pieces decodes to 66560 'a's`, async () => {
    const body = streamingBody(DOC_CHUNK_SIGNATURES);
    const stream = await verifiedStream(streamed(streamingRequest(body), split(body, size)));
    const decoded = await readAll(stream);
    assert.equal(decoded.length, 66560);
    assert.ok(decoded.equals(Buffer.alloc(66560, 'a')));
    assert.deepEqual(stream.trailers, {});
  });
}

test('streamed example: a changed byte in the second chunk errors the stream with SignatureDoesNotMatch, as buffered', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES, true);
  const err = await streamError(await verifiedStream(streamed(streamingRequest(body), split(body, 'random'))));
  const expected = await bufferedS3Error(streamingRequest(body));
  assertSameError(err, expected);
  assert.equal(expected.code, 'SignatureDoesNotMatch');
  assert.equal(expected.status, 403);
  assert.equal(expected.message, S3_SIGNATURE_MESSAGE);
  assert.equal(expected.fields.SignatureProvided, DOC_CHUNK_SIGNATURES[1]);
});

test('streamed example: a wrong final chunk signature fails at the end', async () => {
  const sigs: [string, string, string] = [DOC_CHUNK_SIGNATURES[0], DOC_CHUNK_SIGNATURES[1], '0'.repeat(64)];
  const body = streamingBody(sigs);
  const err = await streamError(await verifiedStream(streamed(streamingRequest(body), split(body, 7))));
  assertSameError(err, await bufferedS3Error(streamingRequest(body)));
  assert.equal((err as AwsError).fields.SignatureProvided, '0'.repeat(64));
});

test('streamed example: a body cut short is IncompleteBody when the source ends, or when the client goes away', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES).subarray(0, 40000);
  const err = await streamError(await verifiedStream(streamed(streamingRequest(body), split(body, 'random'))));
  // The decoder's own finding (ended inside a chunk) is S3's IncompleteBody "terminated unexpectedly".
  assertSameError(err, await bufferedS3Error(streamingRequest(body)));
  assert.equal((err as AwsError).code, 'IncompleteBody');
  assert.equal((err as AwsError).message, 'The request body terminated unexpectedly');

  // A source that fails mid-body (the socket closed) is IncompleteBody with the Content-Length wording.
  const failing = new Readable({ read() {} });
  failing.push(body.subarray(0, 1000));
  const stream = await verifiedStream({ ...streamingRequest(body), body: Buffer.alloc(0), bodyStream: failing });
  setImmediate(() => failing.destroy(new Error('aborted')));
  const cut = await streamError(stream);
  assert.ok(cut instanceof AwsError);
  assert.equal(cut.code, 'IncompleteBody');
  assert.equal(cut.status, 400);
  assert.equal(cut.message, 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
});

test('S3 PUT example with a hex x-amz-content-sha256 streams through; a different body is XAmzContentSHA256Mismatch', async () => {
  const req = s3PutObjectExample();
  const good = Buffer.from('Welcome to Amazon S3.');
  const stream = await verifiedStream(streamed(req, split(good, 1)));
  assert.equal((await readAll(stream)).toString(), 'Welcome to Amazon S3.');

  const other = Buffer.from('Welcome to Amazon S4.');
  const err = await streamError(await verifiedStream(streamed(req, split(other, 7))));
  const expected = await bufferedS3Error({ ...req, body: other });
  assertSameError(err, expected);
  assert.equal(expected.code, 'XAmzContentSHA256Mismatch');
  assert.equal(expected.status, 400);
  assert.equal(expected.message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
  assert.deepEqual(expected.fields, {
    ClientComputedContentSHA256: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    S3ComputedContentSHA256: createHash('sha256').update(other).digest('hex'),
  });
});

// ---- trailers: SDK v3's STREAMING-UNSIGNED-PAYLOAD-TRAILER and the signed variant -------------

const DATA = Buffer.from('Streaming bodies never sit in memory whole. '.repeat(500)); // 22000 bytes

function unsignedTrailerBody(data: Buffer, trailer: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 8192) {
    const chunk = data.subarray(i, i + 8192);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailer}\r\n\r\n`));
  return Buffer.concat(parts);
}

async function unsignedTrailerRequest(decodedLength = DATA.length): Promise<RawRequest> {
  return signWithSmithy({
    service: 's3',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'PUT',
    path: '/bucket/streamed.bin',
    headers: {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(decodedLength),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    },
    signingDate: SIGNED_AT,
    s3: true,
  });
}

async function trailerStream(req: RawRequest, body: Buffer, size: number | 'random'): Promise<RequestBodyStream> {
  const out = await verifySigV4(streamed(req, split(body, size, 300)), options(KEYS, NOW, true, { streamErrors: toS3Error }));
  assert.equal(out.kind, 'signed');
  if (out.kind !== 'signed' || !out.bodyStream) throw new Error('expected a signed, streamed outcome');
  return out.bodyStream;
}

for (const size of [1, 7, 'random'] as const) {
  test(`unsigned trailer streamed in ${size}-byte pieces: bytes, then trailers filled by 'end'`, async () => {
    const trailer = `x-amz-checksum-crc32:${crc32Base64(DATA)}`;
    const stream = await trailerStream(await unsignedTrailerRequest(), unsignedTrailerBody(DATA, trailer), size);
    let trailersAtEnd: Record<string, string> | undefined;
    stream.on('end', () => (trailersAtEnd = { ...stream.trailers }));
    assert.ok((await readAll(stream)).equals(DATA));
    assert.deepEqual(trailersAtEnd, { 'x-amz-checksum-crc32': crc32Base64(DATA) });
  });
}

test('unsigned trailer streamed: a wrong checksum is BadDigest, exactly as buffered', async () => {
  const trailer = `x-amz-checksum-crc32:${crc32Base64(Buffer.from('other bytes'))}`;
  const body = unsignedTrailerBody(DATA, trailer);
  const req = await unsignedTrailerRequest();
  const err = await streamError(await trailerStream(req, body, 'random'));
  let buffered: unknown;
  await verifySigV4({ ...req, body }, options(KEYS, NOW, true)).catch((e: unknown) => (buffered = e));
  assert.ok(buffered instanceof AuthFailure);
  assertSameError(err, toS3Error(buffered));
  assert.equal((err as AwsError).code, 'BadDigest');
  assert.equal((err as AwsError).status, 400);
  assert.equal((err as AwsError).message, 'The CRC32 you specified did not match the calculated checksum.');
});

test('unsigned trailer streamed: fewer bytes than x-amz-decoded-content-length is IncompleteBody', async () => {
  const trailer = `x-amz-checksum-crc32:${crc32Base64(DATA)}`;
  const err = await streamError(await trailerStream(await unsignedTrailerRequest(DATA.length + 10), unsignedTrailerBody(DATA, trailer), 'random'));
  assert.ok(err instanceof AwsError);
  assert.equal(err.code, 'IncompleteBody');
  assert.equal(err.status, 400);
  assert.equal(err.message, 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
});

test('UNSIGNED-PAYLOAD streams through; a body shorter than Content-Length is IncompleteBody', async () => {
  const sign = (length: number) =>
    signWithSmithy({
      service: 's3',
      accessKeyId: AKID,
      secret: SECRET,
      method: 'PUT',
      path: '/bucket/unsigned.bin',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': String(length) },
      signingDate: SIGNED_AT,
      s3: true,
    });
  const whole = await trailerStream(await sign(DATA.length), DATA, 'random');
  assert.ok((await readAll(whole)).equals(DATA));
  const short = await trailerStream(await sign(DATA.length + 1), DATA, 'random');
  const err = await streamError(short);
  assert.ok(err instanceof AwsError);
  assert.equal(err.code, 'IncompleteBody');
});

test('a streamed header-signed request without x-amz-content-sha256 is InvalidRequest (S3 requires the header)', async () => {
  const req = await signWithSmithy({
    service: 's3',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'PUT',
    path: '/bucket/nohash.bin',
    headers: {},
    signingDate: SIGNED_AT,
    s3: true,
  });
  delete req.headers['x-amz-content-sha256'];
  let err: unknown;
  await verifySigV4(streamed(req, [DATA]), options(KEYS, NOW, true)).catch((e: unknown) => (err = e));
  assert.ok(err instanceof AwsError);
  assert.equal(err.code, 'InvalidRequest');
  assert.equal(err.status, 400);
  assert.equal(err.message, 'Missing required header for this request: x-amz-content-sha256');
});

test('--auth off and anonymous: a streamed aws-chunked body still loses its framing', async () => {
  const trailer = `x-amz-checksum-crc32:${crc32Base64(DATA)}`;
  const req = await unsignedTrailerRequest();
  const body = unsignedTrailerBody(DATA, trailer);
  const off = decodeBodyWithoutVerifying(streamed(req, split(body, 'random', 500)), toS3Error);
  assert.ok(off.bodyStream);
  assert.ok((await readAll(off.bodyStream)).equals(DATA));
  assert.deepEqual(off.bodyStream.trailers, { 'x-amz-checksum-crc32': crc32Base64(DATA) });

  const { authorization: _a, ...unsignedHeaders } = req.headers;
  const anonymous = await verifySigV4(streamed({ ...req, headers: unsignedHeaders }, split(body, 13)), options(KEYS, NOW, true));
  assert.equal(anonymous.kind, 'anonymous');
  assert.ok(anonymous.bodyStream);
  assert.ok((await readAll(anonymous.bodyStream)).equals(DATA));
});

test('the decoder refuses an endless chunk header rather than buffering it', () => {
  const decoder = new AwsChunkedDecoder({ trailer: false, expectedTrailers: [] });
  assert.throws(
    () => decoder.write(Buffer.alloc(5000, 'a'), () => {}),
    (err: unknown) => err instanceof AuthFailure && err.reason === 'malformed-chunk' && err.detail.message === 'a chunk header or trailer line is too long',
  );
});

test('a CRLF split across two pieces still ends a chunk header', () => {
  const decoder = new AwsChunkedDecoder({ trailer: false, expectedTrailers: [] });
  const out: Buffer[] = [];
  for (const piece of ['3\r', '\nabc\r', '\n0\r', '\n\r', '\n']) decoder.write(Buffer.from(piece), (d) => out.push(Buffer.from(d)));
  assert.deepEqual(decoder.end(), {});
  assert.equal(Buffer.concat(out).toString(), 'abc');
});
