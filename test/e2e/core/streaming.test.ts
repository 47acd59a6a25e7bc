/**
 * Streaming through the real edge (node:http) and pipeline, driven by the real SDK v3 S3 client
 * and by hand-signed aws-chunked uploads over a socket. S3's handlers are stand-ins (the S3
 * provider is built elsewhere): PutObject hashes its body stream, GetObject returns a generated
 * Readable. 200 MB each way must flow with the process's RSS growing far less than that.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomInt } from 'node:crypto';
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { RequestContext } from '../../../src/core/context.ts';
import { createEdgeServer } from '../../../src/server/edge.ts';
import { signWithSmithy } from '../../unit/auth/helpers.ts';
import { fakePipeline, TEST_ACCOUNT } from '../../unit/pipeline/fake-s3.ts';

const MB = 1024 * 1024;
const BIG = 200 * MB;
const PIECE = Buffer.alloc(64 * 1024);
for (let i = 0; i < PIECE.length; i++) PIECE[i] = (i * 31 + 7) & 0xff;

/** `total` bytes of a fixed 64 KiB pattern, produced on demand (never held whole). */
function patternStream(total: number): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, PIECE.length);
      left -= n;
      this.push(n === PIECE.length ? PIECE : PIECE.subarray(0, n));
    },
  });
}

function patternSha256(total: number): string {
  const hash = createHash('sha256');
  for (let left = total; left > 0; left -= PIECE.length) hash.update(left >= PIECE.length ? PIECE : PIECE.subarray(0, left));
  return hash.digest('hex');
}

/** What the stand-in PutObject saw: bytes counted and hashed as they streamed past, and the trailers. */
interface Upload {
  bytes: number;
  sha256: string;
  trailers: Record<string, string>;
  rssPeakDuring: number;
}

const uploads: Upload[] = [];
let rssPeak = 0;
function sampleRss(): void {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}

async function PutObject(input: { Body: Readable }, ctx: RequestContext) {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of input.Body) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if ((bytes & (8 * MB - 1)) < (chunk as Buffer).length) sampleRss();
  }
  const upload = { bytes, sha256: hash.digest('hex'), trailers: { ...(ctx.requestBody?.trailers ?? {}) }, rssPeakDuring: rssPeak };
  uploads.push(upload);
  return { ETag: `"${upload.sha256.slice(0, 32)}"` };
}

/** Keys name what GetObject streams back: "big" (200 MB), "fails" (errors after 64 KiB of 1 MiB). */
function GetObject(input: { Key: string }) {
  if (input.Key === 'fails') {
    let sent = false;
    const body = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(PIECE);
        } else setImmediate(() => this.destroy(new Error('disk read failed')));
      },
    });
    return { Body: body, ContentLength: MB };
  }
  const size = input.Key === 'big' ? BIG : 1000;
  return { Body: patternStream(size), ContentLength: size };
}

let server: Server;
let endpoint: string;
let port: number;
const edgeErrors: unknown[] = [];

