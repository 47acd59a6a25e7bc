// One S3 load-generating process for bench/s3.bench.ts: SDK v3's S3Client (path style) calling one
// operation at a given concurrency until a deadline (or a count), against loopback only.
//   node bench/s3-load-client.mjs '<json job>'
// The job: { endpoint, key, secret, bucket, op, concurrency, ms, clientId, size?, keys?, from?, to?, prefix?, objectKey? }
//   op 'put'       PutObject of `size` bytes (one Buffer) to p-<client>-<worker>-<n mod 4>: keys are
//                  reused so a long run overwrites instead of filling the disk;
//   op 'get'       GetObject of random keys among `${prefix}0` … `${prefix}${keys - 1}`, body drained
//                  and its length checked against `size`;
//   op 'seed'      PutObject of `${prefix}${i}` for i in from … to-1 (`size` bytes each), workers in turn;
//   op 'list'      ListObjectsV2 of `prefix` to its last page (1,000 keys a page), again and again;
//   op 'multipart' lib-storage Upload of a generated `size`-byte stream to `objectKey` (queueSize 4,
//                  16 MiB parts), once;
//   op 'stream-put' PutObject of a generated `size`-byte stream to `objectKey`, once;
//   op 'stream-get' GetObject of `objectKey`, the body drained and counted, once.
// The process loads the SDK, prints "ready", and starts when a line arrives on stdin (so the start-up
// of several client processes is not counted in the run); the deadline is `ms` after that line.
// Then prints one JSON line: { ok, errors, firstError?, bytes, items, pages, ms } where ok counts completed
// requests (or full listings), bytes the payload bytes sent or received, items the keys listed.
import { S3Client, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { printResultAndExit } from './client-output.mjs';

const MIB = 1024 * 1024;
const job = JSON.parse(process.argv[2]);
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(job.endpoint)) throw new Error(`loopback endpoints only: ${job.endpoint}`);
let deadline = Infinity;
const client = new S3Client({
  endpoint: job.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  maxAttempts: 1,
  credentials: { accessKeyId: job.key, secretAccessKey: job.secret },
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: Math.max(job.concurrency, 4) }) }),
});

/** The payload of small PUTs: the same bytes every time (their content does not matter to a server). */
const payload = job.op === 'put' || job.op === 'seed' ? Buffer.alloc(job.size, 'bonsai-s3-bench/') : Buffer.alloc(0);

/** A generated stream of `total` bytes in 1 MiB chunks taken from one 1 MiB pool (never held whole). */
function generatedStream(total) {
  const pool = Buffer.alloc(MIB, 'generated-by-the-s3-bench/');
  return Readable.from(
    (function* chunks() {
      for (let sent = 0; sent < total; sent += MIB) yield pool.subarray(0, Math.min(MIB, total - sent));
    })(),
    { objectMode: false },
  );
}

/** Reads a response body to its end, counting bytes without keeping them. */
async function drain(body) {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
}

const result = { ok: 0, errors: 0, firstError: undefined, bytes: 0, items: 0, pages: 0, ms: 0 };

function fail(err) {
  result.errors++;
  result.firstError ??= String(err?.name ? `${err.name}: ${err.message}` : err);
}

const operations = {
  async put(worker) {
    for (let i = 0; Date.now() < deadline; i++) {
      await client.send(new PutObjectCommand({ Bucket: job.bucket, Key: `p-${job.clientId}-${worker}-${i % 4}`, Body: payload }));
      result.ok++;
      result.bytes += payload.length;
    }
  },
  async get() {
    while (Date.now() < deadline) {
      const key = `${job.prefix}${Math.floor(Math.random() * job.keys)}`;
      const out = await client.send(new GetObjectCommand({ Bucket: job.bucket, Key: key }));
      const bytes = await drain(out.Body);
      if (bytes !== job.size) throw new Error(`GetObject ${key}: ${bytes} bytes, expected ${job.size}`);
      result.ok++;
      result.bytes += bytes;
    }
  },
  async seed(worker) {
    for (let i = job.from + worker; i < job.to && Date.now() < deadline; i += job.concurrency) {
      await client.send(new PutObjectCommand({ Bucket: job.bucket, Key: `${job.prefix}${i}`, Body: payload }));
      result.ok++;
      result.items++;
    }
  },
  async list() {
    while (Date.now() < deadline) {
      let token;
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket: job.bucket, Prefix: job.prefix, ContinuationToken: token }));
        result.pages++;
        result.items += out.Contents?.length ?? 0;
        token = out.NextContinuationToken;
      } while (token && Date.now() < deadline);
      if (!token) result.ok++;
    }
  },
  async multipart() {
    const upload = new Upload({ client, queueSize: 4, partSize: 16 * MIB, params: { Bucket: job.bucket, Key: job.objectKey, Body: generatedStream(job.size) } });
    await upload.done();
    result.ok++;
    result.bytes += job.size;
  },
  async 'stream-put'() {
    await client.send(new PutObjectCommand({ Bucket: job.bucket, Key: job.objectKey, Body: generatedStream(job.size), ContentLength: job.size }));
    result.ok++;
    result.bytes += job.size;
  },
  async 'stream-get'() {
    const out = await client.send(new GetObjectCommand({ Bucket: job.bucket, Key: job.objectKey }));
    result.bytes += await drain(out.Body);
    result.ok++;
  },
};

/** One-shot operations run once; the others loop until the deadline, a failure counted and the loop resumed. */
const ONCE = new Set(['multipart', 'stream-put', 'stream-get']);

async function worker(index) {
  const run = operations[job.op];
  if (!run) throw new Error(`unknown op ${job.op}`);
  if (ONCE.has(job.op)) {
    try {
      await run(index);
    } catch (err) {
      fail(err);
    }
    return;
  }
  while (Date.now() < deadline) {
    try {
      await run(index);
      return;
    } catch (err) {
      fail(err);
    }
  }
}

process.stdout.write('ready\n');
await once(createInterface({ input: process.stdin }), 'line');
deadline = Date.now() + job.ms;
const t0 = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, (_, i) => worker(i)));
result.ms = performance.now() - t0;
printResultAndExit(result);
