/**
 * EC2 beside moto, the same SDK v3 clients against each:
 *   - RunInstances throughput: 1,000 instances launched one per call (MinCount = MaxCount = 1) at
 *     concurrency 16 (2 client processes × 8), instances/s and server CPU per launch;
 *   - DescribeInstances listing those 1,000 instances to the last page (Bonsai answers them in one
 *     response, moto 100 reservations a page), at concurrency 4 (2 processes × 2) for LOAD_MS after
 *     a warm-up: instances listed/s and server CPU per 1,000 instances listed (a listing the time
 *     limit cuts short still counts its pages: moto's 10-page listing can take longer than the run),
 *     page p50;
 *   - DescribeInstances with filters (instance-type, instance-state-name and a tag:Name wildcard
 *     matching one instance in ten), the same way: pages/s and server CPU per page.
 * Beside each throughput, the server's own CPU time (/proc/<pid>/stat), the comparable figure on a
 * 2-core machine where clients and server share the CPUs, and the rate the server could sustain on
 * one core of its own (1 ÷ its CPU per listing): SDK v3 parsing a 1,000-instance response costs the
 * client processes more CPU than the server spends answering it, so the observed rate measures the
 * clients as much as the server. The clients' own CPU per listing is reported too. When the server
 * is mostly idle during the describe warm-up (under half a core) and the machine has CPU to spare
 * (1-minute load average below its core count), the measured run uses twice as many client
 * processes. The load average at the start is printed: on a shared machine it says how far the
 * observed rates can be trusted. Every request goes to 127.0.0.1 and every load loop is bounded in time.
 *
 * Bonsai's instance quota (20 per region, as a new AWS account) is lifted for the run with
 * BONSAI_EC2_INSTANCE_QUOTA.
 *
 * Run alone with `node scripts/build.mjs && npx tsx bench/ec2.bench.ts`; `npm run bench` runs it
 * after the core benchmarks (BENCH_SKIP_EC2=1 skips it). BENCH_EC2_SERVERS=Bonsai measures one
 * server only, BENCH_EC2_BONSAI=<bundle> starts another build of Bonsai (to compare two versions),
 * BENCH_EC2_PROFILE=<dir> starts Bonsai with --cpu-prof. The load clients are this file again,
 * started with `client <json job>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent } from 'node:http';
import { EC2Client, DescribeImagesCommand, DescribeInstancesCommand, RunInstancesCommand, DescribeRegionsCommand, type Filter } from '@aws-sdk/client-ec2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { clientResults, cpuSeconds, percentile, startBonsaiBundle, startMotoServer, stopServer } from './proc.ts';

const ROOT = join(import.meta.dirname, '..');
const THIS_FILE = fileURLToPath(import.meta.url);
const ACCOUNT = { id: '123456789012', key: 'AKIAIOSFODNN7BENCHEC', secret: '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' };
const REGION = 'us-east-1';
const CLIENT_PROCESSES = 2;
/** Describe client processes when the server is idle with CLIENT_PROCESSES (see measure). */
const MORE_CLIENT_PROCESSES = 4;
/** Below this share of one core during the describe warm-up, the server waits on its clients. */
const IDLE_SERVER_UTILISATION = 0.5;
// 16 in flight, as the DynamoDB and S3 benches use: throughput is what a server sustains when clients keep it busy.
const LAUNCH_CONCURRENCY = 16;
const DESCRIBE_CONCURRENCY = 4;
const INSTANCES = Number(process.env.BENCH_EC2_INSTANCES ?? 1000);
const LOAD_MS = Number(process.env.BENCH_EC2_MS ?? 8000);
const WARM_MS = Number(process.env.BENCH_EC2_WARM_MS ?? 2000);
/** Launching must finish within this; a server that cannot is reported with what it launched. */
const LAUNCH_MS = 240_000;

type ServerName = 'Bonsai' | 'moto';

interface Ec2Server {
  name: ServerName;
  child: ChildProcess;
  endpoint: string;
  cleanup?: () => void;
}

