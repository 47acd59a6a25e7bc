/**
 * The pipeline without sockets: real SDK v3 requests (captured, not sent) fed to Bonsai's request
 * handler in a loop, to see what each stage costs per request. Run: npx tsx bench/pipeline.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient, GetUserCommand } from '@aws-sdk/client-iam';
import type { HttpRequest } from '@smithy/types';
import { startBonsai } from '../src/server/bonsai.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { RawRequest } from '../src/core/http.ts';
import { verifySigV4 } from '../src/auth/sigv4/verify.ts';
import { rootCredentialResolver } from '../src/auth/root-credentials.ts';
import { createBenchPrincipal } from './setup-iam.ts';

const ACCOUNT = { id: '123456789012', key: 'AKIAIOSFODNN7BENCHXX', secret: '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' };

/** An SDK request handler that records the signed request instead of sending it. */
function capture(): { handler: { handle(req: HttpRequest): Promise<never> }; last: () => RawRequest } {
  let raw: RawRequest | undefined;
  return {
    handler: {
      async handle(req: HttpRequest) {
        const query = Object.entries(req.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
        const body = Buffer.from(typeof req.body === 'string' ? req.body : (req.body ?? ''));
        raw = { method: req.method, target: req.path + (query ? `?${query}` : ''), path: req.path, query, headers, body, remoteAddress: '127.0.0.1', secure: false };
        throw new Error('captured');
      },
    },
    last: () => raw!,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function signed(send: (client: { requestHandler: any }) => Promise<unknown>): Promise<RawRequest> {
  const c = capture();
  await send({ requestHandler: c.handler }).catch(() => undefined);
  return c.last();
}

function perCall(n: number, fn: () => unknown): Promise<number> {
  return (async () => {
    for (let i = 0; i < Math.min(n, 2000); i++) await fn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    return Number(process.hrtime.bigint() - t0) / 1000 / n;
  })();
}

export async function benchPipeline(): Promise<Array<[string, number]>> {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-pipeline-bench-'));
  const env = { BONSAI_ACCOUNT_ID: ACCOUNT.id, BONSAI_ROOT_ACCESS_KEY_ID: ACCOUNT.key, BONSAI_ROOT_SECRET_ACCESS_KEY: ACCOUNT.secret };
  const bonsai = await startBonsai({ port: 0, dataDir: dir, log: silentLogger(), env });
  const rootCreds = { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret };
  // The IAM issue's benchmark principal: 10 managed policies of 10 statements, 2 groups.
  const userCreds = await createBenchPrincipal(bonsai.endpoint, ACCOUNT.id, rootCreds);
  const stsReq = await signed((extra) => new STSClient({ endpoint: bonsai.endpoint, region: 'us-east-1', credentials: rootCreds, maxAttempts: 1, ...extra }).send(new GetCallerIdentityCommand({})));
  const getUserReq = await signed((extra) =>
    new IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', credentials: userCreds, maxAttempts: 1, ...extra }).send(new GetUserCommand({ UserName: 'bench' })),
  );
  const resolver = rootCredentialResolver({ accountId: ACCOUNT.id, rootAccessKeyId: ACCOUNT.key, rootSecretAccessKey: ACCOUNT.secret, createdAt: '' });
  const results: Array<[string, number]> = [];
  const N = 20_000;
  results.push(['verifySigV4 alone (GetCallerIdentity from SDK v3, root key)', await perCall(N, () => verifySigV4(stsReq, { resolver, nowMs: Date.now(), s3: false }))]);
  results.push(['pipeline: sts GetCallerIdentity (root)', await perCall(N, () => bonsai.handle(stsReq))]);
  results.push(['pipeline: iam GetUser (user with 10 managed policies + 2 groups)', await perCall(N, () => bonsai.handle(getUserReq))]);
  await bonsai.close();
  // The same requests with --auth off: no signature check, every caller is the root user.
  const off = await startBonsai({ port: 0, dataDir: dir, log: silentLogger(), env, auth: 'off' });
  results.push(['pipeline --auth off: sts GetCallerIdentity', await perCall(N, () => off.handle(stsReq))]);
  results.push(['pipeline --auth off: iam GetUser', await perCall(N, () => off.handle(getUserReq))]);
  await off.close();
  rmSync(dir, { recursive: true, force: true });
  return results;
}

if (process.argv[1] === import.meta.filename) {
  for (const [name, micros] of await benchPipeline()) console.log(`${micros.toFixed(1).padStart(8)} µs  ${name}`);
}
