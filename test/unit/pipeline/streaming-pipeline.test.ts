/**
 * The pipeline with unread bodies (RawRequest.bodyStream): the 'read body' stage buffers them
 * under the limit (413 in the service's envelope past it) unless the service streams the
 * operation; S3 PutObject's Body and ctx.requestBody are then the verifying stream; a Readable
 * output payload passes through the rest-xml codec untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RawRequest, RawResponse } from '../../../src/core/http.ts';
import { responseBytes } from '../../../src/core/http.ts';
import { s3StreamsRequestBody } from '../../../src/services/s3/request-body.ts';
import { rawRequest, signWithSmithy } from '../auth/helpers.ts';
import { fakePipeline, TEST_ACCOUNT } from './fake-s3.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function signedS3(method: string, path: string, body: Buffer, headers: Record<string, string> = {}, query?: Record<string, string>): Promise<RawRequest> {
  return signWithSmithy({
    service: 's3',
    accessKeyId: TEST_ACCOUNT.accessKeyId,
    secret: TEST_ACCOUNT.secretAccessKey,
    method,
    path,
    query,
    headers: { 'x-amz-content-sha256': sha256(body), ...headers },
    body,
    signingDate: new Date(),
    s3: true,
  });
}

/** The request as the edge hands it over: body unread, as a stream of small pieces. */
function asStreamed(req: RawRequest, body: Buffer, pieceSize = 1000): RawRequest {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += pieceSize) pieces.push(body.subarray(i, i + pieceSize));
  return { ...req, body: Buffer.alloc(0), bodyStream: Readable.from(pieces) };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function text(res: RawResponse): string {
  return responseBytes(res.body).toString('utf8');
}

/** A PutObject that reads its body to the end, as the S3 provider will, and reports what it saw. */
function putObjectRecorder() {
  const seen: { body?: Buffer; wasStream?: boolean; sameAsCtx?: boolean; dataDir?: string } = {};
  const PutObject = async (input: { Body: unknown }, ctx: import('../../../src/core/context.ts').RequestContext) => {
    seen.wasStream = input.Body instanceof Readable;
    seen.sameAsCtx = ctx.requestBody !== undefined && input.Body === ctx.requestBody;
    seen.dataDir = ctx.dataDir;
    seen.body = input.Body instanceof Readable ? await readAll(input.Body) : (input.Body as Buffer);
    return { ETag: `"${createHash('md5').update(seen.body).digest('hex')}"` };
  };
  return { seen, PutObject };
}

test('a streamed PutObject reaches the handler as the verifying stream (input.Body === ctx.requestBody); ctx.dataDir is set', async () => {
  const { seen, PutObject } = putObjectRecorder();
  const p = fakePipeline({ PutObject }, { maxBodyBytes: 1024 });
  const body = Buffer.alloc(50_000, 'x'); // larger than maxBodyBytes: streamed bodies are not limited
  const res = await p.handle(asStreamed(await signedS3('PUT', '/bucket/big.bin', body), body));
  assert.equal(res.status, 200, text(res));
  assert.equal(res.headers['ETag'], `"${createHash('md5').update(body).digest('hex')}"`);
  assert.equal(seen.wasStream, true);
  assert.equal(seen.sameAsCtx, true);
  assert.ok(seen.body!.equals(body));
  assert.equal(seen.dataDir, p.dataDir);
});

test('an in-process PutObject with a Buffer body and no stream works as before: Body is the Buffer', async () => {
  const { seen, PutObject } = putObjectRecorder();
  const p = fakePipeline({ PutObject });
  const body = Buffer.from('hello buffered world');
  const res = await p.handle(await signedS3('PUT', '/bucket/small.txt', body));
  assert.equal(res.status, 200, text(res));
  assert.equal(seen.wasStream, false);
  assert.equal(seen.sameAsCtx, false);
  assert.equal(seen.body!.toString(), 'hello buffered world');
});