before(async () => {
  const p = fakePipeline({ PutObject, GetObject });
  server = createEdgeServer({ maxBodyBytes: 64 * MB, handle: p.handle, onError: (err) => edgeErrors.push(err) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  endpoint = `http://127.0.0.1:${port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function s3(): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
    maxAttempts: 1,
  });
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

test('SDK v3 PutObject of 200 MB streams through edge, SigV4 and aws-chunked decoding with RSS growth under 64 MiB', async () => {
  const expected = patternSha256(BIG);
  await settle();
  const rssBefore = process.memoryUsage().rss;
  rssPeak = rssBefore;
  const timer = setInterval(sampleRss, 20);
  try {
    const out = await s3().send(new PutObjectCommand({ Bucket: 'bucket', Key: 'big.bin', Body: patternStream(BIG), ContentLength: BIG }));
    assert.equal(out.ETag, `"${expected.slice(0, 32)}"`);
  } finally {
    clearInterval(timer);
  }
  const upload = uploads.at(-1)!;
  assert.equal(upload.bytes, BIG);
  assert.equal(upload.sha256, expected);
  // SDK v3 sends STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer; it arrived and verified.
  assert.match(upload.trailers['x-amz-checksum-crc32'] ?? '', /^[A-Za-z0-9+/]{6}==$/);
  const growth = rssPeak - rssBefore;
  assert.ok(growth < 64 * MB, `RSS grew by ${(growth / MB).toFixed(1)} MiB while streaming 200 MB in`);
});

test('SDK v3 GetObject of 200 MB streams a handler Readable to the client with RSS growth under 64 MiB', async () => {
  const expected = patternSha256(BIG);
  await settle();
  const rssBefore = process.memoryUsage().rss;
  rssPeak = rssBefore;
  const timer = setInterval(sampleRss, 20);
  let bytes = 0;
  const hash = createHash('sha256');
  try {
    const out = await s3().send(new GetObjectCommand({ Bucket: 'bucket', Key: 'big' }));
    assert.equal(out.ContentLength, BIG);
    for await (const chunk of out.Body as Readable) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } finally {
    clearInterval(timer);
  }
  assert.equal(bytes, BIG);
  assert.equal(hash.digest('hex'), expected);
  const growth = rssPeak - rssBefore;
  assert.ok(growth < 64 * MB, `RSS grew by ${(growth / MB).toFixed(1)} MiB while streaming 200 MB out`);
});

// ---- a hand-signed STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload over a socket ------------------------

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256Hex = (d: Buffer | string) => createHash('sha256').update(d).digest('hex');

/** AWS's chunk signing, from the documented string to sign; `tamper` flips a byte after signing. */
function signedChunkBody(data: Buffer, seed: string, amzDate: string, chunkSize: number, tamper = false): Buffer {
  const day = amzDate.slice(0, 8);
  const scope = `${day}/us-east-1/s3/aws4_request`;
  const key = hmac(hmac(hmac(hmac('AWS4' + TEST_ACCOUNT.secretAccessKey, day), 'us-east-1'), 's3'), 'aws4_request');
  const parts: Buffer[] = [];
  let previous = seed;
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  chunks.push(Buffer.alloc(0));
  for (const chunk of chunks) {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${previous}\n${sha256Hex('')}\n${sha256Hex(chunk)}`;
    previous = hmac(key, sts).toString('hex');
    const sent = tamper && chunks.indexOf(chunk) === 1 ? Buffer.concat([Buffer.from('X'), chunk.subarray(1)]) : chunk;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), sent, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

interface Sent {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Sends raw bytes in random-sized writes (so chunks split anywhere across TCP reads). */
function send(headers: Record<string, string>, body: Buffer, agent?: Agent, method = 'PUT', path = '/bucket/signed.bin'): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let writeFailed = false;
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A server that refuses the body may answer before reading all of it and close: the write
      // then fails (EPIPE) while the answer is already on its way, as with S3. Wait for it.
      if (err.code !== 'EPIPE' || writeFailed) return reject(err);
      writeFailed = true;
      setTimeout(() => reject(err), 2_000).unref();
    });
    (async () => {
      for (let i = 0; i < body.length && !writeFailed; ) {
        const n = randomInt(1, 20_000);
        if (!req.write(body.subarray(i, i + n))) await new Promise((r) => req.once('drain', r));
        i += n;
        if (randomInt(0, 8) === 0) await new Promise((r) => setImmediate(r));
      }
      req.end();
    })().catch(reject);
  });
}

async function signedChunkedRequest(data: Buffer, chunkSize: number, tamper = false): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const encodedLength = signedChunkBody(data, '0'.repeat(64), '20240101T000000Z', chunkSize).length;
  const signed = await signWithSmithy({
    service: 's3',
    accessKeyId: TEST_ACCOUNT.accessKeyId,
    secret: TEST_ACCOUNT.secretAccessKey,
    method: 'PUT',
    path: '/bucket/signed.bin',
    headers: {
      'content-encoding': 'aws-chunked',
      'content-length': String(encodedLength),
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': String(data.length),
    },
    signingDate: new Date(),
    s3: true,
  });
  const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers['authorization']!)![1]!;
  const body = signedChunkBody(data, seed, signed.headers['x-amz-date']!, chunkSize, tamper);
  assert.equal(body.length, encodedLength);
  return { headers: signed.headers, body };
}

