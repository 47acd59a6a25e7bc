/**
 * `npm run bench`: Bonsai's benchmarks (not tests). Measures, in one run:
 *   - time from `bonsai start` to the first successful signed request, and idle RSS;
 *   - signed STS GetCallerIdentity from SDK v3 at concurrency 16 (several client processes),
 *     beside a bare node:http server answering a fixed response to the same clients: requests/s
 *     and, more telling on a 2-core machine where clients and server share CPUs, the server's own
 *     CPU time per request (from /proc);
 *   - what SigV4 + IAM enforcement adds to the server's CPU per request (IAM GetUser by a user
 *     with 10 managed policies and 2 groups), an enforcing and an `--auth off` Bonsai loaded
 *     side by side in many short slices;
 *   - DynamoDB beside dynalite and moto (bench/dynamodb.bench.ts);
 *   - EC2 beside moto: RunInstances throughput and DescribeInstances over 1,000 instances (bench/ec2.bench.ts);
 *   - S3 beside moto and a bare node:http ceiling: Put/GetObject of 1 KiB and 1 MiB, ListObjectsV2 over
 *     10,000 keys, a 256 MiB multipart upload and download beside `dd`, RSS while streaming 5 GiB (bench/s3.bench.ts).
 * Every byte goes to 127.0.0.1, and every loop is bounded in time.
 *
 * Switches: BENCH_LOAD_MS (length of one load run), BENCH_IAM_ROUNDS and BENCH_IAM_SLICE_MS (how
 * many slices the IAM section measures, and how long each is),
 * BENCH_ONLY_IAM=1 (the IAM enforcement section alone), BENCH_SKIP_DYNAMODB=1, BENCH_SKIP_EC2=1, BENCH_SKIP_S3=1, BENCH_BUNDLE (the
 * bundled Bonsai to start; default dist/bonsai.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { cpuSeconds, readLine, rssMiB } from './proc.ts';
import { benchEvaluator } from './iam-evaluator.bench.ts';
import { createBenchPrincipal } from './setup-iam.ts';
import { benchDynamoDB, dynamoDBMarkdown } from './dynamodb.bench.ts';
import { benchEc2, ec2Markdown } from './ec2.bench.ts';
import { benchS3, s3Markdown } from './s3.bench.ts';

const ROOT = join(import.meta.dirname, '..');
const ACCOUNT = { id: '123456789012', key: 'AKIAIOSFODNN7BENCHXX', secret: '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' };
const ENV = { ...process.env, BONSAI_ACCOUNT_ID: ACCOUNT.id, BONSAI_ROOT_ACCESS_KEY_ID: ACCOUNT.key, BONSAI_ROOT_SECRET_ACCESS_KEY: ACCOUNT.secret, BONSAI_LOG_LEVEL: 'warn', BONSAI_ROOT: ROOT };
const CLIENT_PROCESSES = 4;
const CONCURRENCY = 16;
const LOAD_MS = Number(process.env.BENCH_LOAD_MS ?? 8000);
const IAM_ROUNDS = Number(process.env.BENCH_IAM_ROUNDS ?? 15);
const IAM_SLICE_MS = Number(process.env.BENCH_IAM_SLICE_MS ?? 3000);
const BUNDLE = process.env.BENCH_BUNDLE ?? join(ROOT, 'dist', 'bonsai.mjs');

interface Server {
  child: ChildProcess;
  endpoint: string;
}

async function startBonsai(dataDir: string, extra: string[] = []): Promise<Server & { startMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BUNDLE, 'start', '--port', '0', '--data-dir', dataDir, ...extra], { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
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

async function load(server: Server, options: LoadOptions = {}): Promise<LoadResult> {
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

/** One enforce-or-off load run's figures. */
interface LoadResult {
  rps: number;
  cpuMsPerRequest: number;
  errors: number;
}

/**
 * CPU seconds a process has used so far, all threads, from /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds on CPU): /proc/<pid>/stat counts 10 ms ticks, too coarse for the short slices the
 * IAM benchmark measures. Falls back to the ticks where schedstat is unavailable.
 */
function preciseCpuSeconds(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e9;
  } catch {
    return cpuSeconds(pid);
  }
}

/** Long-lived GetUser load processes (bench/iam-load-client.mjs), driven one slice at a time. */
class SliceLoad {
  private readonly children: ChildProcess[];
  private readonly lines: Array<AsyncIterator<string>>;

