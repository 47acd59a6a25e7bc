/**
 * `npm run bench`: Bonsai's benchmarks (not tests). Measures, in one run:
 *   - time from `bonsai start` to the first successful signed request, and idle RSS;
 *   - signed STS GetCallerIdentity from SDK v3 at concurrency 16 (several client processes),
 *     beside a bare node:http server answering a fixed response to the same clients: requests/s
 *     and, more telling on a 2-core machine where clients and server share CPUs, the server's own
 *     CPU time per request (from /proc);
 *   - DynamoDB beside dynalite and moto (bench/dynamodb.bench.ts).
 * Every byte goes to 127.0.0.1, and every loop is bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { cpuSeconds, readLine, rssMiB } from './proc.ts';
import { benchEvaluator } from './iam-evaluator.bench.ts';
import { createBenchPrincipal } from './setup-iam.ts';
import { benchDynamoDB, dynamoDBMarkdown } from './dynamodb.bench.ts';

const ROOT = join(import.meta.dirname, '..');
const ACCOUNT = { id: '123456789012', key: 'AKIAIOSFODNN7BENCHXX', secret: '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' };
const ENV = { ...process.env, BONSAI_ACCOUNT_ID: ACCOUNT.id, BONSAI_ROOT_ACCESS_KEY_ID: ACCOUNT.key, BONSAI_ROOT_SECRET_ACCESS_KEY: ACCOUNT.secret, BONSAI_LOG_LEVEL: 'warn' };
const CLIENT_PROCESSES = 4;
const CONCURRENCY = 16;
const LOAD_MS = Number(process.env.BENCH_LOAD_MS ?? 8000);

interface Server {
  child: ChildProcess;
  endpoint: string;
}

async function startBonsai(dataDir: string, extra: string[] = []): Promise<Server & { startMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'bonsai.mjs'), 'start', '--port', '0', '--data-dir', dataDir, ...extra], { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await readLine(child, /is running at (\S+)/);
  await firstSuccess(endpoint);
  return { child, endpoint, startMs: performance.now() - t0 };
}

async function startBare(): Promise<Server> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'bare-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await readLine(child, /^(\d+)$/m);
  return { child, endpoint: `http://127.0.0.1:${port}` };
}

/** Polls with a signed GetCallerIdentity until it succeeds (bounded: 10 s). */
async function firstSuccess(endpoint: string): Promise<void> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret } });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.send(new GetCallerIdentityCommand({}));
      client.destroy();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

