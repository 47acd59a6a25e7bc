/**
 * DynamoDB beside dynalite and moto, the same load clients against each (bench/dynamodb-load-client.mjs):
 *   - BatchWriteItem: 10,000 ~1 KB items into the Scan table (items/s);
 *   - PutItem and GetItem of ~1 KB items at concurrency 16, GetItem p50/p99 from one client process
 *     with 16 requests in flight;
 *   - Query of a 1,000-item partition to its end (items/s, pages/s);
 *   - Scan of the 10,000-item table to its end (items/s, full scans/s);
 *   - PutItem and GetItem once more through SDK v3's DynamoDBClient ("through the real SDK").
 * Beside each throughput, the server's own CPU time per operation (or per item) from /proc, which is
 * the comparable figure on a 2-core machine where clients and server share the CPUs.
 *
 * The load phases use the light client (signed with SigV4 per request, node:http keep-alive, the
 * response read only as far as needed): SDK v3's client costs more CPU per request than the servers
 * do, so with it the bench measured the clients. The SDK rows keep that path in view.
 * Every request goes to 127.0.0.1 and every load loop is bounded in time.
 *
 * Run alone with `node scripts/build.mjs && npx tsx bench/dynamodb.bench.ts`; `npm run bench` runs it
 * after the core benchmarks. BENCH_DYNAMODB_SERVERS=Bonsai,dynalite runs some servers only. To see
 * where a request's time goes, without sockets and under `node --cpu-prof`:
 * bench/dynamodb-pipeline.bench.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, CreateTableCommand, DescribeTableCommand, ListTablesCommand, type KeySchemaElement, type AttributeDefinition } from '@aws-sdk/client-dynamodb';
import { clientResults, cpuSeconds, percentile, readLine, startBonsaiBundle, startMotoServer, stopServer } from './proc.ts';

const ROOT = join(import.meta.dirname, '..');
const ACCOUNT = { id: '123456789012', key: 'AKIAIOSFODNN7BENCHDB', secret: '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' };
const CONCURRENCY = 16;
/** Light clients (the load phases): processes for writes and reads; GetItem's latency phase uses one. */
const LIGHT_PROCESSES = 2;
/** SDK v3 clients need more processes to keep 16 requests in flight on two cores. */
const SDK_PROCESSES = 4;
/** Query and Scan each return up to 1 MB a page: a few streams keep a server busy. */
const READ_STREAMS = 4;
const LOAD_MS = Number(process.env.BENCH_DYNAMODB_MS ?? 6000);
const WARM_MS = Number(process.env.BENCH_DYNAMODB_WARM_MS ?? 2000);
/** Seeding must finish within this; a server that cannot is reported with the items it wrote. */
const SEED_MS = 60_000;
const SCAN_ITEMS = 10_000;
const QUERY_ITEMS = 1_000;
const GET_KEYS = 1_000;

export interface DynamoServer {
  name: 'Bonsai' | 'dynalite' | 'moto';
  child: ChildProcess;
  endpoint: string;
  cleanup?: () => void;
}

/** What one server measured; CPU figures are server CPU µs per request (put/get/batch request) or per item (query/scan). */
export interface DynamoFigures {
  batchItemsPerSecond: number;
  batchCpuMicrosPerItem: number;
  putPerSecond: number;
  putCpuMicros: number;
  getPerSecond: number;
  getCpuMicros: number;
  getP50Ms: number;
  getP99Ms: number;
  sdkPutPerSecond: number;
  sdkPutCpuMicros: number;
  sdkGetPerSecond: number;
  sdkGetCpuMicros: number;
  queryItemsPerSecond: number;
  queryPagesPerSecond: number;
  queryCpuMicrosPerItem: number;
  scanItemsPerSecond: number;
  scanPagesPerSecond: number;
  scanCpuMicrosPerItem: number;
  errors: number;
}

export interface DynamoBenchResult {
  figures: Record<DynamoServer['name'], DynamoFigures>;
}

// ── servers ─────────────────────────────────────────────────────────────────────────────────────

function startBonsai(): Promise<DynamoServer> {
  return startBonsaiBundle({ account: ACCOUNT, dataDirPrefix: 'bonsai-bench-ddb-' });
}

/** dynalite in its own process (in memory), tables ACTIVE at once as Bonsai's are. */
async function startDynalite(): Promise<DynamoServer> {
  const script = "const d = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }); d.listen(0, '127.0.0.1', () => console.log('port ' + d.address().port));";
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await readLine(child, /port (\d+)/);
  return { name: 'dynalite', child, endpoint: `http://127.0.0.1:${port}` };
}

