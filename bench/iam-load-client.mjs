// A long-lived load-generating process for the IAM enforcement benchmark (bench/run.ts): SDK v3
// IAM clients calling GetUser, one per server endpoint, driven slice by slice so that servers can
// be loaded many times over without paying a process start (and SDK load) per slice.
//   node bench/iam-load-client.mjs <concurrency> <key> <secret> <endpoint>...
// stdin, one line per slice: {"endpoints": [<some of the endpoints>], "ms": <duration>}; each
//   endpoint named gets <concurrency> requests in flight, all of them at the same time.
// stdout, one line per slice once its last request has answered:
//   [{"ok": N, "errors": N, "firstError"?: "…"}, …] in the order of the slice's endpoints.
// Prints "ready" first. Loopback endpoints only.
import { IAMClient, GetUserCommand } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { createInterface } from 'node:readline';

const [concurrencyArg, accessKeyId, secretAccessKey, ...endpoints] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const clients = new Map();
for (const endpoint of endpoints) {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(endpoint)) throw new Error(`loopback endpoints only: ${endpoint}`);
  clients.set(
    endpoint,
    new IAMClient({
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId, secretAccessKey },
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: concurrency }) }),
    }),
  );
}

async function slice(endpoint, ms) {
  const client = clients.get(endpoint);
  if (!client) return { ok: 0, errors: 1, firstError: `unknown endpoint ${endpoint}` };
  const deadline = Date.now() + ms;
  let ok = 0;
  let errors = 0;
  let firstError;
  async function worker() {
    while (Date.now() < deadline) {
      try {
        await client.send(new GetUserCommand({ UserName: 'bench' }));
        ok++;
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, errors, firstError };
}

// Slices run one at a time, in the order they arrive.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const { endpoints: targets, ms } = JSON.parse(line);
  queue = queue.then(async () => process.stdout.write(JSON.stringify(await Promise.all(targets.map((e) => slice(e, ms)))) + '\n'));
});
process.stdin.on('end', () => queue.then(() => process.exit(0)));
process.stdout.write('ready\n');
