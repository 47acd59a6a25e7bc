// One DynamoDB load-generating process for bench/dynamodb.bench.ts: SDK v3's low-level client
// calling one operation at a given concurrency until a deadline, against loopback only.
//   node bench/dynamodb-load-client.mjs '<json job>'
// The job: { endpoint, key, secret, op: 'put'|'get'|'query'|'scan'|'batch', concurrency, ms,
//            table, clientId, keys?, from?, to?, prefix?, latencies? }
// Prints one JSON line: { ok, errors, firstError?, items, pages, latencies? } where ok counts
// completed requests, items the items read or written, pages the Query/Scan pages received.
import { DynamoDBClient, PutItemCommand, GetItemCommand, QueryCommand, ScanCommand, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';

const job = JSON.parse(process.argv[2]);
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(job.endpoint)) throw new Error(`loopback endpoints only: ${job.endpoint}`);
const deadline = Date.now() + job.ms;
const client = new DynamoDBClient({
  endpoint: job.endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: job.key, secretAccessKey: job.secret },
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: job.concurrency }) }),
});

/** A ~1 KB item (DynamoDB's size: attribute names + values): the key, a name, a number and padding. */
export function benchItem(pk, sk) {
  const item = { pk: { S: pk }, name: { S: `Employee ${pk}` }, n: { N: String(pk.length * 7) }, data: { S: 'x'.repeat(960) } };
  if (sk !== undefined) item.sk = { N: String(sk) };
  return item;
}

let ok = 0;
let errors = 0;
let items = 0;
let pages = 0;
let firstError;
const latencies = [];

function fail(err) {
  errors++;
  firstError ??= String(err?.name ? `${err.name}: ${err.message}` : err);
}

const operations = {
  async put(worker) {
    for (let i = 0; Date.now() < deadline; i++) {
      await client.send(new PutItemCommand({ TableName: job.table, Item: benchItem(`p-${job.clientId}-${worker}-${i}`) }));
      ok++;
      items++;
    }
  },
  /** Reads random items among the `keys` seeded as g-0 … g-(keys-1); a missing item is an error. */
  async get() {
    while (Date.now() < deadline) {
      const key = `g-${Math.floor(Math.random() * job.keys)}`;
      const t0 = performance.now();
      const out = await client.send(new GetItemCommand({ TableName: job.table, Key: { pk: { S: key } } }));
      if (job.latencies) latencies.push(performance.now() - t0);
      if (!out.Item) throw new Error(`GetItem ${key}: no item`);
      ok++;
      items++;
    }
  },
  /** Queries partition 'q' to its end, page by page, again and again. */
  async query() {
    while (Date.now() < deadline) {
      let start;
      do {
        const out = await client.send(new QueryCommand({ TableName: job.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'q' } }, ExclusiveStartKey: start }));
        pages++;
        items += out.Items.length;
        start = out.LastEvaluatedKey;
      } while (start && Date.now() < deadline);
      if (!start) ok++;
    }
  },
  async scan() {
    while (Date.now() < deadline) {
      let start;
      do {
        const out = await client.send(new ScanCommand({ TableName: job.table, ExclusiveStartKey: start }));
        pages++;
        items += out.Items.length;
        start = out.LastEvaluatedKey;
      } while (start && Date.now() < deadline);
      if (!start) ok++;
    }
  },
  /**
   * Writes items from..to-1 (`${prefix}${i}`, with sk = i when the prefix is 'q') in batches of 25,
   * the workers taking batches in turn; unprocessed items are sent again. Stops at the deadline.
   */
  async batch(worker) {
    const size = 25;
    for (let first = job.from + worker * size; first < job.to && Date.now() < deadline; first += job.concurrency * size) {
      let requests = [];
      for (let i = first; i < Math.min(first + size, job.to); i++) {
        const item = job.prefix === 'q' ? benchItem('q', i) : benchItem(`${job.prefix}${i}`);
        requests.push({ PutRequest: { Item: item } });
      }
      while (requests.length && Date.now() < deadline) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [job.table]: requests } }));
        const unprocessed = out.UnprocessedItems?.[job.table] ?? [];
        items += requests.length - unprocessed.length;
        requests = unprocessed;
        ok++;
      }
    }
  },
};

async function worker(index) {
  const run = operations[job.op];
  // A failed request is counted and the worker carries on, still bounded by the deadline.
  while (Date.now() < deadline) {
    try {
      await run(index);
      return;
    } catch (err) {
      fail(err);
    }
  }
}

await Promise.all(Array.from({ length: job.concurrency }, (_, i) => worker(i)));
process.stdout.write(JSON.stringify({ ok, errors, firstError, items, pages, latencies: job.latencies ? latencies : undefined }) + '\n');
process.exit(0);