export interface Ec2Figures {
  launched: number;
  launchPerSecond: number;
  launchCpuMicros: number;
  /** Launches per second the server could sustain on one core: 1 ÷ its CPU per launch. */
  launchSustainablePerSecond: number;
  /** The client processes' CPU per launch (SDK v3 building, signing, sending, parsing). */
  launchClientCpuMicros: number;
  /** The server's CPU during the launches, in cores. */
  launchServerUtilisation: number;
  launchClientProcesses: number;
  /** Instances received per second, across pages (a listing cut short by the time limit still counts). */
  describeInstancesPerSecond: number;
  /** Server CPU per 1,000 instances listed. */
  describeCpuMsPer1000: number;
  /** Full listings per second the server could sustain on one core: 1 ÷ its CPU per listing. */
  describeSustainableListingsPerSecond: number;
  /** Full listings per second observed (instances listed/s ÷ instances). */
  describeListingsPerSecond: number;
  /** The client processes' CPU (SDK v3 signing, sending, parsing) per 1,000 instances listed. */
  describeClientCpuMsPer1000: number;
  /** The server's CPU during the measured describe run, in cores (1 = one core busy). */
  describeServerUtilisation: number;
  describeClientProcesses: number;
  describePageP50Ms: number;
  describeListings: number;
  describePagesPerListing: number;
  filteredPagesPerSecond: number;
  filteredCpuMsPerPage: number;
  filteredInstancesPerPage: number;
  errors: number;
}

export interface Ec2BenchResult {
  figures: Record<ServerName, Ec2Figures>;
  /** The machine's 1-minute load average when the run started. */
  loadAverage: number;
}

// ── the load client (this file, started as `client <json>`) ────────────────────────────────────

interface Job {
  op: 'launch' | 'describe' | 'describe-filtered';
  endpoint: string;
  imageId: string;
  concurrency: number;
  ms: number;
  /** launch: how many instances this process launches. */
  count?: number;
  clientId: number;
}

interface ClientResult {
  ok: number;
  errors: number;
  firstError?: string;
  /** Instances launched, or instances received in Describe responses. */
  instances: number;
  /** Describe responses received (a listing may take several pages). */
  pages: number;
  latencies: number[];
  /** Describe: the time of each page. */
  pageLatencies: number[];
  /** This client process's own CPU time over the run, in microseconds. */
  cpuMicros: number;
}

/** One instance in ten carries a Name matching this filter (bench-0…, bench-10…, …: names ending in 0). */
const FILTERS: Filter[] = [
  { Name: 'instance-type', Values: ['t2.micro'] },
  { Name: 'instance-state-name', Values: ['pending', 'running'] },
  { Name: 'tag:Name', Values: ['bench-*0'] },
];

async function runClient(job: Job): Promise<ClientResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(job.endpoint)) throw new Error(`loopback endpoints only: ${job.endpoint}`);
  const client = new EC2Client({
    endpoint: job.endpoint,
    region: REGION,
    maxAttempts: 1,
    credentials: { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: job.concurrency }) }),
  });
  const deadline = Date.now() + job.ms;
  const result: ClientResult = { ok: 0, errors: 0, instances: 0, pages: 0, latencies: [], pageLatencies: [], cpuMicros: 0 };
  const cpuBefore = process.cpuUsage();
  let next = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      if (job.op === 'launch' && next >= job.count!) return;
      const index = next++;
      const t0 = performance.now();
      try {
        if (job.op === 'launch') {
          const name = `bench-${job.clientId}${index}`;
          const out = await client.send(
            new RunInstancesCommand({
              ImageId: job.imageId,
              InstanceType: 't2.micro',
              MinCount: 1,
              MaxCount: 1,
              TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }, { Key: 'bench', Value: 'ec2' }] }],
            }),
          );
          result.instances += out.Instances?.length ?? 0;
        } else {
          // A full listing: every page, as the CLI does (moto answers 100 reservations a page, Bonsai all of them).
          let token: string | undefined;
          do {
            const p0 = performance.now();
            const out = await client.send(new DescribeInstancesCommand({ ...(job.op === 'describe' ? {} : { Filters: FILTERS }), NextToken: token }));
            result.instances += (out.Reservations ?? []).reduce((n, r) => n + (r.Instances?.length ?? 0), 0);
            result.pages++;
            result.pageLatencies.push(performance.now() - p0);
            token = out.NextToken;
          } while (token && Date.now() < deadline);
          if (token) continue; // cut short by the deadline: not a listing
        }
        result.latencies.push(performance.now() - t0);
        result.ok++;
      } catch (err) {
        result.errors++;
        result.firstError ??= String((err as Error)?.name ? `${(err as Error).name}: ${(err as Error).message}` : err);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  client.destroy();
  const cpu = process.cpuUsage(cpuBefore);
  result.cpuMicros = cpu.user + cpu.system;
  return result;
}

// ── servers ─────────────────────────────────────────────────────────────────────────────────────

