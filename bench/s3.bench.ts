/**
 * S3 beside moto and a bare node:http ceiling, the same SDK v3 S3Client (path style) processes
 * against each (bench/s3-load-client.mjs):
 *   - PutObject and GetObject of 1 KiB and of 1 MiB at concurrency 16 (4 client processes × 4):
 *     requests/s and the server's own CPU per request (/proc/<pid>/stat), the comparable figure
 *     on a 2-core machine where one Node client process saturates near 1,000 small requests/s;
 *   - ListObjectsV2 of a 10,000-key prefix to its last page (1,000 keys a page), 2 processes × 2:
 *     full listings/s and server CPU per listing;
 *   - a 256 MiB multipart upload with lib-storage's Upload (queueSize 4, 16 MiB parts) and a
 *     GetObject of it, MiB/s end to end, beside `dd`'s disk write (conv=fdatasync) and read speed;
 *   - Bonsai alone: a PutObject of a generated 5 GiB stream and a GetObject of it, the server's RSS
 *     sampled every second (2 GiB when the data directory's disk has under 12 GB free).
 * The bare server (this file started as `bare`) answers PUT, GET, list and multipart calls with
 * fixed, well-formed S3 responses, bodies of the size last PUT under the key: what HTTP and the
 * SDK alone cost. Every request goes to 127.0.0.1 and every load loop is bounded in time.
 *
 * Run alone with `node scripts/build.mjs && npx tsx bench/s3.bench.ts`; `npm run bench` runs it
 * after the core benchmarks (BENCH_SKIP_S3=1 skips it). Switches: BENCH_S3_MS (one load run, 8 s),
 * BENCH_S3_WARM_MS (2 s), BENCH_S3_SERVERS (e.g. `Bonsai,bare`), BENCH_S3_STREAM_GIB (5; 0 skips
 * the streaming run), BENCH_S3_PROFILE=<dir> (Bonsai started with --cpu-prof into that directory),
 * BENCH_S3_SMALL_ONLY=1 (only the 1 KiB PutObject and GetObject runs; the other figures read 0).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { S3Client, CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { cpuSeconds, readLine, rssMiB, startBonsaiBundle, startMotoServer, stopServer } from './proc.ts';

const ROOT = join(import.meta.dirname, '..');
const THIS_FILE = fileURLToPath(import.meta.url);
const LOAD_CLIENT = join(ROOT, 'bench', 's3-load-client.mjs');
const ACCOUNT = { id: '123456789012', key: 'AKIAIOSFODNN7BENCHS3', secret: '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' };
const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const CLIENT_PROCESSES = 4;
const CONCURRENCY = 16;
const LIST_PROCESSES = 2;
const LIST_CONCURRENCY = 4;
const LOAD_MS = Number(process.env.BENCH_S3_MS ?? 8000);
const WARM_MS = Number(process.env.BENCH_S3_WARM_MS ?? 2000);
const LIST_KEYS = 10_000;
const MULTIPART_BYTES = 256 * MIB;
/** Multipart upload and download runs per server; the best is reported (the machine is shared). */
const TRANSFER_RUNS = 2;
const STREAM_GIB = Number(process.env.BENCH_S3_STREAM_GIB ?? 5);
/** Only the 1 KiB runs: a quick before/after of small-request CPU while working on it. */
const SMALL_ONLY = process.env.BENCH_S3_SMALL_ONLY === '1';
/** Seeding and one-shot transfers must finish within this; a server that cannot is reported with errors. */
const ONE_SHOT_MS = 300_000;
const BUCKET = 'bonsai-s3-bench';

type ServerName = 'Bonsai' | 'moto' | 'bare';

interface S3Server {
  name: ServerName;
  child: ChildProcess;
  endpoint: string;
  dataDir?: string;
  cleanup?: () => void;
}

/** Requests/s and server CPU per request of one load run. */
export interface RequestFigures {
  perSecond: number;
  cpuMicros: number;
}

