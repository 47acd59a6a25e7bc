/**
 * Server CPU per 1 KiB PutObject and GetObject, without sockets: SDK v3 requests, signed with the
 * root key and captured (not sent), replayed N times against Bonsai's request handler in this
 * process. The figure is this process's CPU time (process.cpuUsage: user + system, all threads,
 * so the thread pool's fsyncs and reads count) divided by the requests. Wall time is reported too.
 *
 * Run: npx tsx bench/s3-small-objects.bench.ts   (BENCH_N=5000, BENCH_SIZE=1024, BENCH_CONCURRENCY=1 by default)
 * PUT bodies reach the pipeline as the edge hands them over: an IncomingMessage whose small body
 * node:http has already parsed (src/auth/sigv4/streaming.ts decodes and verifies it); with
 * BENCH_PUT_BODY=buffer they come as a buffer instead.
 * BENCH_ONLY=put or BENCH_ONLY=get measures one of the two (for a CPU profile of one operation:
 * node --import tsx --cpu-prof --cpu-prof-dir=<dir> bench/s3-small-objects.bench.ts).
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { HttpRequest } from '@smithy/types';
import type { RawRequest, RawResponse } from '../src/core/http.ts';
import { startTestBonsai, TEST_ACCOUNT } from '../test/helpers/bonsai.ts';

const N = Number(process.env.BENCH_N ?? 5_000);
const SIZE = Number(process.env.BENCH_SIZE ?? 1024);
const BUCKET = 'small-objects';
const ONLY = process.env.BENCH_ONLY;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const STREAMED_PUT = process.env.BENCH_PUT_BODY !== 'buffer';

/**
 * The request as the edge hands it over: its body unread, as the IncomingMessage. A small body
 * usually comes in the same packets as the headers, so node:http has parsed all of it by then.
 */
function withBodyStream(req: RawRequest): RawRequest {
  const message = new IncomingMessage(new Socket());
  message.push(req.body);
  message.push(null);
  message.complete = true;
  return { ...req, body: Buffer.alloc(0), bodyStream: message };
}

/** Sends the command through a handler that records the signed request instead of sending it. */
async function captured(endpoint: string, command: CreateBucketCommand | PutObjectCommand | GetObjectCommand): Promise<RawRequest> {
  let raw: RawRequest | undefined;
  const requestHandler = {
    async handle(req: HttpRequest): Promise<never> {
      const query = Object.entries(req.query ?? {})
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body as Uint8Array);
      raw = { method: req.method, target: req.path + (query ? `?${query}` : ''), path: req.path, query, headers, body, remoteAddress: '127.0.0.1', secure: false };
      throw new Error('captured');
    },
  };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
    requestHandler,
  });
  await client.send(command as never).catch(() => undefined);
  if (!raw) throw new Error('no request captured');
  return raw;
}

/** Reads a response to its end, as the edge would pipe it to the socket. */
async function drain(res: RawResponse): Promise<number> {
  if (!(res.body instanceof Readable)) return Buffer.byteLength(res.body);
  let n = 0;
  for await (const chunk of res.body) n += (chunk as Buffer).length;
  return n;
}

/**
 * Sends `n` requests, CONCURRENCY at a time (one after another by default; 16 shows what the
 * store's group commit shares between concurrent PUTs), and returns CPU and wall time per request.
 */
async function cpuPerRequest(n: number, send: () => Promise<RawResponse>, expectedBytes?: number): Promise<{ cpu: number; wall: number }> {
  const start = process.hrtime.bigint();
  const before = process.cpuUsage();
  let left = n;
  const worker = async () => {
    while (left > 0) {
      left--;
      const res = await send();
      const bytes = await drain(res);
      if (res.status !== 200) throw new Error(`request failed: ${res.status}`);
      if (expectedBytes !== undefined && bytes !== expectedBytes) throw new Error(`got ${bytes} bytes, not ${expectedBytes}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
  const used = process.cpuUsage(before);
  return { cpu: (used.user + used.system) / n, wall: Number(process.hrtime.bigint() - start) / 1000 / n };
}

const bonsai = await startTestBonsai();
try {
  const create = await bonsai.handle(await captured(bonsai.endpoint, new CreateBucketCommand({ Bucket: BUCKET })));
  if (create.status !== 200) throw new Error(`CreateBucket failed: ${create.status}`);
  const body = randomBytes(SIZE);
  const put = await captured(bonsai.endpoint, new PutObjectCommand({ Bucket: BUCKET, Key: 'obj', Body: body }));
  const get = await captured(bonsai.endpoint, new GetObjectCommand({ Bucket: BUCKET, Key: 'obj' }));
  // Warm-up (JIT, caches), then the measured runs.
  const sendPut = () => bonsai.handle(STREAMED_PUT ? withBodyStream(put) : put);
  await cpuPerRequest(500, sendPut);
  await cpuPerRequest(500, () => bonsai.handle(get), SIZE);
  if (ONLY !== 'get') {
    const putCost = await cpuPerRequest(N, sendPut);
    console.log(`PutObject ${SIZE} B (${STREAMED_PUT ? 'streamed' : 'buffered'} body): ${putCost.cpu.toFixed(0)} µs CPU/req, ${putCost.wall.toFixed(0)} µs wall/req (N=${N}, concurrency ${CONCURRENCY})`);
  }
  if (ONLY !== 'put') {
    const getCost = await cpuPerRequest(N, () => bonsai.handle(get), SIZE);
    console.log(`GetObject ${SIZE} B: ${getCost.cpu.toFixed(0)} µs CPU/req, ${getCost.wall.toFixed(0)} µs wall/req (N=${N}, concurrency ${CONCURRENCY})`);
  }
} finally {
  await bonsai.stop();
}
