// One DynamoDB load-generating process for bench/dynamodb.bench.ts: one operation at a given
// concurrency until a deadline, against loopback only.
//   node bench/dynamodb-load-client.mjs '<json job>'
// The job: { endpoint, key, secret, op: 'put'|'get'|'query'|'scan'|'batch', concurrency, ms,
//            table, clientId, client?: 'light'|'sdk', keys?, from?, to?, prefix?, latencies? }
// Prints one JSON line: { ok, errors, firstError?, items, pages, latencies? } where ok counts
// completed requests, items the items read or written, pages the Query/Scan pages received.
//
// Two clients make the same requests:
// - 'sdk': SDK v3's low-level DynamoDBClient, as applications use it. It spends more CPU per
//   request than the servers do (middleware stack, a full parse of every response into objects),
//   so on a 2-core machine it measures itself as much as the server.
// - 'light' (the default): every request still signed with SigV4 for its own body and time
//   (signV4 below: SigV4 for this one request shape, checked against @smithy/signature-v4 at start,
//   a tenth of its CPU) and sent over node:http keep-alive connections,
//   but the response is read only as far as the benchmark needs: the status, whether an item came
//   back, a page's Count and its LastEvaluatedKey, a batch's UnprocessedItems.
import { DynamoDBClient, PutItemCommand, GetItemCommand, QueryCommand, ScanCommand, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { printResultAndExit } from './client-output.mjs';

const job = JSON.parse(process.argv[2]);
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(job.endpoint)) throw new Error(`loopback endpoints only: ${job.endpoint}`);
const deadline = Date.now() + job.ms;
const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });

/** A ~1 KB item (DynamoDB's size: attribute names + values): the key, a name, a number and padding. */
export function benchItem(pk, sk) {
  const item = { pk: { S: pk }, name: { S: `Employee ${pk}` }, n: { N: String(pk.length * 7) }, data: { S: 'x'.repeat(960) } };
  if (sk !== undefined) item.sk = { N: String(sk) };
  return item;
}

// ── the two clients: put(item), get(key) → found, page(op, input) → { count, last }, batch(requests) → unprocessed ──

function sdkClient() {
  const client = new DynamoDBClient({
    endpoint: job.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: job.key, secretAccessKey: job.secret },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  return {
    put: (item) => client.send(new PutItemCommand({ TableName: job.table, Item: item })),
    get: async (key) => (await client.send(new GetItemCommand({ TableName: job.table, Key: key }))).Item !== undefined,
    async page(op, input) {
      const out = await client.send(op === 'query' ? new QueryCommand(input) : new ScanCommand(input));
      return { count: out.Items.length, last: out.LastEvaluatedKey };
    },
    async batch(requests) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [job.table]: requests } }));
      return out.UnprocessedItems?.[job.table] ?? [];
    },
  };
}

/** SHA-256 and HMAC-SHA256 in the shape the signer takes (update, then an async digest). */
class NodeSha256 {
  constructor(secret) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return this.hash.digest();
  }
}

const sha256Hex = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
const signingKeys = new Map();

/**
 * SigV4 for the light client's one request shape (POST / with a JSON body, no query), signing
 * content-length, content-type, host, x-amz-content-sha256, x-amz-date and x-amz-target, as the SDK's does. The SDK's signer costs about
 * 50 µs a request here, as much as some servers spend answering; this costs a tenth of that.
 * `ensureSignerAgrees` checks it against @smithy/signature-v4 before the load starts.
 */