/** The moto server of the machine's Python (threaded Werkzeug), bound to loopback; its access log is discarded. */
function startMoto(): Promise<DynamoServer> {
  return startMotoServer();
}

function stop(server: DynamoServer): Promise<void> {
  return stopServer(server);
}

// ── tables ──────────────────────────────────────────────────────────────────────────────────────

function sdkClient(server: DynamoServer): DynamoDBClient {
  return new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret } });
}

/** Polls ListTables until the server answers (bounded: 20 s). */
async function waitReady(db: DynamoDBClient): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await db.send(new ListTablesCommand({}));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function createTable(db: DynamoDBClient, name: string, withSortKey: boolean): Promise<void> {
  const KeySchema: KeySchemaElement[] = [{ AttributeName: 'pk', KeyType: 'HASH' }];
  const AttributeDefinitions: AttributeDefinition[] = [{ AttributeName: 'pk', AttributeType: 'S' }];
  if (withSortKey) {
    KeySchema.push({ AttributeName: 'sk', KeyType: 'RANGE' });
    AttributeDefinitions.push({ AttributeName: 'sk', AttributeType: 'N' });
  }
  await db.send(new CreateTableCommand({ TableName: name, KeySchema, AttributeDefinitions, BillingMode: 'PAY_PER_REQUEST' }));
  const deadline = Date.now() + 10_000;
  while ((await db.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE') {
    if (Date.now() > deadline) throw new Error(`${name} is not ACTIVE after 10 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ── load ────────────────────────────────────────────────────────────────────────────────────────

interface Job {
  op: 'put' | 'get' | 'query' | 'scan' | 'batch';
  /** Which client: the light one (default) or SDK v3's. */
  client?: 'light' | 'sdk';
  /** Client processes running the job at once (each with `concurrency` requests in flight). */
  processes: number;
  table: string;
  ms: number;
  concurrency: number;
  keys?: number;
  latencies?: boolean;
  /** batch: the item range [from, to) split across client processes, and the key prefix. */
  from?: number;
  to?: number;
  prefix?: string;
}

interface ClientResult {
  ok: number;
  errors: number;
  firstError?: string;
  items: number;
  pages: number;
  latencies?: number[];
}

interface LoadResult {
  seconds: number;
  cpuSeconds: number;
  ok: number;
  items: number;
  pages: number;
  errors: number;
  latencies: number[];
}

/** Runs `job` in `job.processes` processes at once; a batch job's range is split between them. */
async function load(server: DynamoServer, job: Job): Promise<LoadResult> {
  const pid = server.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  const t0 = performance.now();
  const clients = Array.from({ length: job.processes }, (_, clientId) => {
    const part = { ...job };
    if (job.op === 'batch') {
      const share = Math.ceil((job.to! - job.from!) / job.processes);
      part.from = job.from! + clientId * share;
      part.to = Math.min(job.to!, part.from + share);
    }
    const arg = JSON.stringify({ ...part, endpoint: server.endpoint, key: ACCOUNT.key, secret: ACCOUNT.secret, clientId });
    return spawn(process.execPath, [join(ROOT, 'bench', 'dynamodb-load-client.mjs'), arg], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  });
  const results = await clientResults<ClientResult>(`${server.name} ${job.op}`, clients);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const sum = (f: (r: ClientResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const errors = sum((r) => r.errors);
  if (errors) console.error(`${server.name} ${job.op}: ${errors} errors, first: ${results.find((r) => r.firstError)?.firstError}`);
  return { seconds, cpuSeconds: cpu, ok: sum((r) => r.ok), items: sum((r) => r.items), pages: sum((r) => r.pages), errors, latencies: results.flatMap((r) => r.latencies ?? []) };
}

/** Seeds with BatchWriteItem, failing loudly if the server did not take every item in SEED_MS. */
async function seed(server: DynamoServer, table: string, prefix: string, count: number): Promise<LoadResult> {
  const r = await load(server, { op: 'batch', processes: LIGHT_PROCESSES, table, ms: SEED_MS, concurrency: CONCURRENCY / LIGHT_PROCESSES, from: 0, to: count, prefix });
  if (r.items < count) throw new Error(`${server.name}: seeding ${table} wrote ${r.items} of ${count} items in ${SEED_MS / 1000} s`);
  return r;
}

async function measure(server: DynamoServer): Promise<DynamoFigures> {
  const db = sdkClient(server);
  await waitReady(db);
  await createTable(db, 'BenchItems', false);
  await createTable(db, 'BenchQuery', true);
  await createTable(db, 'BenchScan', false);
  db.destroy();

  const batch = await seed(server, 'BenchScan', 's-', SCAN_ITEMS);
  await seed(server, 'BenchQuery', 'q', QUERY_ITEMS);
  await seed(server, 'BenchItems', 'g-', GET_KEYS);

  const writers = { processes: LIGHT_PROCESSES, concurrency: CONCURRENCY / LIGHT_PROCESSES };
  await load(server, { op: 'put', table: 'BenchItems', ms: WARM_MS, ...writers });
  const put = await load(server, { op: 'put', table: 'BenchItems', ms: LOAD_MS, ...writers });
  // One process with all 16 requests in flight: its latencies are the server's plus one client's.
  const reader = { processes: 1, concurrency: CONCURRENCY, keys: GET_KEYS };
  await load(server, { op: 'get', table: 'BenchItems', ms: WARM_MS, ...reader });
  const get = await load(server, { op: 'get', table: 'BenchItems', ms: LOAD_MS, ...reader, latencies: true });
  const streams = { processes: LIGHT_PROCESSES, concurrency: READ_STREAMS / LIGHT_PROCESSES };
  const query = await load(server, { op: 'query', table: 'BenchQuery', ms: LOAD_MS, ...streams });
  const scan = await load(server, { op: 'scan', table: 'BenchScan', ms: LOAD_MS, ...streams });
  // Through the real SDK, as applications call: the same requests from SDK v3 clients.
  const sdk = { client: 'sdk' as const, processes: SDK_PROCESSES, concurrency: CONCURRENCY / SDK_PROCESSES };
  await load(server, { op: 'get', table: 'BenchItems', ms: WARM_MS, ...sdk, keys: GET_KEYS });
  const sdkPut = await load(server, { op: 'put', table: 'BenchItems', ms: LOAD_MS, ...sdk });
  const sdkGet = await load(server, { op: 'get', table: 'BenchItems', ms: LOAD_MS, ...sdk, keys: GET_KEYS });

  const micros = (r: LoadResult, per: number) => (r.cpuSeconds * 1e6) / per;
  return {
    batchItemsPerSecond: batch.items / batch.seconds,
    batchCpuMicrosPerItem: micros(batch, batch.items),
    putPerSecond: put.ok / put.seconds,
    putCpuMicros: micros(put, put.ok),
    getPerSecond: get.ok / get.seconds,
    getCpuMicros: micros(get, get.ok),
    getP50Ms: percentile(get.latencies, 50),
    getP99Ms: percentile(get.latencies, 99),
    sdkPutPerSecond: sdkPut.ok / sdkPut.seconds,
    sdkPutCpuMicros: micros(sdkPut, sdkPut.ok),
    sdkGetPerSecond: sdkGet.ok / sdkGet.seconds,
    sdkGetCpuMicros: micros(sdkGet, sdkGet.ok),
    queryItemsPerSecond: query.items / query.seconds,
    queryPagesPerSecond: query.pages / query.seconds,
    queryCpuMicrosPerItem: micros(query, query.items),
    scanItemsPerSecond: scan.items / scan.seconds,
    scanPagesPerSecond: scan.pages / scan.seconds,
    scanCpuMicrosPerItem: micros(scan, scan.items),
    errors: batch.errors + put.errors + get.errors + query.errors + scan.errors + sdkPut.errors + sdkGet.errors,
  };
}

/** Starts each server in turn (never two at once, so they do not compete), measures it and stops it. */
export async function benchDynamoDB(): Promise<DynamoBenchResult> {
  const figures = {} as DynamoBenchResult['figures'];
  const only = process.env.BENCH_DYNAMODB_SERVERS?.split(',');
  const starters = { Bonsai: startBonsai, dynalite: startDynalite, moto: startMoto };
  for (const [name, start] of Object.entries(starters)) {
    if (only && !only.includes(name)) continue;
    const server = await start();
    try {
      figures[server.name] = await measure(server);
    } finally {
      await stop(server);
    }
  }
  return { figures };
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));

/** The DynamoDB section of `npm run bench`'s output: one column per server, then the targets. */
export function dynamoDBMarkdown(result: DynamoBenchResult): string {
  const f = result.figures;
  const servers = (['Bonsai', 'dynalite', 'moto'] as const).filter((s) => f[s]);
  const row = (label: string, cell: (x: DynamoFigures) => string) => `| ${label} | ${servers.map((s) => cell(f[s])).join(' | ')} |`;
  const lines = [
    `\n## DynamoDB (${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model.trim()}, node ${process.version})\n`,
    `| measure | ${servers.join(' | ')} |`,
    `|---|${servers.map(() => '---').join('|')}|`,
    row(`BatchWriteItem, ${int(SCAN_ITEMS)} items of ~1 KB, 25 a request, concurrency ${CONCURRENCY}`, (x) => `${int(x.batchItemsPerSecond)} items/s, ${int(x.batchCpuMicrosPerItem)} µs CPU/item`),
    row(`PutItem ~1 KB, concurrency ${CONCURRENCY} (${LIGHT_PROCESSES} light clients)`, (x) => `${int(x.putPerSecond)} req/s, ${int(x.putCpuMicros)} µs CPU/req`),
    row(`GetItem ~1 KB, concurrency ${CONCURRENCY} (1 light client)`, (x) => `${int(x.getPerSecond)} req/s, ${int(x.getCpuMicros)} µs CPU/req`),
    row('… GetItem latency p50 / p99 (client side)', (x) => `${x.getP50Ms.toFixed(2)} / ${x.getP99Ms.toFixed(2)} ms`),
    row(`Query of a ${int(QUERY_ITEMS)}-item partition, ${READ_STREAMS} streams`, (x) => `${int(x.queryItemsPerSecond)} items/s, ${rate(x.queryPagesPerSecond)} pages/s, ${rate(x.queryCpuMicrosPerItem)} µs CPU/item`),
    row(`Scan of ${int(SCAN_ITEMS)} items, ${READ_STREAMS} streams`, (x) => `${int(x.scanItemsPerSecond)} items/s (${(x.scanItemsPerSecond / SCAN_ITEMS).toFixed(2)} full scans/s), ${rate(x.scanPagesPerSecond)} pages/s, ${rate(x.scanCpuMicrosPerItem)} µs CPU/item`),
    row(`through the real SDK: PutItem, concurrency ${CONCURRENCY} (${SDK_PROCESSES} SDK v3 clients)`, (x) => `${int(x.sdkPutPerSecond)} req/s, ${int(x.sdkPutCpuMicros)} µs CPU/req`),
    row(`through the real SDK: GetItem, concurrency ${CONCURRENCY} (${SDK_PROCESSES} SDK v3 clients)`, (x) => `${int(x.sdkGetPerSecond)} req/s, ${int(x.sdkGetCpuMicros)} µs CPU/req`),
  ];
  if (!f.Bonsai || !f.dynalite) return lines.join('\n');
  const b = f.Bonsai;
  const d = f.dynalite;
  const verdict = (met: boolean) => (met ? 'met' : '**not met**');
  const targets: [string, string, string, boolean][] = [
    ['server CPU per PutItem, Bonsai ÷ dynalite', `${(b.putCpuMicros / d.putCpuMicros).toFixed(2)}×`, '≤ 0.5×', b.putCpuMicros / d.putCpuMicros <= 0.5],
    ['server CPU per GetItem, Bonsai ÷ dynalite', `${(b.getCpuMicros / d.getCpuMicros).toFixed(2)}×`, '≤ 0.5×', b.getCpuMicros / d.getCpuMicros <= 0.5],
    ['Query items/s, Bonsai ÷ dynalite', `${(b.queryItemsPerSecond / d.queryItemsPerSecond).toFixed(2)}×`, '≥ 2×', b.queryItemsPerSecond / d.queryItemsPerSecond >= 2],
    ['Scan items/s, Bonsai ÷ dynalite', `${(b.scanItemsPerSecond / d.scanItemsPerSecond).toFixed(2)}×`, '≥ 2×', b.scanItemsPerSecond / d.scanItemsPerSecond >= 2],
    [`Bonsai GetItem p99 at concurrency ${CONCURRENCY}`, `${b.getP99Ms.toFixed(2)} ms`, '≤ 5 ms', b.getP99Ms <= 5],
  ];
  lines.push('', '| target | result | target | |', '|---|---|---|---|');
  for (const [label, value, target, met] of targets) lines.push(`| ${label} | ${value} | ${target} | ${verdict(met)} |`);
  const errors = servers.reduce((n, s) => n + f[s].errors, 0);
  if (errors) lines.push('', `${errors} DynamoDB requests failed during load (see stderr).`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(dynamoDBMarkdown(await benchDynamoDB()));
}