export interface S3Figures {
  put1k: RequestFigures;
  get1k: RequestFigures;
  put1m: RequestFigures;
  get1m: RequestFigures;
  listingsPerSecond: number;
  listCpuMsPerListing: number;
  pagesPerListing: number;
  multipartMiBps: number;
  multipartCpuSecondsPerGiB: number;
  downloadMiBps: number;
  errors: number;
}

export interface StreamFigures {
  bytes: number;
  putMiBps: number;
  getMiBps: number;
  rssStartMiB: number;
  putRssMaxGrowthMiB: number;
  getRssMaxGrowthMiB: number;
  /**
   * How much higher the upload's RSS went after its first STREAM_SETTLE_MS than within them. Node
   * frees passing buffers in batches (the garbage collector runs when enough external memory has
   * gone by), so RSS takes one step up when a stream starts; memory that grew with the bytes
   * streamed would show here.
   */
  putRssGrowthAfterSettleMiB: number;
  reducedBecauseOfDisk: boolean;
  errors: number;
}

export interface DiskFigures {
  writeMiBps: number;
  readMiBps: number;
}

export interface S3BenchResult {
  figures: Partial<Record<ServerName, S3Figures>>;
  stream?: StreamFigures;
  disk: DiskFigures;
}

// ── the bare ceiling (this file, started as `bare`) ─────────────────────────────────────────────

const LIST_PAGE_KEYS = 1000;

/** A ListObjectsV2 page of 1,000 keys; `next` is the continuation token of the following page, if any. */
function bareListPage(page: number, pages: number): string {
  const contents: string[] = [];
  for (let i = 0; i < LIST_PAGE_KEYS; i++) {
    contents.push(`<Contents><Key>l/${page * LIST_PAGE_KEYS + i}</Key><LastModified>2026-11-22T00:00:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>16</Size><StorageClass>STANDARD</StorageClass></Contents>`);
  }
  const more = page + 1 < pages;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BUCKET}</Name><Prefix>l/</Prefix><KeyCount>${LIST_PAGE_KEYS}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>${more}</IsTruncated>${contents.join('')}${more ? `<NextContinuationToken>${page + 1}</NextContinuationToken>` : ''}</ListBucketResult>`;
}

/**
 * The ceiling: node:http answering S3's calls with fixed responses. It remembers only the size of
 * each PUT body, so a GET returns that many bytes (from one shared buffer) as S3 would.
 */
function runBareServer(): void {
  const sizes = new Map<string, number>();
  const zeros = Buffer.alloc(MIB);
  const pages = Array.from({ length: LIST_KEYS / LIST_PAGE_KEYS }, (_, p) => Buffer.from(bareListPage(p, LIST_KEYS / LIST_PAGE_KEYS)));
  const etag = '"d41d8cd98f00b204e9800998ecf8427e"';
  const xml = (res: ServerResponse, body: string | Buffer) => {
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const countBody = async (req: IncomingMessage) => {
    let n = 0;
    for await (const chunk of req) n += (chunk as Buffer).length;
    return n;
  };
  const streamZeros = (res: ServerResponse, size: number) => {
    res.writeHead(200, { 'content-type': 'binary/octet-stream', 'content-length': size, etag });
    let left = size;
    const more = () => {
      while (left > 0) {
        const n = Math.min(MIB, left);
        left -= n;
        if (!res.write(zeros.subarray(0, n))) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  };
  const server = createHttpServer({ keepAlive: true }, async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const key = url.pathname;
    const q = url.searchParams;
    if (req.method === 'PUT') {
      const n = await countBody(req);
      if (!q.has('partNumber')) sizes.set(key, n);
      res.writeHead(200, { etag, 'content-length': 0 });
      return void res.end();
    }
    if (req.method === 'POST' && q.has('uploads')) {
      return xml(res, `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${BUCKET}</Bucket><Key>${key}</Key><UploadId>bare-upload</UploadId></InitiateMultipartUploadResult>`);
    }
    if (req.method === 'POST') {
      await countBody(req);
      sizes.set(key, MULTIPART_BYTES);
      return xml(res, `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${BUCKET}</Bucket><Key>${key}</Key><ETag>"d41d8cd98f00b204e9800998ecf8427e-16"</ETag></CompleteMultipartUploadResult>`);
    }
    if (req.method === 'GET' && q.get('list-type') === '2') return xml(res, pages[Number(q.get('continuation-token') ?? 0)] ?? pages[0]!);
    if (req.method === 'GET') return streamZeros(res, sizes.get(key) ?? 0);
    res.writeHead(req.method === 'DELETE' ? 204 : 200, { 'content-length': 0 });
    res.end();
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
}

// ── servers ─────────────────────────────────────────────────────────────────────────────────────

function startBonsai(): Promise<S3Server> {
  const nodeArgs = process.env.BENCH_S3_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_S3_PROFILE] : [];
  return startBonsaiBundle({ account: ACCOUNT, dataDirPrefix: 'bonsai-bench-s3-', nodeArgs });
}

/** The moto server of the machine's Python (threaded Werkzeug, objects in memory), bound to loopback; its access log is discarded. */
function startMoto(): Promise<S3Server> {
  return startMotoServer();
}

async function startBare(): Promise<S3Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, 'bare'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await readLine(child, /^(\d+)$/m);
  return { name: 'bare', child, endpoint: `http://127.0.0.1:${port}` };
}