function startBonsai(): Promise<Ec2Server> {
  return startBonsaiBundle({
    account: ACCOUNT,
    dataDirPrefix: 'bonsai-bench-ec2-',
    env: { BONSAI_EC2_INSTANCE_QUOTA: String(INSTANCES + 100) },
    nodeArgs: process.env.BENCH_EC2_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_EC2_PROFILE] : [],
    bundle: process.env.BENCH_EC2_BONSAI,
  });
}

/** The moto server of the machine's Python (threaded Werkzeug), bound to loopback; its access log is discarded. */
function startMoto(): Promise<Ec2Server> {
  return startMotoServer();
}

function stop(server: Ec2Server): Promise<void> {
  return stopServer(server);
}

function sdkClient(server: Ec2Server): EC2Client {
  return new EC2Client({ endpoint: server.endpoint, region: REGION, maxAttempts: 1, credentials: { accessKeyId: ACCOUNT.key, secretAccessKey: ACCOUNT.secret } });
}

/** Polls DescribeRegions until the server answers (bounded: 20 s). */
async function waitReady(ec2: EC2Client): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await ec2.send(new DescribeRegionsCommand({}));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** An Amazon Linux 2 x86_64 image from the server's own catalogue (both servers ship one). */
async function amazonLinux2(ec2: EC2Client): Promise<string> {
  const out = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn2-ami-*x86_64*'] }, { Name: 'architecture', Values: ['x86_64'] }] }));
  const image = out.Images?.find((i) => i.ImageId);
  if (!image?.ImageId) throw new Error('no Amazon Linux 2 image in the catalogue');
  return image.ImageId;
}

// ── load ────────────────────────────────────────────────────────────────────────────────────────

interface LoadResult {
  seconds: number;
  cpuSeconds: number;
  clientCpuSeconds: number;
  processes: number;
  ok: number;
  instances: number;
  pages: number;
  errors: number;
  latencies: number[];
  pageLatencies: number[];
}

/**
 * Runs `job` in `processes` client processes at once (job.concurrency in all); a launch job's count
 * is split between them. Client ids (in launched instances' names) start at `firstClientId`.
 */
