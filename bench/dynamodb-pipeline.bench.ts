/**
 * DynamoDB's single-item path without sockets: real SDK v3 GetItem / PutItem requests (signed with
 * the root key, captured rather than sent) fed to Bonsai's request handler N times, to see what one
 * request costs in the server and, under `node --cpu-prof`, where that time goes.
 *
 *   npx tsx bench/dynamodb-pipeline.bench.ts                 # µs per request, sequential and 16 at once
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/dynamodb-pipeline.bench.ts get
 *
 * Arguments: which measures to run (get, get16, put, put16, query, scan; default all). BENCH_N sets the count
 * (default 20,000 reads, 2,000 sequential writes: each of those waits for its own fsync).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, CreateTableCommand, QueryCommand, ScanCommand, BatchWriteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { HttpRequest } from '@smithy/types';
import { startBonsai } from '../src/server/bonsai.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { RawRequest } from '../src/core/http.ts';

const ACCOUNT = { id: '123456789012', key: 'AKIAIOSFODNN7BENCHDB', secret: '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' };
const N = Number(process.env.BENCH_N ?? 20_000);
/** The Query measure reads one partition of this many ~1 KB items (one page: under 1 MB). */
const QUERY_ITEMS = 1000;
/** The Scan measure reads a table of this many ~1 KB items to its end (three 1 MB pages). */
const SCAN_ITEMS = 3000;

/** The SDK's request, signed, as the edge would hand it to the pipeline. */
async function captured(endpoint: string, command: GetItemCommand | PutItemCommand | QueryCommand | ScanCommand): Promise<RawRequest> {
  let raw: RawRequest | undefined;
  const requestHandler = {
    async handle(req: HttpRequest): Promise<never> {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const body = Buffer.from(typeof req.body === 'string' ? req.body : (req.body ?? ''));
      raw = { method: req.method, target: req.path, path: req.path, query: '', headers, body, remoteAddress: '127.0.0.1', secure: false };
      throw new Error('captured');
    },
  };
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret }, requestHandler });
  // send()'s overloads do not take a union of commands: each kind is sent through its own call.
  const sent = command instanceof GetItemCommand ? client.send(command) : command instanceof QueryCommand ? client.send(command) : command instanceof ScanCommand ? client.send(command) : client.send(command);
  await sent.catch(() => undefined);
  return raw!;
}

const item = (pk: string) => ({ pk: { S: pk }, name: { S: `Employee ${pk}` }, n: { N: '21' }, data: { S: 'x'.repeat(960) } });

/** µs of wall time and of this process's CPU time per request, `concurrency` requests in flight at a time. */
async function perRequest(n: number, concurrency: number, send: (i: number) => Promise<{ status: number }>): Promise<string> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const response = await send(next++);
        if (response.status !== 200) throw new Error(`status ${response.status}`);
      }
    }),
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / n;
  const cpu = process.cpuUsage(cpu0);
  return `${wall.toFixed(1).padStart(8)} µs wall ${((cpu.user + cpu.system) / n).toFixed(1).padStart(8)} µs CPU`;
}

const dir = mkdtempSync(join(tmpdir(), 'bonsai-ddb-pipeline-'));
const bonsai = await startBonsai({ port: 0, dataDir: dir, log: silentLogger(), env: { BONSAI_ACCOUNT_ID: ACCOUNT.id, BONSAI_ROOT_ACCESS_KEY_ID: ACCOUNT.key, BONSAI_ROOT_SECRET_ACCESS_KEY: ACCOUNT.secret } });
try {
  const sdk = new DynamoDBClient({ endpoint: bonsai.endpoint, region: 'us-east-1', credentials: { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret } });
  await sdk.send(new CreateTableCommand({ TableName: 'Bench', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  await new Promise((r) => setTimeout(r, 50));
  await sdk.send(new CreateTableCommand({ TableName: 'BenchQuery', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }], BillingMode: 'PAY_PER_REQUEST' }));
  await new Promise((r) => setTimeout(r, 50));
  for (let first = 0; first < QUERY_ITEMS; first += 25) {
    const requests = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { ...item('q'), sk: { N: String(first + i) } } } }));
    await sdk.send(new BatchWriteItemCommand({ RequestItems: { BenchQuery: requests } }));
  }
  await sdk.send(new CreateTableCommand({ TableName: 'BenchScan', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  await new Promise((r) => setTimeout(r, 50));
  for (let first = 0; first < SCAN_ITEMS; first += 25) {
    const requests = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: item(`s-${first + i}`) } }));
    await sdk.send(new BatchWriteItemCommand({ RequestItems: { BenchScan: requests } }));
  }
  // The Scan's pages, each its own signed request (ExclusiveStartKey is in the body), replayed in turn.
  const scanStarts: Array<Record<string, AttributeValue> | undefined> = [undefined];
  for (;;) {
    const page = await sdk.send(new ScanCommand({ TableName: 'BenchScan', ExclusiveStartKey: scanStarts[scanStarts.length - 1] }));
    if (!page.LastEvaluatedKey) break;
    scanStarts.push(page.LastEvaluatedKey);
  }
  sdk.destroy();
  // A handful of distinct signed puts (the body is signed, so each key needs its own request);
  // puts overwrite these keys again and again, which costs the same as new ones.
  const puts = await Promise.all(Array.from({ length: 64 }, (_, i) => captured(bonsai.endpoint, new PutItemCommand({ TableName: 'Bench', Item: item(`k${i}`) }))));
  for (const req of puts) await bonsai.handle(req);
  const get = await captured(bonsai.endpoint, new GetItemCommand({ TableName: 'Bench', Key: { pk: { S: 'k7' } } }));
  const wanted = new Set(process.argv.slice(2));
  const run = (name: string) => wanted.size === 0 || wanted.has(name);
  const send = (req: RawRequest) => bonsai.handle(req) as Promise<{ status: number }>;
  if (run('get')) console.log(`${await perRequest(N, 1, () => send(get))}  GetItem, one at a time (N=${N})`);
  if (run('get16')) console.log(`${await perRequest(N, 16, () => send(get))}  GetItem, 16 in flight (N=${N})`);
  const writes = Math.min(N, Number(process.env.BENCH_N ?? 2000));
  if (run('put')) console.log(`${await perRequest(writes, 1, (i) => send(puts[i % puts.length]!))}  PutItem, one at a time (N=${writes})`);
  if (run('query')) {
    const queryReq = await captured(bonsai.endpoint, new QueryCommand({ TableName: 'BenchQuery', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'q' } } }));
    const pages = Math.max(1, Math.round(N / 200));
    console.log(`${await perRequest(pages, 1, () => send(queryReq))}  Query of ${QUERY_ITEMS} items, one page at a time (N=${pages})`);
  }
  if (run('scan')) {
    const scanReqs = await Promise.all(scanStarts.map((start) => captured(bonsai.endpoint, new ScanCommand({ TableName: 'BenchScan', ExclusiveStartKey: start }))));
    const pages = Math.max(scanReqs.length, Math.round(N / 200));
    const line = await perRequest(pages, 1, (i) => send(scanReqs[i % scanReqs.length]!));
    console.log(`${line}  Scan of ${SCAN_ITEMS} items, one page at a time (${scanReqs.length} pages a scan, ~${Math.round(SCAN_ITEMS / scanReqs.length)} items a page, N=${pages})`);
  }
  if (run('put16')) console.log(`${await perRequest(N, 16, (i) => send(puts[i % puts.length]!))}  PutItem, 16 in flight (N=${N})`);
} finally {
  await bonsai.close();
  rmSync(dir, { recursive: true, force: true });
}
