/**
 * Streamed bodies that node:http has already parsed whole (IncomingMessage.complete, the usual
 * case for a small upload, whose bytes come with its headers) are decoded at once instead of
 * through the Transform (src/auth/sigv4/streaming.ts). Same decoder, same checks: these tests
 * hold the one-pass path to the bytes, trailers and errors of the streamed and buffered paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { RawRequest, RequestBodyStream } from '../../../src/core/http.ts';
import { AwsError } from '../../../src/core/errors.ts';
import { verifySigV4 } from '../../../src/auth/sigv4/verify.ts';
import { PassThroughDecoder, verifyingBodyStream } from '../../../src/auth/sigv4/streaming.ts';
import { readBodyUnderLimit } from '../../../src/pipeline/read-body.ts';
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
  DOC_CHUNK_SIGNATURES, DOC_NOW, options, S3_DOC_KEY, signWithSmithy, streamingBody, streamingRequest, toS3Error } from './helpers.ts';


/** What the edge hands over for a body node:http has parsed to its end: pieces buffered, EOF pushed. */
function arrivedMessage(pieces: Buffer[]): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  for (const piece of pieces) message.push(piece);
  message.push(null);
  message.complete = true;
  return message;
}

function withMessage(req: RawRequest, pieces: Buffer[]): RawRequest {
  return { ...req, body: Buffer.alloc(0), bodyStream: arrivedMessage(pieces) };
}

type Keys = Record<string, { secret: string }>;

async function bodyStreamOf(req: RawRequest, keys: Keys = S3_DOC_KEY, now = DOC_NOW): Promise<RequestBodyStream> {
  const out = await verifySigV4(req, options(keys, now, true, { streamErrors: toS3Error }));
  if (out.kind !== 'signed' || !out.bodyStream) throw new Error('expected a signed, streamed outcome');
  return out.bodyStream;
}


test("a complete message is decoded at once (no Transform): AWS's multiple-chunks example gives 66560 'a's", async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES);
  const message = arrivedMessage([body.subarray(0, 5000), body.subarray(5000)]);
  const stream = await bodyStreamOf({ ...streamingRequest(body), body: Buffer.alloc(0), bodyStream: message });
  assert.equal(stream instanceof Transform, false, 'the one-pass path was taken');
  assert.equal(message.readableLength, 0, 'the message was read to its end');
  const decoded = await readAll(stream);
  assert.equal(decoded.length, 66560);
  assert.ok(decoded.equals(Buffer.alloc(66560, 'a')));
  assert.deepEqual(stream.trailers, {});
});

test('a message still arriving (not complete) goes through the streaming Transform', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES);
  const message = new IncomingMessage(new Socket());
  message.push(body);
  message.push(null); // complete stays false, as while the parser still waits for bytes
  const stream = await bodyStreamOf({ ...streamingRequest(body), body: Buffer.alloc(0), bodyStream: message });
  assert.equal(stream instanceof Transform, true);
  assert.equal((await readAll(stream)).length, 66560);
});

test('a message whose Content-Length bytes are all buffered is decoded at once, before the parser marks it complete', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES);
  const message = new IncomingMessage(new Socket());
  message.headers = { 'content-length': String(body.length) };
  message.push(body); // no EOF and complete still false: the parser has not reported the end yet
  const stream = await bodyStreamOf({ ...streamingRequest(body), body: Buffer.alloc(0), bodyStream: message });
  assert.equal(stream instanceof Transform, false, 'the one-pass path was taken');
  assert.ok((await readAll(stream)).equals(Buffer.alloc(66560, 'a')));
});

test('a message with fewer bytes buffered than its Content-Length goes through the streaming Transform', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES);
  const message = new IncomingMessage(new Socket());
  message.headers = { 'content-length': String(body.length) };
  message.push(body.subarray(0, 5000));
  const stream = await bodyStreamOf({ ...streamingRequest(body), body: Buffer.alloc(0), bodyStream: message });
  assert.equal(stream instanceof Transform, true);
  message.push(body.subarray(5000));
  message.push(null);
  assert.equal((await readAll(stream)).length, 66560);
});

test('one pass: a changed byte in the second chunk is the same SignatureDoesNotMatch as buffered, raised when read', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES, true);
  const stream = await bodyStreamOf(withMessage(streamingRequest(body), [body]));
  assert.equal(stream.errored, null, 'the failure waits for a reader');
  const err = await streamError(stream);
  const expected = await bufferedS3Error(streamingRequest(body));
  assertSameError(err, expected);
  assert.equal(expected.code, 'SignatureDoesNotMatch');
  assert.equal(expected.status, 403);
  assert.equal(expected.fields.SignatureProvided, DOC_CHUNK_SIGNATURES[1]);
});

test('one pass: a body cut inside a chunk is IncompleteBody "terminated unexpectedly", as buffered', async () => {
  const body = streamingBody(DOC_CHUNK_SIGNATURES).subarray(0, 40000);
  const err = await streamError(await bodyStreamOf(withMessage(streamingRequest(body), [body])));
  assertSameError(err, await bufferedS3Error(streamingRequest(body)));
  assert.equal((err as AwsError).code, 'IncompleteBody');
  assert.equal((err as AwsError).message, 'The request body terminated unexpectedly');
});