function stop(server: S3Server): Promise<void> {
  // SIGINT lets a Bonsai started with --cpu-prof write its profile (it exits cleanly on both).
  return stopServer(server, process.env.BENCH_S3_PROFILE && server.name === 'Bonsai' ? 'SIGINT' : 'SIGTERM');
}

function sdkClient(server: S3Server): S3Client {
  return new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret } });
}

/** Polls ListBuckets until the server answers (bounded: 20 s), then creates the bench bucket. */
async function prepareBucket(server: S3Server): Promise<void> {
  const s3 = sdkClient(server);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await s3.send(new ListBucketsCommand({}));
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
}

// ── load ────────────────────────────────────────────────────────────────────────────────────────

interface Job {
  op: 'put' | 'get' | 'seed' | 'list' | 'multipart' | 'stream-put' | 'stream-get';
  concurrency: number;
  ms: number;
  size?: number;
  keys?: number;
  from?: number;
  to?: number;
  prefix?: string;
  objectKey?: string;
}

interface ClientResult {
  ok: number;
  errors: number;
  firstError?: string;
  bytes: number;
  items: number;
  pages: number;
  ms: number;
}

interface LoadResult extends ClientResult {
  seconds: number;
  cpuSeconds: number;
}

/**
 * Runs `job` in `processes` client processes at once (the concurrency split between them; a seed
 * range split too) and reads the server's CPU around it. `onTick` runs every second meanwhile.
 */