test('a streamed PutObject whose bytes do not match x-amz-content-sha256 fails with XAmzContentSHA256Mismatch once read', async () => {
  const { PutObject } = putObjectRecorder();
  const p = fakePipeline({ PutObject });
  const signedFor = Buffer.from('the body that was signed');
  const sent = Buffer.from('a different body, sent..');
  const res = await p.handle(asStreamed(await signedS3('PUT', '/bucket/k', signedFor), sent, 5));
  assert.equal(res.status, 400);
  const xml = text(res);
  assert.match(xml, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
  assert.match(xml, /<Message>The provided 'x-amz-content-sha256' header does not match what was computed\.<\/Message>/);
  assert.match(xml, new RegExp(`<ClientComputedContentSHA256>${sha256(signedFor)}</ClientComputedContentSHA256>`));
  assert.match(xml, new RegExp(`<S3ComputedContentSHA256>${sha256(sent)}</S3ComputedContentSHA256>`));
});

test('a PUT on a subresource (?tagging) is buffered and parsed from XML even when it arrives as a stream', async () => {
  let tagging: unknown;
  const p = fakePipeline({
    PutObjectTagging: (input: { Tagging: unknown }) => {
      tagging = input.Tagging;
      return {};
    },
  });
  const xml = Buffer.from('<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet></Tagging>');
  const res = await p.handle(asStreamed(await signedS3('PUT', '/bucket/k', xml, {}, { tagging: '' }), xml, 7));
  assert.equal(res.status, 200, text(res));
  assert.deepEqual(tagging, { TagSet: [{ Key: 'team', Value: 'blue' }] });
});

test('a buffered body over the limit is 413 RequestEntityTooLarge in S3 XML, declared or discovered while reading', async () => {
  const p = fakePipeline({ PutObjectTagging: () => ({}) }, { maxBodyBytes: 100 });
  const xml = Buffer.alloc(300, ' ');
  // No Content-Length: found out while reading, after two 64-byte pieces.
  const res = await p.handle(asStreamed(await signedS3('PUT', '/bucket/k', xml, {}, { tagging: '' }), xml, 64));
  assert.equal(res.status, 413);
  assert.match(text(res), /<Code>RequestEntityTooLarge<\/Code><Message>Request body of 128 bytes exceeds the maximum of 100 bytes\.<\/Message>/);
  // Declared by Content-Length: refused before reading.
  const declared = asStreamed(await signedS3('PUT', '/bucket/k', xml, { 'content-length': '300' }, { tagging: '' }), xml, 64);
  const res2 = await p.handle(declared);
  assert.equal(res2.status, 413);
  assert.match(text(res2), /<Message>Request body of 300 bytes exceeds the maximum of 100 bytes\.<\/Message>/);
});

test('CopyObject (a PUT on a key, so streamed by the rule) reads its empty body whole; the handler gets no Body', async () => {
  let input: Record<string, unknown> | undefined;
  const p = fakePipeline({
    CopyObject: (i: Record<string, unknown>) => {
      input = i;
      return { CopyObjectResult: { ETag: '"abc"' } };
    },
  });
  const req = await signedS3('PUT', '/bucket/copy', Buffer.alloc(0), { 'x-amz-copy-source': '/bucket/source' });
  const res = await p.handle(asStreamed(req, Buffer.alloc(0)));
  assert.equal(res.status, 200, text(res));
  assert.equal(input!.CopySource, '/bucket/source');
  assert.equal('Body' in input!, false);
  assert.equal(p.contexts[0]!.requestBody, undefined);
});

test('an unsigned form POST naming its service only by Version= in the body still routes there (STS), body streamed', async () => {
  const p = fakePipeline({});
  const form = Buffer.from('Action=GetCallerIdentity&Version=2011-06-15');
  const req = rawRequest({ method: 'POST', target: '/', headers: { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
  const res = await p.handle(asStreamed(req, form, 4));
  assert.equal(res.status, 403);
  assert.match(text(res), /<Code>MissingAuthenticationToken<\/Code>\s*<Message>Request is missing Authentication Token<\/Message>/);
});

test('a Readable GetObject Body passes through the rest-xml codec untouched, with Content-Length from ContentLength', async () => {
  const payload = Readable.from([Buffer.from('streamed '), Buffer.from('object')]);
  const p = fakePipeline({ GetObject: () => ({ Body: payload, ContentLength: 15, ContentType: 'text/plain' }) });
  const res = await p.handle(await signedS3('GET', '/bucket/k', Buffer.alloc(0)));
  assert.equal(res.status, 200);
  assert.equal(res.body, payload);
  assert.equal(res.headers['Content-Length'], '15');
  assert.equal(res.headers['Content-Type'], 'text/plain');
  assert.equal((await readAll(payload)).toString(), 'streamed object');
});

test('--auth off: a streamed aws-chunked PutObject still loses its framing', async () => {
  const { seen, PutObject } = putObjectRecorder();
  const p = fakePipeline({ PutObject }, { authMode: 'off' });
  const framed = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
  const req = rawRequest({
    method: 'PUT',
    target: '/bucket/k',
    headers: { host: '127.0.0.1', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '11' },
  });
  const res = await p.handle(asStreamed(req, framed, 3));
  assert.equal(res.status, 200, text(res));
  assert.equal(seen.body!.toString(), 'hello world');
});

test('a handler that lets the stream error propagate answers with that AwsError', async () => {
  const p = fakePipeline({
    PutObject: async (input: { Body: Readable }) => {
      await readAll(input.Body);
      return {};
    },
  });
  const req = rawRequest({
    method: 'PUT',
    target: '/bucket/k',
    headers: { host: '127.0.0.1', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': '100' },
  });
  const res = await p.handle(asStreamed(req, Buffer.alloc(40, 'z')));
  assert.equal(res.status, 400);
  assert.match(text(res), /<Code>IncompleteBody<\/Code><Message>You did not provide the number of bytes specified by the Content-Length HTTP header\.<\/Message>/);
});

test("s3StreamsRequestBody: PUT on a key with no subresource (PutObject, UploadPart, copies, presigned) and nothing else", () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['PUT', '/bucket/key', '', true],
    ['PUT', '/bucket/a/b/c.txt', 'x-id=PutObject', true],
    ['PUT', '/bucket/key', 'partNumber=3&uploadId=abc&x-id=UploadPart', true],
    ['PUT', '/bucket/key', 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Signature=b&x-amz-checksum-crc32=c', true],
    ['PUT', '/bucket/key', 'tagging', false],
    ['PUT', '/bucket/key', 'acl', false],
    ['PUT', '/bucket/key', 'retention&versionId=1', false],
    ['PUT', '/bucket/', '', false],
    ['PUT', '/bucket', '', false],
    ['PUT', '/', '', false],
    ['POST', '/bucket/key', 'uploads', false],
    ['GET', '/bucket/key', '', false],
  ];
  for (const [method, path, query, expected] of cases) {
    const req = rawRequest({ method, target: query ? `${path}?${query}` : path, headers: {} });
    assert.equal(s3StreamsRequestBody(req), expected, `${method} ${path}?${query}`);
  }
});
