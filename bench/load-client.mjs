// One load-generating process: SDK v3 clients calling one operation at a given concurrency for a
// given time, against loopback only. Prints {"ok":N,"errors":N} on stdout.
//   node bench/load-client.mjs <endpoint> <concurrency> <ms> <key> <secret> [sts|iam-get-user]
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient, GetUserCommand } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { printResultAndExit } from './client-output.mjs';

const [endpoint, concurrencyArg, durationArg, accessKeyId, secretAccessKey, operation = 'sts'] = process.argv.slice(2);
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(endpoint)) throw new Error(`loopback endpoints only: ${endpoint}`);
const concurrency = Number(concurrencyArg);
const deadline = Date.now() + Number(durationArg);
const config = {
  endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId, secretAccessKey },
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: concurrency }) }),
};
const call = {
  sts: () => {
    const client = new STSClient(config);
    return () => client.send(new GetCallerIdentityCommand({}));
  },
  'iam-get-user': () => {
    const client = new IAMClient(config);
    return () => client.send(new GetUserCommand({ UserName: 'bench' }));
  },
}[operation]();
let ok = 0;
let errors = 0;
let firstError;
async function worker() {
  while (Date.now() < deadline) {
    try {
      await call();
      ok++;
    } catch (err) {
      errors++;
      firstError ??= String(err);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
printResultAndExit({ ok, errors, firstError });