async function load(server: S3Server, job: Job, processes: number, onTick?: () => void): Promise<LoadResult> {
  const pid = server.child.pid!;
  const clients = Array.from({ length: processes }, (_, clientId) => {
    const part = { ...job, endpoint: server.endpoint, key: ACCOUNT.key, secret: ACCOUNT.secret, bucket: BUCKET, clientId, concurrency: Math.max(1, job.concurrency / processes) };
    if (job.op === 'seed') {
      const span = Math.ceil((job.to! - job.from!) / processes);
      part.from = job.from! + clientId * span;
      part.to = Math.min(job.to!, part.from + span);
    }
    return spawn(process.execPath, [LOAD_CLIENT, JSON.stringify(part)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  });
  // Each client prints "ready" once its SDK is loaded; all start together on one stdin line.
  const outputs = clients.map((c) => {
    const output = { out: '', err: '', ready: undefined as unknown as Promise<void> };
    output.ready = new Promise<void>((resolve) => {
      c.stdout!.on('data', (d: Buffer) => {
        output.out += d;
        if (output.out.startsWith('ready\n')) resolve();
      });
      c.once('exit', () => resolve());
    });
    // stderr holds SDK v3's Node 20 support warning in every process: shown only when a client fails.
    c.stderr!.on('data', (d: Buffer) => (output.err += d));
    return output;
  });
  await Promise.all(outputs.map((o) => o.ready));
  const cpuBefore = cpuSeconds(pid);
  const t0 = performance.now();
  const ticker = onTick ? setInterval(onTick, 1000) : undefined;
  for (const c of clients) c.stdin!.end('go\n');
  try {
    const results = await Promise.all(
      clients.map(async (c, i) => {
        const code = c.exitCode ?? (await once(c, 'exit'))[0];
        if (code !== 0) throw new Error(`${server.name} ${job.op} client exited with ${code}:\n${outputs[i]!.err}`);
        return JSON.parse(outputs[i]!.out.slice('ready\n'.length)) as ClientResult;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;
    const sum = (f: (r: ClientResult) => number) => results.reduce((n, r) => n + f(r), 0);
    const errors = sum((r) => r.errors);
    if (errors) console.error(`${server.name} ${job.op}: ${errors} errors, first: ${results.find((r) => r.firstError)?.firstError}`);
    return { seconds, cpuSeconds: cpu, ok: sum((r) => r.ok), errors, bytes: sum((r) => r.bytes), items: sum((r) => r.items), pages: sum((r) => r.pages), ms: Math.max(...results.map((r) => r.ms)) };
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

/** A warm-up run (JIT, caches, keep-alive sockets), then the measured one. */
async function requestLoad(server: S3Server, job: Omit<Job, 'ms' | 'concurrency'>): Promise<{ figures: RequestFigures; errors: number }> {
  await load(server, { ...job, concurrency: CONCURRENCY, ms: WARM_MS }, CLIENT_PROCESSES);
  const r = await load(server, { ...job, concurrency: CONCURRENCY, ms: LOAD_MS }, CLIENT_PROCESSES);
  return { figures: { perSecond: r.ok / r.seconds, cpuMicros: (r.cpuSeconds * 1e6) / Math.max(1, r.ok) }, errors: r.errors };
}

async function seed(server: S3Server, prefix: string, count: number, size: number): Promise<number> {
  const r = await load(server, { op: 'seed', prefix, from: 0, to: count, size, concurrency: CONCURRENCY, ms: ONE_SHOT_MS }, CLIENT_PROCESSES);
  if (r.items < count) console.error(`${server.name}: seeded ${r.items} of ${count} ${prefix} keys`);
  return r.errors;
}

async function measure(server: S3Server): Promise<S3Figures> {
  await prepareBucket(server);
  let errors = 0;
  errors += await seed(server, 'g1k-', 1000, KIB);
  const put1k = await requestLoad(server, { op: 'put', size: KIB });
  const get1k = await requestLoad(server, { op: 'get', size: KIB, prefix: 'g1k-', keys: 1000 });
  if (SMALL_ONLY) {
    const none = { perSecond: 0, cpuMicros: 0 };
    errors += put1k.errors + get1k.errors;
    return { put1k: put1k.figures, get1k: get1k.figures, put1m: none, get1m: none, listingsPerSecond: 0, listCpuMsPerListing: 0, pagesPerListing: 0, multipartMiBps: 0, multipartCpuSecondsPerGiB: 0, downloadMiBps: 0, errors };
  }
  errors += await seed(server, 'g1m-', 64, MIB);
  const put1m = await requestLoad(server, { op: 'put', size: MIB });
  const get1m = await requestLoad(server, { op: 'get', size: MIB, prefix: 'g1m-', keys: 64 });
  errors += put1k.errors + get1k.errors + put1m.errors + get1m.errors;

  errors += await seed(server, 'l/', LIST_KEYS, 16);
  const listJob: Job = { op: 'list', prefix: 'l/', concurrency: LIST_CONCURRENCY, ms: WARM_MS };
  await load(server, listJob, LIST_PROCESSES);
  const list = await load(server, { ...listJob, ms: LOAD_MS }, LIST_PROCESSES);
  errors += list.errors;
  // A listing the deadline cut short still counts its keys: a slow server may finish few listings.
  const listings = list.items / LIST_KEYS;

  let multipart = { MiBps: 0, cpuSecondsPerGiB: Infinity };
  let downloadMiBps = 0;
  for (let run = 0; run < TRANSFER_RUNS; run++) {
    const up = await load(server, { op: 'multipart', objectKey: 'big/multipart.bin', size: MULTIPART_BYTES, concurrency: 1, ms: ONE_SHOT_MS }, 1);
    errors += up.errors;
    const MiBps = up.errors ? 0 : MULTIPART_BYTES / MIB / (up.ms / 1000);
    if (MiBps > multipart.MiBps) multipart = { MiBps, cpuSecondsPerGiB: up.cpuSeconds / (MULTIPART_BYTES / GIB) };
    const down = await load(server, { op: 'stream-get', objectKey: 'big/multipart.bin', concurrency: 1, ms: ONE_SHOT_MS }, 1);
    errors += down.errors;
    if (down.bytes !== MULTIPART_BYTES) console.error(`${server.name}: downloaded ${down.bytes} of ${MULTIPART_BYTES} bytes`);
    else downloadMiBps = Math.max(downloadMiBps, down.bytes / MIB / (down.ms / 1000));
  }

  return {
    put1k: put1k.figures,
    get1k: get1k.figures,
    put1m: put1m.figures,
    get1m: get1m.figures,
    listingsPerSecond: listings / list.seconds,
    listCpuMsPerListing: (list.cpuSeconds * 1000) / Math.max(listings, 1e-9),
    pagesPerListing: list.pages / Math.max(listings, 1e-9),
    multipartMiBps: multipart.MiBps,
    multipartCpuSecondsPerGiB: multipart.cpuSecondsPerGiB,
    downloadMiBps,
    errors,
  };
}

/**
 * Bonsai alone: a PutObject of a generated stream of STREAM_GIB GiB (never a file, never whole in
 * either process), then a GetObject of it, the server's RSS read every second; then it is deleted.
 */
/** The first part of a streamed upload, in which RSS takes its one step up (see putRssGrowthAfterSettleMiB). */
const STREAM_SETTLE_MS = 5000;

async function measureStreaming(server: S3Server): Promise<StreamFigures> {
  const free = freeBytes(server.dataDir!);
  // The object is written once (plus SQLite's small records); 12 GB free leaves room for both runs' temporary files.
  const reduced = free < 12e9 && STREAM_GIB > 2;
  const bytes = (reduced ? 2 : STREAM_GIB) * GIB;
  const pid = server.child.pid!;
  const rssStart = rssMiB(pid);
  let peak = rssStart;
  const sample = () => (peak = Math.max(peak, rssMiB(pid)));
  const objectKey = 'big/stream.bin';
  const putStarted = Date.now();
  let settledPeak = rssStart;
  let laterPeak = 0;
  const samplePut = () => {
    const rss = rssMiB(pid);
    peak = Math.max(peak, rss);
    if (Date.now() - putStarted < STREAM_SETTLE_MS) settledPeak = Math.max(settledPeak, rss);
    else laterPeak = Math.max(laterPeak, rss);
  };
  const put = await load(server, { op: 'stream-put', objectKey, size: bytes, concurrency: 1, ms: ONE_SHOT_MS }, 1, samplePut);
  sample();
  const putGrowth = peak - rssStart;
  const getStart = rssMiB(pid);
  peak = getStart;
  const get = await load(server, { op: 'stream-get', objectKey, concurrency: 1, ms: ONE_SHOT_MS }, 1, sample);
  sample();
  if (get.bytes !== bytes) console.error(`Bonsai: streamed back ${get.bytes} of ${bytes} bytes`);
  const s3 = sdkClient(server);
  const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: objectKey }));
  s3.destroy();
  return {
    bytes,
    putMiBps: put.errors ? 0 : bytes / MIB / (put.ms / 1000),
    getMiBps: get.errors ? 0 : get.bytes / MIB / (get.ms / 1000),
    rssStartMiB: rssStart,
    putRssMaxGrowthMiB: putGrowth,
    putRssGrowthAfterSettleMiB: Math.max(0, laterPeak - settledPeak),
    getRssMaxGrowthMiB: peak - getStart,
    reducedBecauseOfDisk: reduced,
    errors: put.errors + get.errors,
  };
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** `dd`'s sequential write (fdatasync before it reports) and read of 256 MiB in the temporary directory. */
function measureDisk(): DiskFigures {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-bench-dd-'));
  const file = join(dir, 'dd.bin');
  const rate = (args: string[]) => {
    const out = spawnSync('dd', args, { encoding: 'utf8' });
    // "268435456 bytes (268 MB, 256 MiB) copied, 0.52 s, 516 MB/s"
    const m = /(\d+) bytes .* copied, ([\d.]+) s/.exec(out.stderr);
    return m ? Number(m[1]) / MIB / Number(m[2]) : NaN;
  };
  try {
    const count = String(MULTIPART_BYTES / MIB);
    return { writeMiBps: rate(['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${count}`, 'conv=fdatasync']), readMiBps: rate([`if=${file}`, 'of=/dev/null', 'bs=1M']) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts each server in turn (never two at once, so they do not compete), measures it and stops it. */
export async function benchS3(servers: ServerName[] = ['Bonsai', 'moto', 'bare']): Promise<S3BenchResult> {
  const result: S3BenchResult = { figures: {}, disk: measureDisk() };
  for (const name of servers) {
    const server = name === 'Bonsai' ? await startBonsai() : name === 'moto' ? await startMoto() : await startBare();
    try {
      result.figures[name] = await measure(server);
      // Each server's figures go to stderr at once, so a long run that fails later loses nothing.
      console.error(`S3 ${name}: ${JSON.stringify(result.figures[name])}`);
      if (name === 'Bonsai' && STREAM_GIB > 0) {
        try {
          result.stream = await measureStreaming(server);
          console.error(`S3 streaming: ${JSON.stringify(result.stream)}`);
        } catch (err) {
          console.error('S3 streaming run failed:', err);
        }
      }
    } finally {
      await stop(server);
    }
  }
  return result;
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const one = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));

/** The S3 section of `npm run bench`'s output: one column per server, then the targets. */
export function s3Markdown(result: S3BenchResult): string {
  const servers = (['Bonsai', 'moto', 'bare'] as const).filter((s) => result.figures[s]);
  const f = result.figures as Record<ServerName, S3Figures>;
  const row = (label: string, cell: (x: S3Figures) => string) => `| ${label} | ${servers.map((s) => cell(f[s])).join(' | ')} |`;
  const req = (r: RequestFigures) => `${int(r.perSecond)} req/s, ${int(r.cpuMicros)} µs CPU/req`;
  const header = servers.map((s) => (s === 'bare' ? 'bare node:http' : s));
  const lines = [
    `\n## S3 (${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model.trim()}, node ${process.version})\n`,
    `| measure | ${header.join(' | ')} |`,
    `|---|${servers.map(() => '---|').join('')}`,
    row(`PutObject 1 KiB, concurrency ${CONCURRENCY} (${CLIENT_PROCESSES} client processes)`, (x) => req(x.put1k)),
    row('GetObject 1 KiB', (x) => req(x.get1k)),
    row('PutObject 1 MiB', (x) => req(x.put1m)),
    row('GetObject 1 MiB', (x) => req(x.get1m)),
    row(`ListObjectsV2 of ${int(LIST_KEYS)} keys to the last page, concurrency ${LIST_CONCURRENCY}`, (x) => `${one(x.listingsPerSecond)} listings/s, ${one(x.listCpuMsPerListing)} ms CPU/listing (${one(x.pagesPerListing)} pages)`),
    row(`256 MiB multipart upload (lib-storage, queueSize 4, 16 MiB parts), best of ${TRANSFER_RUNS}`, (x) => `${int(x.multipartMiBps)} MiB/s, ${one(x.multipartCpuSecondsPerGiB)} s CPU/GiB`),
    row('GetObject of the 256 MiB object', (x) => `${int(x.downloadMiBps)} MiB/s`),
    `| \`dd\` 256 MiB, write (conv=fdatasync) / read | ${servers.map(() => `${int(result.disk.writeMiBps)} / ${int(result.disk.readMiBps)} MiB/s`).join(' | ')} |`,
  ];
  const s = result.stream;
  if (s) {
    const size = `${s.bytes / GIB} GiB${s.reducedBecauseOfDisk ? ' (under 12 GB free on disk: reduced from 5 GiB)' : ''}`;
    lines.push(
      '',
      `| Bonsai streaming a generated ${size} | result |`,
      '|---|---|',
      `| PutObject (one stream, aws-chunked with a CRC32 trailer) | ${int(s.putMiBps)} MiB/s, RSS max growth ${one(s.putRssMaxGrowthMiB)} MiB over ${one(s.rssStartMiB)} MiB, of which ${one(s.putRssGrowthAfterSettleMiB)} MiB after its first ${STREAM_SETTLE_MS / 1000} s |`,
      `| GetObject of it | ${int(s.getMiBps)} MiB/s, RSS max growth ${one(s.getRssMaxGrowthMiB)} MiB |`,
    );
  }
  const b = f.Bonsai;
  const m = f.moto;
  if (b) {
    const verdict = (met: boolean) => (met ? 'met' : '**not met**');
    const targets: [string, string, string, boolean][] = [
      ['server CPU per 1 KiB PutObject', `${int(b.put1k.cpuMicros)} µs`, '≤ 500 µs', b.put1k.cpuMicros <= 500],
      ['server CPU per 1 KiB GetObject', `${int(b.get1k.cpuMicros)} µs`, '≤ 500 µs', b.get1k.cpuMicros <= 500],
      ['256 MiB multipart upload', `${int(b.multipartMiBps)} MiB/s`, '≥ 400 MiB/s', b.multipartMiBps >= 400],
    ];
    if (m) targets.push(['ListObjectsV2 over 10,000 keys, listings/s Bonsai ÷ moto', `${(b.listingsPerSecond / m.listingsPerSecond).toFixed(1)}×`, '≥ 5×', b.listingsPerSecond / m.listingsPerSecond >= 5]);
    if (s) {
      targets.push([
        `RSS while streaming ${s.bytes / GIB} GiB (max growth, put / get; put after its first ${STREAM_SETTLE_MS / 1000} s)`,
        `${one(s.putRssMaxGrowthMiB)} / ${one(s.getRssMaxGrowthMiB)} MiB; ${one(s.putRssGrowthAfterSettleMiB)} MiB`,
        'flat (≤ 64 MiB growth once streaming)',
        Math.max(s.putRssGrowthAfterSettleMiB, s.getRssMaxGrowthMiB) <= 64,
      ]);
    }
    lines.push('', '| target (from the issue) | Bonsai | target | |', '|---|---|---|---|');
    for (const [label, value, target, met] of targets) lines.push(`| ${label} | ${value} | ${target} | ${verdict(met)} |`);
  }
  const errors = servers.reduce((n, x) => n + f[x].errors, 0) + (s?.errors ?? 0);
  if (errors) lines.push('', `${errors} S3 requests failed during the run (see stderr).`);
  return lines.join('\n');
}

if (process.argv[2] === 'bare') {
  runBareServer();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = process.env.BENCH_S3_SERVERS?.split(',') as ServerName[] | undefined;
  console.log(s3Markdown(await benchS3(only)));
}