function signV4(headers, body, now = new Date()) {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/us-east-1/dynamodb/aws4_request`;
  const payloadHash = sha256Hex(body);
  const all = { ...headers, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonical = `POST\n/\n\n${names.map((n) => `${n}:${lower[n]}\n`).join('')}\n${names.join(';')}\n${payloadHash}`;
  let key = signingKeys.get(day);
  if (!key) signingKeys.set(day, (key = hmac(hmac(hmac(hmac(`AWS4${job.secret}`, day), 'us-east-1'), 'dynamodb'), 'aws4_request')));
  const signature = createHmac('sha256', key).update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`).digest('hex');
  return { ...all, authorization: `AWS4-HMAC-SHA256 Credential=${job.key}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

/** Refuses to run if signV4 and the SDK's signer disagree on a sample request. */
async function ensureSignerAgrees(url) {
  const now = new Date();
  const body = '{"TableName":"x"}';
  const headers = { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-length': String(body.length) };
  const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', sha256: NodeSha256, credentials: { accessKeyId: job.key, secretAccessKey: job.secret } });
  const expected = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body }, { signingDate: now });
  const ours = signV4(headers, body, now).authorization;
  if (ours !== expected.headers.authorization) throw new Error(`the bench's signer disagrees with the SDK's:\n${ours}\n${expected.headers.authorization}`);
}

function lightClient() {
  const url = new URL(job.endpoint);
  const checked = ensureSignerAgrees(url);

  /** One signed call; resolves with the response body's bytes, rejects on a non-200 answer. */
  async function call(operation, input) {
    await checked;
    const body = JSON.stringify(input);
    const headers = signV4({ host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}`, 'content-length': String(Buffer.byteLength(body)) }, body);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          if (res.statusCode === 200) resolve(bytes);
          else reject(new Error(`${operation}: HTTP ${res.statusCode} ${bytes.toString('utf8', 0, 300)}`));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    put: (item) => call('PutItem', { TableName: job.table, Item: item }),
    // The bench's items hold no text that looks like a member name, so searching the bytes for a
    // member's name finds the member (servers differ in member order and spacing).
    get: async (key) => (await call('GetItem', { TableName: job.table, Key: key })).includes('"Item"'),
    async page(op, input) {
      const bytes = await call(op === 'query' ? 'Query' : 'Scan', input);
      return { count: numberMember(bytes, '"Count"'), last: objectMember(bytes, '"LastEvaluatedKey"') };
    },
    async batch(requests) {
      // A batch's answer is small: parsed whole.
      const out = JSON.parse((await call('BatchWriteItem', { RequestItems: { [job.table]: requests } })).toString('utf8'));
      return out.UnprocessedItems?.[job.table] ?? [];
    },
  };
}

/** The value of a top-level number member, found by its name in the body's bytes (a 1 MB page is never decoded whole). */
function numberMember(bytes, name) {
  const at = bytes.lastIndexOf(name);
  if (at < 0) throw new Error(`no ${name} in the response`);
  const value = /^\s*:\s*(\d+)/.exec(bytes.toString('latin1', at + name.length, at + name.length + 32));
  if (!value) throw new Error(`${name} is not a number`);
  return Number(value[1]);
}

/** The value of a top-level object member (undefined when absent): only its own bytes are decoded and parsed. */
function objectMember(bytes, name) {
  const at = bytes.lastIndexOf(name);
  if (at < 0) return undefined;
  // A key is at most a few KB: the bytes after it (the page's items, for some servers) stay undecoded.
  const text = bytes.toString('utf8', at + name.length, at + name.length + 65536);
  const start = text.indexOf('{');
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // Skip the string, with its escapes.
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') {
      depth++;
    } else if (c === '}' && --depth === 0) {
      return JSON.parse(text.slice(start, i + 1));
    }
  }
  throw new Error(`unterminated ${name}`);
}

const api = job.client === 'sdk' ? sdkClient() : lightClient();

// ── the operations ──────────────────────────────────────────────────────────────────────────────

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

/** Reads `op` pages from the start to the end, again and again; a full read counts in `ok`. */
async function readToEnd(op, input) {
  while (Date.now() < deadline) {
    let start;
    do {
      const out = await api.page(op, { ...input, ExclusiveStartKey: start });
      pages++;
      items += out.count;
      start = out.last;
    } while (start && Date.now() < deadline);
    if (!start) ok++;
  }
}

const operations = {
  async put(worker) {
    for (let i = 0; Date.now() < deadline; i++) {
      await api.put(benchItem(`p-${job.clientId}-${worker}-${i}`));
      ok++;
      items++;
    }
  },
  /** Reads random items among the `keys` seeded as g-0 … g-(keys-1); a missing item is an error. */
  async get() {
    while (Date.now() < deadline) {
      const key = `g-${Math.floor(Math.random() * job.keys)}`;
      const t0 = performance.now();
      const found = await api.get({ pk: { S: key } });
      if (job.latencies) latencies.push(performance.now() - t0);
      if (!found) throw new Error(`GetItem ${key}: no item`);
      ok++;
      items++;
    }
  },
  /** Queries partition 'q' to its end, page by page. */
  query: () => readToEnd('query', { TableName: job.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'q' } } }),
  scan: () => readToEnd('scan', { TableName: job.table }),
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
        const unprocessed = await api.batch(requests);
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
printResultAndExit({ ok, errors, firstError, items, pages, latencies: job.latencies ? latencies : undefined });