// ---- SDK v3's shapes: a signed payload hash with a checksum header, and the unsigned trailer -----

const DATA = Buffer.from('Small uploads arrive with their headers. '.repeat(25)); // 1025 bytes

function unsignedTrailerBody(data: Buffer, trailer: string): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(`\r\n0\r\n${trailer}\r\n\r\n`)]);
}

function unsignedTrailerRequest(): Promise<RawRequest> {
  return signWithSmithy({
    service: 's3',
    accessKeyId: AKID,
    secret: SECRET,
    method: 'PUT',
    path: '/bucket/small.bin',
    headers: {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(DATA.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    },
    signingDate: SIGNED_AT,
    s3: true,
  });
}

test('one pass, unsigned trailer: the bytes, and the trailers set before any read', async () => {
  const body = unsignedTrailerBody(DATA, `x-amz-checksum-crc32:${crc32Base64(DATA)}`);
  const stream = await bodyStreamOf(withMessage(await unsignedTrailerRequest(), [body.subarray(0, 10), body.subarray(10)]), KEYS, NOW);
  assert.equal(stream instanceof Transform, false);
  assert.deepEqual(stream.trailers, { 'x-amz-checksum-crc32': crc32Base64(DATA) });
  assert.ok((await readAll(stream)).equals(DATA));
});

test('one pass, unsigned trailer: a wrong checksum is BadDigest, exactly as buffered', async () => {
  const body = unsignedTrailerBody(DATA, `x-amz-checksum-crc32:${crc32Base64(Buffer.from('other bytes'))}`);
  const req = await unsignedTrailerRequest();
  const err = await streamError(await bodyStreamOf(withMessage(req, [body]), KEYS, NOW));
  assertSameError(err, await bufferedS3Error({ ...req, body }, KEYS, NOW));
  assert.equal((err as AwsError).code, 'BadDigest');
  assert.equal((err as AwsError).message, 'The CRC32 you specified did not match the calculated checksum.');
});

test('one pass, hex x-amz-content-sha256 (what SDK v3 sends for a Buffer body over http): bytes, or XAmzContentSHA256Mismatch', async () => {
  const sign = () =>
    signWithSmithy({
      service: 's3',
      accessKeyId: AKID,
      secret: SECRET,
      method: 'PUT',
      path: '/bucket/hashed.bin',
      headers: { 'x-amz-content-sha256': createHash('sha256').update(DATA).digest('hex'), 'content-length': String(DATA.length) },
      body: DATA,
      signingDate: SIGNED_AT,
      s3: true,
    });
  const req = await sign();
  const stream = await bodyStreamOf(withMessage(req, [DATA]), KEYS, NOW);
  assert.ok((await readAll(stream)).equals(DATA));

  const other = Buffer.from(DATA);
  other[0] = 0x73;
  const err = await streamError(await bodyStreamOf(withMessage(req, [other]), KEYS, NOW));
  assertSameError(err, await bufferedS3Error({ ...req, body: other }, KEYS, NOW));
  assert.equal((err as AwsError).code, 'XAmzContentSHA256Mismatch');
});

test('one pass: a buffered read (readBodyUnderLimit, as for CopyObject) gets the bytes, or the AwsError', async () => {
  const ok = await readBodyUnderLimit(verifyingBodyStream(arrivedMessage([DATA]), new PassThroughDecoder(DATA.length)), {}, 1 << 20);
  assert.equal(ok.kind, 'read');
  assert.ok(ok.kind === 'read' && ok.body.equals(DATA));

  const short = verifyingBodyStream(arrivedMessage([DATA]), new PassThroughDecoder(DATA.length + 1), toS3Error);
  const err = await readBodyUnderLimit(short, {}, 1 << 20).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AwsError);
  assert.equal(err.code, 'IncompleteBody');
  assert.equal(err.status, 400);
});

test('readBodyUnderLimit takes a complete message at once: its bytes, an empty GET body, or oversized past the limit', async () => {
  const message = arrivedMessage([DATA.subarray(0, 100), DATA.subarray(100)]);
  const read = await readBodyUnderLimit(message, {}, 1 << 20);
  assert.equal(read.kind, 'read');
  assert.ok(read.kind === 'read' && read.body.equals(DATA));
  assert.equal(message.readableLength, 0);
  assert.equal(message.listenerCount('data'), 0, 'no listeners left behind');

  const empty = await readBodyUnderLimit(arrivedMessage([]), {}, 1 << 20);
  assert.deepEqual(empty.kind === 'read' && [...empty.body], []);

  // Over the limit (no Content-Length to say so first): found while reading, as before.
  const big = await readBodyUnderLimit(arrivedMessage([DATA]), {}, 1000);
  assert.deepEqual(big, { kind: 'oversized', declaredBytes: DATA.length });
});