async function load(server: Ec2Server, job: Omit<Job, 'endpoint' | 'clientId'>, processes = CLIENT_PROCESSES, firstClientId = 0): Promise<LoadResult> {
  const pid = server.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  const t0 = performance.now();
  const clients = Array.from({ length: processes }, (_, n) => {
    const part: Job = { ...job, endpoint: server.endpoint, clientId: firstClientId + n, concurrency: Math.max(1, Math.round(job.concurrency / processes)) };
    if (job.count !== undefined) part.count = Math.ceil(job.count / processes);
    return spawn(process.execPath, ['--import', 'tsx', THIS_FILE, 'client', JSON.stringify(part)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  });
  const results = await clientResults<ClientResult>(`${server.name} ${job.op}`, clients);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const sum = (f: (r: ClientResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const errors = sum((r) => r.errors);
  if (errors) console.error(`${server.name} ${job.op}: ${errors} errors, first: ${results.find((r) => r.firstError)?.firstError}`);
  return { seconds, cpuSeconds: cpu, clientCpuSeconds: sum((r) => r.cpuMicros) / 1e6, processes, ok: sum((r) => r.ok), instances: sum((r) => r.instances), pages: sum((r) => r.pages), errors, latencies: results.flatMap((r) => r.latencies), pageLatencies: results.flatMap((r) => r.pageLatencies) };
}

/**
 * Client processes for a run, from a shorter run with CLIENT_PROCESSES: if the server was mostly
 * idle, its clients were the bottleneck and get company, unless the machine has no CPU to spare
 * (more processes would then only share the same cores).
 */
function clientProcessesFor(trial: LoadResult): number {
  const serverIdle = trial.cpuSeconds / trial.seconds < IDLE_SERVER_UTILISATION;
  const spareCpu = loadavg()[0]! < cpus().length;
  return serverIdle && spareCpu ? MORE_CLIENT_PROCESSES : CLIENT_PROCESSES;
}

/** Two consecutive runs as one. */
function combined(a: LoadResult, b: LoadResult): LoadResult {
  return {
    seconds: a.seconds + b.seconds,
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
    clientCpuSeconds: a.clientCpuSeconds + b.clientCpuSeconds,
    processes: b.processes,
    ok: a.ok + b.ok,
    instances: a.instances + b.instances,
    pages: a.pages + b.pages,
    errors: a.errors + b.errors,
    latencies: [...a.latencies, ...b.latencies],
    pageLatencies: [...a.pageLatencies, ...b.pageLatencies],
  };
}

async function measure(server: Ec2Server): Promise<Ec2Figures> {
  const ec2 = sdkClient(server);
  await waitReady(ec2);
  const imageId = await amazonLinux2(ec2);
  ec2.destroy();

  // The first tenth of the launches is a probe: if the server idles through it while the machine
  // has CPU to spare, the rest are sent by twice as many client processes (as for DescribeInstances).
  const probeCount = Math.ceil(INSTANCES / 10);
  const probe = await load(server, { op: 'launch', imageId, concurrency: LAUNCH_CONCURRENCY, ms: LAUNCH_MS, count: probeCount });
  const launchProcesses = clientProcessesFor(probe);
  const rest = await load(
    server,
    { op: 'launch', imageId, concurrency: (LAUNCH_CONCURRENCY * launchProcesses) / CLIENT_PROCESSES, ms: LAUNCH_MS, count: INSTANCES - probe.instances },
    launchProcesses,
    CLIENT_PROCESSES, // other client ids than the probe's, so that instance names stay unique
  );
  const launch = combined(probe, rest);
  if (launch.instances < INSTANCES) console.error(`${server.name}: launched ${launch.instances} of ${INSTANCES} instances in ${LAUNCH_MS / 1000} s`);

  // The same for DescribeInstances, from its warm-up.
  const warm = await load(server, { op: 'describe', imageId, concurrency: DESCRIBE_CONCURRENCY, ms: WARM_MS });
  const processes = clientProcessesFor(warm);
  const concurrency = (DESCRIBE_CONCURRENCY * processes) / CLIENT_PROCESSES;
  if (processes !== CLIENT_PROCESSES) await load(server, { op: 'describe', imageId, concurrency, ms: WARM_MS }, processes);
  const describe = await load(server, { op: 'describe', imageId, concurrency, ms: LOAD_MS }, processes);
  const filtered = await load(server, { op: 'describe-filtered', imageId, concurrency, ms: LOAD_MS }, processes);
  const describeCpuMsPer1000 = (describe.cpuSeconds * 1e6) / Math.max(1, describe.instances);

  return {
    launched: launch.instances,
    launchPerSecond: launch.instances / launch.seconds,
    launchCpuMicros: (launch.cpuSeconds * 1e6) / Math.max(1, launch.ok),
    launchSustainablePerSecond: launch.ok / Math.max(1e-9, launch.cpuSeconds),
    launchClientCpuMicros: (launch.clientCpuSeconds * 1e6) / Math.max(1, launch.ok),
    launchServerUtilisation: launch.cpuSeconds / launch.seconds,
    launchClientProcesses: launch.processes,
    describeInstancesPerSecond: describe.instances / describe.seconds,
    describeCpuMsPer1000,
    describeSustainableListingsPerSecond: 1000 / ((describeCpuMsPer1000 * INSTANCES) / 1000),
    describeListingsPerSecond: describe.instances / INSTANCES / describe.seconds,
    describeClientCpuMsPer1000: (describe.clientCpuSeconds * 1e6) / Math.max(1, describe.instances),
    describeServerUtilisation: describe.cpuSeconds / describe.seconds,
    describeClientProcesses: processes,
    describePageP50Ms: percentile(describe.pageLatencies, 50),
    describeListings: describe.ok,
    describePagesPerListing: describe.pages / Math.max(1, describe.instances / INSTANCES),
    filteredPagesPerSecond: filtered.pages / filtered.seconds,
    filteredCpuMsPerPage: (filtered.cpuSeconds * 1e3) / Math.max(1, filtered.pages),
    filteredInstancesPerPage: filtered.instances / Math.max(1, filtered.pages),
    errors: launch.errors + describe.errors + filtered.errors,
  };
}

/** Starts each server in turn (never both at once, so they do not compete), measures it and stops it. */
export async function benchEc2(servers: ServerName[] = ['Bonsai', 'moto']): Promise<Ec2BenchResult> {
  const figures = {} as Ec2BenchResult['figures'];
  const loadAverage = loadavg()[0]!;
  for (const name of servers) {
    const server = name === 'Bonsai' ? await startBonsai() : await startMoto();
    try {
      figures[server.name] = await measure(server);
    } finally {
      await stop(server);
    }
  }
  return { figures, loadAverage };
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const one = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));

/** The EC2 section of `npm run bench`'s output: one column per server, then the targets. */
export function ec2Markdown(result: Ec2BenchResult): string {
  const servers = (['Bonsai', 'moto'] as const).filter((s) => result.figures[s]);
  const f = result.figures;
  const row = (label: string, cell: (x: Ec2Figures) => string) => `| ${label} | ${servers.map((s) => cell(f[s])).join(' | ')} |`;
  const lines = [
    `\n## EC2 (${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model.trim()}, node ${process.version}, load average ${result.loadAverage.toFixed(1)} at the start)\n`,
    `| measure | ${servers.join(' | ')} |`,
    `|---|${servers.map(() => '---|').join('')}`,
    row(`RunInstances, ${int(INSTANCES)} instances one per call, ${LAUNCH_CONCURRENCY / CLIENT_PROCESSES} calls at once per client process`, (x) => `${one(x.launchPerSecond)} instances/s, ${int(x.launchCpuMicros)} µs CPU/launch (${int(x.launched)} launched, ${x.launchClientProcesses} client processes after the first tenth)`),
    row('… launches/s the server could sustain on one core (1 ÷ CPU per launch); server CPU in use; client processes\' CPU per launch', (x) => `${int(x.launchSustainablePerSecond)}/s; ${x.launchServerUtilisation.toFixed(2)} cores; ${int(x.launchClientCpuMicros)} µs`),
    row(`DescribeInstances listing all ${int(INSTANCES)} instances page by page, ${DESCRIBE_CONCURRENCY / CLIENT_PROCESSES} listings at once per client process`, (x) => `${int(x.describeInstancesPerSecond)} instances/s, ${x.describeCpuMsPer1000.toFixed(0)} ms CPU per 1,000 instances, ${one(x.describePagesPerListing)} pages a listing, page p50 ${x.describePageP50Ms.toFixed(0)} ms (${int(x.describeListings)} full listings, ${x.describeClientProcesses} client processes)`),
    row('… full listings/s observed; listings/s the server could sustain on one core (1 ÷ CPU per listing)', (x) => `${x.describeListingsPerSecond.toFixed(2)} observed; ${x.describeSustainableListingsPerSecond.toFixed(2)} sustainable`),
    row('… server CPU in use during the run; client processes\' CPU per 1,000 instances listed', (x) => `${x.describeServerUtilisation.toFixed(2)} cores; ${int(x.describeClientCpuMsPer1000)} ms`),
    row('DescribeInstances with instance-type, instance-state-name and tag:Name filters (one in ten matches)', (x) => `${one(x.filteredPagesPerSecond)} pages/s, ${x.filteredCpuMsPerPage.toFixed(1)} ms CPU/page (${one(x.filteredInstancesPerPage)} instances a page)`),
  ];
  if (f.Bonsai && f.moto) {
    const b = f.Bonsai;
    const m = f.moto;
    const verdict = (met: boolean) => (met ? 'met' : '**not met**');
    // Filtered pages hold 100 instances in both servers, so pages/s compare like for like.
    const targets: [string, number][] = [
      ['RunInstances instances/s, Bonsai ÷ moto', b.launchPerSecond / m.launchPerSecond],
      ['server CPU per RunInstances, moto ÷ Bonsai', m.launchCpuMicros / b.launchCpuMicros],
      ['RunInstances launches/s the server can sustain (1 ÷ CPU per launch), Bonsai ÷ moto', b.launchSustainablePerSecond / m.launchSustainablePerSecond],
      ['DescribeInstances instances listed/s, Bonsai ÷ moto', b.describeInstancesPerSecond / m.describeInstancesPerSecond],
      ['server CPU per 1,000 instances listed, moto ÷ Bonsai', m.describeCpuMsPer1000 / b.describeCpuMsPer1000],
      ['DescribeInstances listings/s the server can sustain (1 ÷ CPU per listing), Bonsai ÷ moto', b.describeSustainableListingsPerSecond / m.describeSustainableListingsPerSecond],
      ['filtered DescribeInstances pages/s, Bonsai ÷ moto', b.filteredPagesPerSecond / m.filteredPagesPerSecond],
    ];
    lines.push('', '| target (from the issue) | result | target | |', '|---|---|---|---|');
    for (const [label, ratio] of targets) lines.push(`| ${label} | ${ratio.toFixed(2)}× | ≥ 3× | ${verdict(ratio >= 3)} |`);
  }
  const errors = servers.reduce((n, s) => n + f[s].errors, 0);
  if (errors) lines.push('', `${errors} EC2 requests failed during load (see stderr).`);
  return lines.join('\n');
}

if (process.argv[2] === 'client') {
  const result = await runClient(JSON.parse(process.argv[3]!) as Job);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = process.env.BENCH_EC2_SERVERS?.split(',') as ServerName[] | undefined;
  console.log(ec2Markdown(await benchEc2(only)));
}