  constructor(endpoints: string[], credentials: { accessKeyId: string; secretAccessKey: string }) {
    const script = join(ROOT, 'bench', 'iam-load-client.mjs');
    this.children = Array.from({ length: CLIENT_PROCESSES }, () =>
      spawn(process.execPath, [script, String(CONCURRENCY / CLIENT_PROCESSES), credentials.accessKeyId, credentials.secretAccessKey, ...endpoints], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    this.lines = this.children.map((c) => createInterface({ input: c.stdout! })[Symbol.asyncIterator]());
  }

  async ready(): Promise<void> {
    await Promise.all(this.lines.map((l) => l.next()));
  }

  /**
   * Loads the servers for `ms`, all at once, from every client process (each server gets the full
   * concurrency); each server's own CPU is read around the slice.
   */
  async run(servers: Server[], ms: number): Promise<LoadResult[]> {
    const pids = servers.map((s) => s.child.pid!);
    const cpuBefore = pids.map(preciseCpuSeconds);
    const t0 = performance.now();
    const command = JSON.stringify({ endpoints: servers.map((s) => s.endpoint), ms }) + '\n';
    for (const c of this.children) c.stdin!.write(command);
    type Counts = { ok: number; errors: number; firstError?: string };
    const replies = await Promise.all(this.lines.map(async (l) => JSON.parse((await l.next()).value as string) as Counts[]));
    const seconds = (performance.now() - t0) / 1000;
    return servers.map((_, i) => {
      const cpu = preciseCpuSeconds(pids[i]!) - cpuBefore[i]!;
      const counts = replies.map((r) => r[i]!);
      const ok = counts.reduce((n, r) => n + r.ok, 0);
      const errors = counts.reduce((n, r) => n + r.errors, 0);
      if (errors) console.error('load errors:', counts.find((r) => r.firstError)?.firstError);
      return { rps: ok / seconds, cpuMsPerRequest: (cpu * 1000) / Math.max(ok, 1), errors };
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map((c) => {
        c.stdin!.end();
        return once(c, 'exit');
      }),
    );
  }
}

interface IamEnforcementResult {
  enforced: LoadResult[];
  off: LoadResult[];
  /** Median server CPU per GetUser, µs. */
  enforcedMicros: number;
  offMicros: number;
  /** The rounds' enforce ÷ off ratios, minus 1, in percent, sorted. */
  overheads: number[];
}

/**
 * What SigV4 + IAM enforcement adds to the server's CPU per request: IAM GetUser signed by a user
 * with 10 managed policies of 10 statements and 2 groups, against one Bonsai enforcing and one
 * with `--auth off`, both running throughout.
 *
 * On a shared 2-core machine one load run's CPU per request moves by tens of percent with what
 * else runs (other processes evict the server's caches and take its core), so an enforce run
 * followed by an off run can come out anywhere. Instead the same client processes load both
 * servers at the same time, in many short slices, each server's CPU is read to the nanosecond
 * around each slice, and the figure is the median of the slices' ratios: within a slice both
 * servers see the same machine.
 */
async function benchIamEnforcement(): Promise<IamEnforcementResult> {
  const enforceDir = mkdtempSync(join(tmpdir(), 'bonsai-bench-iam-'));
  const offDir = mkdtempSync(join(tmpdir(), 'bonsai-bench-iam-off-'));
  const enforcing = await startBonsai(enforceDir);
  const open = await startBonsai(offDir, ['--auth', 'off']);
  let clients: SliceLoad | undefined;
  try {
    const root = { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret };
    const benchUser = await createBenchPrincipal(enforcing.endpoint, ACCOUNT.id, root);
    // The same user exists on the --auth off server; its requests are signed with the same key.
    await createBenchPrincipal(open.endpoint, ACCOUNT.id, root);
    clients = new SliceLoad([enforcing.endpoint, open.endpoint], benchUser);
    await clients.ready();
    for (let i = 0; i < 2; i++) await clients.run([enforcing, open], IAM_SLICE_MS); // warm-up (JIT, caches)
    const enforced: LoadResult[] = [];
    const off: LoadResult[] = [];
    for (let round = 0; round < IAM_ROUNDS; round++) {
      const [e, o] = await clients.run([enforcing, open], IAM_SLICE_MS);
      enforced.push(e!);
      off.push(o!);
    }
    return {
      enforced,
      off,
      enforcedMicros: median(enforced.map((r) => r.cpuMsPerRequest)) * 1000,
      offMicros: median(off.map((r) => r.cpuMsPerRequest)) * 1000,
      overheads: enforced.map((e, i) => (e.cpuMsPerRequest / off[i]!.cpuMsPerRequest - 1) * 100).sort((a, b) => a - b),
    };
  } finally {
    await clients?.close();
    await stop(enforcing);
    await stop(open);
    rmSync(enforceDir, { recursive: true, force: true });
    rmSync(offDir, { recursive: true, force: true });
  }
}

/** The value below which a fraction q of the sorted values lie (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function iamEnforcementRows(iam: IamEnforcementResult): string[][] {
  const micros = (runs: LoadResult[]) => {
    const sorted = runs.map((r) => r.cpuMsPerRequest * 1000).sort((a, b) => a - b);
    return `${median(sorted).toFixed(0)} µs (quartiles ${quantile(sorted, 0.25).toFixed(0)}–${quantile(sorted, 0.75).toFixed(0)}), ${median(runs.map((r) => r.rps)).toFixed(0)} req/s`;
  };
  const o = iam.overheads;
  const slices = `${iam.enforced.length} slices of ${(IAM_SLICE_MS / 1000).toFixed(1)} s, both servers loaded at once`;
  return [
    [`IAM GetUser signed by a user with 10 managed policies (10 statements each) + 2 groups: server CPU/req, enforced (median of ${slices})`, micros(iam.enforced), ''],
    ['… the same requests, in the same slices, to a second Bonsai with --auth off', micros(iam.off), ''],
    [
      'server CPU added by SigV4 + IAM enforcement on GetUser (median of the slices\' enforce ÷ off)',
      `${median(o).toFixed(1)} % (quartiles ${quantile(o, 0.25).toFixed(1)}–${quantile(o, 0.75).toFixed(1)} %, range ${o[0]!.toFixed(1)}–${o[o.length - 1]!.toFixed(1)} %)`,
      '≤ 10 %',
    ],
  ];
}

function printTable(title: string, rows: string[][]): void {
  console.log(`\n## ${title} (${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model.trim()}, node ${process.version})\n`);
  console.log('| measure | result | target |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

async function main(): Promise<void> {
  // BENCH_ONLY_IAM=1: the enforcement overhead alone (repeat it to see the machine's spread).
  if (process.env.BENCH_ONLY_IAM) {
    const iam = await benchIamEnforcement();
    printTable('IAM enforcement', iamEnforcementRows(iam));
    const errors = [...iam.enforced, ...iam.off].reduce((n, r) => n + r.errors, 0);
    if (errors) console.log(`\n${errors} requests failed during load (see stderr).`);
    return;
  }
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
  await stop(bonsai);
  const bonsaiOff = await startBonsai(dir, ['--auth', 'off']);
  await load(bonsaiOff);
  const off = await load(bonsaiOff);
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

  // 3. IAM enforcement: GetUser signed by a user with 10 managed policies of 10 statements and 2 groups.
  const iam = await benchIamEnforcement();
  rows.push(...iamEnforcementRows(iam));
  const evaluator = benchEvaluator();
  rows.push([
    `policy evaluator alone, ${evaluator.policies} policies × 10 statements`,
    `${Math.round(evaluator.decisionsPerSecond).toLocaleString('en-US')} decisions/s, p50 ${evaluator.p50Micros.toFixed(1)} µs, p99 ${evaluator.p99Micros.toFixed(1)} µs`,
    'p99 ≤ 20 µs',
  ]);
  const errors = [enforced, off, bareResult, ...iam.enforced, ...iam.off].reduce((n, r) => n + r.errors, 0);

  printTable('Core', rows);
  if (errors) console.log(`\n${errors} requests failed during load (see stderr).`);

  // 4. DynamoDB beside dynalite and moto (bench/dynamodb.bench.ts): its own table, one column per server.
  // BENCH_SKIP_DYNAMODB=1 runs the core section alone (repeat runs to see the machine's spread).
  if (!process.env.BENCH_SKIP_DYNAMODB) console.log(dynamoDBMarkdown(await benchDynamoDB()));

  // 5. EC2 beside moto (bench/ec2.bench.ts). BENCH_SKIP_EC2=1 leaves it out.
  if (!process.env.BENCH_SKIP_EC2) console.log(ec2Markdown(await benchEc2()));

  // 6. S3 beside moto and the bare node:http ceiling (bench/s3.bench.ts). BENCH_SKIP_S3=1 leaves it out.
  if (!process.env.BENCH_SKIP_S3) console.log(s3Markdown(await benchS3()));
}

await main();