interface LoadOptions {
  operation?: 'sts' | 'iam-get-user';
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

async function load(server: Server, options: LoadOptions = {}): Promise<{ rps: number; cpuMsPerRequest: number; errors: number }> {
  const key = options.credentials?.accessKeyId ?? ACCOUNT.key;
  const secret = options.credentials?.secretAccessKey ?? ACCOUNT.secret;
  const pid = server.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  const t0 = performance.now();
  const clients = Array.from({ length: CLIENT_PROCESSES }, () =>
    spawn(process.execPath, [join(ROOT, 'bench', 'load-client.mjs'), server.endpoint, String(CONCURRENCY / CLIENT_PROCESSES), String(LOAD_MS), key, secret, options.operation ?? 'sts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const results = await Promise.all(
    clients.map(async (c) => {
      let out = '';
      c.stdout!.on('data', (d: Buffer) => (out += d));
      await once(c, 'exit');
      return JSON.parse(out) as { ok: number; errors: number; firstError?: string };
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const ok = results.reduce((n, r) => n + r.ok, 0);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  if (errors) console.error('load errors:', results.find((r) => r.firstError)?.firstError);
  return { rps: ok / seconds, cpuMsPerRequest: (cpu * 1000) / ok, errors };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function stop(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  // 1. Start-up time and idle RSS (fresh data directory each time, so first-start work is counted).
  const startTimes: number[] = [];
  let idleRss = 0;
  for (let i = 0; i < 5; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bonsai-bench-'));
    const s = await startBonsai(dir);
    startTimes.push(s.startMs);
    if (i === 4) {
      await new Promise((r) => setTimeout(r, 1000));
      idleRss = rssMiB(s.child.pid!);
    }
    await stop(s);
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push(['`bonsai start` → first signed request OK (median of 5)', `${median(startTimes).toFixed(0)} ms`, '≤ 300 ms']);
  rows.push(['idle RSS after start + 1 request', `${idleRss.toFixed(1)} MiB`, '≤ 80 MB']);

  // 2. Signed GetCallerIdentity under load, Bonsai (enforce and --auth off) beside the bare server.
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-bench-'));
  const bonsai = await startBonsai(dir);
  await load(bonsai); // warm-up (JIT)
  const enforced = await load(bonsai);
  // 3. IAM enforcement: GetUser signed by a user with 10 managed policies of 10 statements and 2 groups.
  const benchUser = await createBenchPrincipal(bonsai.endpoint, ACCOUNT.id, { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret });
  const iamLoad = { operation: 'iam-get-user' as const, credentials: benchUser };
  await load(bonsai, iamLoad);
  const iamEnforced = await load(bonsai, iamLoad);
  await stop(bonsai);
  const bonsaiOff = await startBonsai(dir, ['--auth', 'off']);
  await load(bonsaiOff);
  const off = await load(bonsaiOff);
  await load(bonsaiOff, iamLoad);
  const iamOff = await load(bonsaiOff, iamLoad);
  await stop(bonsaiOff);
  rmSync(dir, { recursive: true, force: true });
  const bare = await startBare();
  await load(bare);
  const bareResult = await load(bare);
  await stop(bare);

  rows.push([`GetCallerIdentity, SDK v3, concurrency ${CONCURRENCY} (${CLIENT_PROCESSES} client processes): Bonsai`, `${enforced.rps.toFixed(0)} req/s, ${(enforced.cpuMsPerRequest * 1000).toFixed(0)} µs server CPU/req`, '']);
  rows.push(['… Bonsai with --auth off', `${off.rps.toFixed(0)} req/s, ${(off.cpuMsPerRequest * 1000).toFixed(0)} µs server CPU/req`, '']);
  rows.push(['… bare node:http, fixed response', `${bareResult.rps.toFixed(0)} req/s, ${(bareResult.cpuMsPerRequest * 1000).toFixed(0)} µs server CPU/req`, '']);
  rows.push(['server CPU per signed request, Bonsai ÷ bare', `${(enforced.cpuMsPerRequest / bareResult.cpuMsPerRequest).toFixed(2)}×`, '≤ 2×']);
  rows.push(['server CPU per request, enforce ÷ --auth off', `${(enforced.cpuMsPerRequest / off.cpuMsPerRequest).toFixed(2)}×`, '']);
  rows.push([
    'IAM GetUser signed by a user with 10 managed policies (10 statements each) + 2 groups: enforced',
    `${iamEnforced.rps.toFixed(0)} req/s, ${(iamEnforced.cpuMsPerRequest * 1000).toFixed(0)} µs server CPU/req`,
    '',
  ]);
  rows.push(['… the same requests with --auth off', `${iamOff.rps.toFixed(0)} req/s, ${(iamOff.cpuMsPerRequest * 1000).toFixed(0)} µs server CPU/req`, '']);
  rows.push(['server CPU added by SigV4 + IAM enforcement on GetUser', `${((iamEnforced.cpuMsPerRequest / iamOff.cpuMsPerRequest - 1) * 100).toFixed(1)} %`, '≤ 10 %']);
  const evaluator = benchEvaluator();
  rows.push([
    `policy evaluator alone, ${evaluator.policies} policies × 10 statements`,
    `${Math.round(evaluator.decisionsPerSecond).toLocaleString('en-US')} decisions/s, p50 ${evaluator.p50Micros.toFixed(1)} µs, p99 ${evaluator.p99Micros.toFixed(1)} µs`,
    'p99 ≤ 20 µs',
  ]);
  const errors = enforced.errors + off.errors + bareResult.errors + iamEnforced.errors + iamOff.errors;

  console.log(`\n## Core (${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model.trim()}, node ${process.version})\n`);
  console.log('| measure | result | target |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  if (errors) console.log(`\n${errors} requests failed during load (see stderr).`);

  // 4. DynamoDB beside dynalite and moto (bench/dynamodb.bench.ts): its own table, one column per server.
  // BENCH_SKIP_DYNAMODB=1 runs the core section alone (repeat runs to see the machine's spread).
  if (!process.env.BENCH_SKIP_DYNAMODB) console.log(dynamoDBMarkdown(await benchDynamoDB()));
}

await main();
