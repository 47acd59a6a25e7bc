/**
 * The pipeline without sockets: real SDK v3 requests (captured, not sent) fed to Bonsai's request
 * handler in a loop, to see what each stage costs per request. Run: npx tsx bench/pipeline.bench.ts
 *
 * Figures are this process's CPU time per request (process.cpuUsage), not wall time, so that
 * other processes on a shared machine stretch them less; each is the median of several rounds,
 * and the enforcing and `--auth off` instances (both open throughout) take turns round by round.
 * Profile a path with: node --import tsx --cpu-prof bench/pipeline.bench.ts
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

/** CPU µs per call of `fn` over n calls, after a warm-up on the first round. */
async function cpuPerCall(n: number, fn: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 4_000);

export async function benchPipeline(): Promise<Array<[string, number]>> {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-pipeline-bench-'));
  const offDir = mkdtempSync(join(tmpdir(), 'bonsai-pipeline-bench-off-'));
  const env = { BONSAI_ACCOUNT_ID: ACCOUNT.id, BONSAI_ROOT_ACCESS_KEY_ID: ACCOUNT.key, BONSAI_ROOT_SECRET_ACCESS_KEY: ACCOUNT.secret };
  const bonsai = await startBonsai({ port: 0, dataDir: dir, log: silentLogger(), env });
  // The same requests with --auth off: no signature check, every caller is the root user.
  const off = await startBonsai({ port: 0, dataDir: offDir, log: silentLogger(), env, auth: 'off' });
  const rootCreds = { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret };
  // The IAM issue's benchmark principal: 10 managed policies of 10 statements, 2 groups (on both).
  const userCreds = await createBenchPrincipal(bonsai.endpoint, ACCOUNT.id, rootCreds);
  await createBenchPrincipal(off.endpoint, ACCOUNT.id, rootCreds);
  const stsReq = await signed((extra) => new STSClient({ endpoint: bonsai.endpoint, region: 'us-east-1', credentials: rootCreds, maxAttempts: 1, ...extra }).send(new GetCallerIdentityCommand({})));
  const getUserReq = await signed((extra) =>
    new IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', credentials: userCreds, maxAttempts: 1, ...extra }).send(new GetUserCommand({ UserName: 'bench' })),
  );
  for (const [server, req] of [[bonsai, stsReq], [bonsai, getUserReq], [off, stsReq], [off, getUserReq]] as const) {
    const res = await server.handle(req);
    if (res.status !== 200) throw new Error(`benchmark request failed: ${res.status} ${String(res.body)}`);
  }
  const resolver = rootCredentialResolver({ accountId: ACCOUNT.id, rootAccessKeyId: ACCOUNT.key, rootSecretAccessKey: ACCOUNT.secret, createdAt: '' });
  const paths: Array<[string, () => unknown]> = [
    ['verifySigV4 alone (GetCallerIdentity from SDK v3, root key)', () => verifySigV4(stsReq, { resolver, nowMs: Date.now(), s3: false })],
    ['pipeline: sts GetCallerIdentity (root)', () => bonsai.handle(stsReq)],
    ['pipeline --auth off: sts GetCallerIdentity', () => off.handle(stsReq)],
    ['pipeline: iam GetUser (user with 10 managed policies + 2 groups)', () => bonsai.handle(getUserReq)],
    ['pipeline --auth off: iam GetUser', () => off.handle(getUserReq)],
  ];
  const rounds = new Map<string, number[]>(paths.map(([name]) => [name, []]));
  for (const [, fn] of paths) await cpuPerCall(2_000, fn); // warm-up (JIT, caches)
  for (let round = 0; round < ROUNDS; round++) {
    // Every path once per round, in turn, so a machine that gets busier slows them all alike.
    for (const [name, fn] of paths) rounds.get(name)!.push(await cpuPerCall(PER_ROUND, fn));
  }
  await bonsai.close();
  await off.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(offDir, { recursive: true, force: true });
  return paths.map(([name]) => [name, median(rounds.get(name)!)]);
}

if (process.argv[1] === import.meta.filename) {
  const results = await benchPipeline();
  for (const [name, micros] of results) console.log(`${micros.toFixed(1).padStart(8)} µs CPU  ${name}`);
  const of = (prefix: string) => results.find(([name]) => name.startsWith(prefix))![1];
  const added = of('pipeline: iam GetUser') - of('pipeline --auth off: iam GetUser');
  console.log(`\nSigV4 + IAM enforcement adds ${added.toFixed(1)} µs CPU to GetUser (${((added / of('pipeline --auth off: iam GetUser')) * 100).toFixed(0)} % of the --auth off request without sockets)`);
}