test('a SigV4-signed aws-chunked PUT (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) split anywhere decodes to the exact bytes', async () => {
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = randomInt(0, 256);
  const { headers, body } = await signedChunkedRequest(data, 65536);
  const res = await send(headers, body);
  assert.equal(res.status, 200, res.body);
  const upload = uploads.at(-1)!;
  assert.equal(upload.bytes, data.length);
  assert.equal(upload.sha256, sha256Hex(data));
  assert.deepEqual(upload.trailers, {});
});

test('a tampered signed chunk is answered 403 SignatureDoesNotMatch in S3 XML over the wire', async () => {
  const data = Buffer.alloc(200_000, 'q');
  const { headers, body } = await signedChunkedRequest(data, 65536, true);
  const count = uploads.length;
  // A keep-alive connection, as SDKs use: the server answers at the bad chunk and drains the rest.
  // (With `Connection: close` it would close after answering, and a client still writing the body
  // can lose the answer to EPIPE, against S3 as here.)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const res = await send(headers, body, agent).finally(() => agent.destroy());
  assert.equal(res.status, 403);
  assert.match(res.body, /<Code>SignatureDoesNotMatch<\/Code><Message>The request signature we calculated does not match the signature you provided\. Check your key and signing method\.<\/Message>/);
  assert.equal(uploads.length, count, 'the handler must not complete an upload whose chunk failed');
});

test('a request answered before its body is read: a small remainder is drained (keep-alive), a large one closes the connection', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // An unknown access key: authentication fails before the (streamed) body is read at all.
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const badSignature = {
      host: '127.0.0.1:4566',
      'x-amz-date': amzDate,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAUNKNOWNKEY000000/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
    };
    const small = Buffer.alloc(100_000, 's');
    const first = await send({ ...badSignature, 'content-length': String(small.length) }, small, agent);
    assert.equal(first.status, 403);
    assert.match(first.body, /<Code>InvalidAccessKeyId<\/Code>/);
    assert.equal(first.headers.connection, 'keep-alive');
    // The same connection serves the next request.
    const second = await send({ ...badSignature, 'content-length': '0' }, Buffer.alloc(0), agent);
    assert.equal(second.status, 403);

    const large = Buffer.alloc(3 * MB, 'l');
    const third = await new Promise<Sent>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'PUT', path: '/bucket/k', agent, headers: { ...badSignature, 'content-length': String(large.length) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        },
      );
      // The server may answer and close before the whole body is written: that is the point.
      req.on('error', reject);
      req.end(large);
    });
    assert.equal(third.status, 403);
    assert.equal(third.headers.connection, 'close');
  } finally {
    agent.destroy();
  }
});

test('a streamed response that fails after its headers truncates the body and cuts the connection', async () => {
  const result = await new Promise<{ status: number; received: number; aborted: boolean }>((resolve) => {
    let received = 0;
    const headers = { 'x-amz-content-sha256': sha256Hex('') };
    void signWithSmithy({
      service: 's3',
      accessKeyId: TEST_ACCOUNT.accessKeyId,
      secret: TEST_ACCOUNT.secretAccessKey,
      method: 'GET',
      path: '/bucket/fails',
      headers,
      signingDate: new Date(),
      s3: true,
    }).then((signed) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path: '/bucket/fails', headers: signed.headers, agent: false }, (res) => {
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('aborted', () => resolve({ status: res.statusCode!, received, aborted: true }));
        res.on('error', () => resolve({ status: res.statusCode!, received, aborted: true }));
        res.on('end', () => resolve({ status: res.statusCode!, received, aborted: false }));
      });
      req.on('error', () => resolve({ status: 0, received, aborted: true }));
      req.end();
    });
  });
  assert.equal(result.status, 200);
  assert.equal(result.aborted, true);
  assert.equal(result.received, PIECE.length);
  assert.ok(edgeErrors.some((e) => e instanceof Error && e.message === 'disk read failed'), 'the body failure is reported to onError');
});
