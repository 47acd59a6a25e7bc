/**
 * IAM evaluator throughput: a user with 10 policies of 10 statements each plus 2 groups' (mixed services,
 * wildcards, a policy variable and conditions), evaluated against a rotating set of requests.
 * Prints decisions per second and latency percentiles. Run: npx tsx bench/iam-evaluator.bench.ts
 * (npm run bench runs it too).
 */
import { performance } from 'node:perf_hooks';
import { compilePolicyDocument, evaluate, type AuthzRequest, type CompiledPolicy } from '../src/iam/policy/index.ts';

const ACCOUNT = '123456789012';
const regionOf = (svc: string) => (svc === 'iam' ? '' : 'us-east-1');
const services = ['s3', 'sqs', 'sns', 'dynamodb', 'lambda', 'ec2', 'iam', 'logs', 'kms', 'secretsmanager'];

function makePolicy(p: number): CompiledPolicy {
  const statements = [];
  for (let s = 0; s < 10; s++) {
    const svc = services[(p + s) % services.length]!;
    const statement: Record<string, unknown> = {
      Sid: `P${p}S${s}`,
      Effect: s === 9 ? 'Deny' : 'Allow',
      Action: s % 3 === 0 ? `${svc}:*` : [`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe*`],
      Resource: s % 4 === 0 ? `arn:aws:${svc}:${regionOf(svc)}:${ACCOUNT}:\${aws:username}-*` : `arn:aws:${svc}:${regionOf(svc)}:${ACCOUNT}:thing-${p}-*`,
    };
    if (s % 2 === 0) statement.Condition = { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] }, Bool: { 'aws:SecureTransport': 'true' } };
    if (s === 9) statement.Condition = { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } };
    statements.push(statement);
  }
  return compilePolicyDocument({ Version: '2012-10-17', Statement: statements }, 'identity', { id: `policy-${p}` });
}

const identity: CompiledPolicy[] = Array.from({ length: 10 }, (_, p) => makePolicy(p));
const principal = { type: 'user' as const, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT };
const requests: AuthzRequest[] = [];
for (let i = 0; i < 64; i++) {
  const svc = services[i % services.length]!;
  requests.push({
    principal,
    action: `${svc}:${['GetThing', 'ListThings', 'PutThing', 'DescribeThing'][i % 4]}`,
    resource: i % 3 === 0 ? `arn:aws:${svc}:${regionOf(svc)}:${ACCOUNT}:alice-${i}` : `arn:aws:${svc}:${regionOf(svc)}:${ACCOUNT}:thing-${i % 10}-x`,
    context: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': true, 'aws:SourceIp': '192.0.2.1' },
  });
}

/** Two groups' policies on top of the user's ten managed ones, as the IAM issue's benchmark asks. */
for (let g = 0; g < 2; g++) identity.push(makePolicy(10 + g));

function run(n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (evaluate(requests[i & 63]!, { identity }).effect === 'Allow') allowed++;
  return allowed;
}

export interface EvaluatorBench {
  policies: number;
  decisionsPerSecond: number;
  meanMicros: number;
  p50Micros: number;
  p99Micros: number;
}

/** Runs the benchmark: throughput over 500,000 decisions, then per-decision latency with hrtime. */
export function benchEvaluator(): EvaluatorBench {
  run(50_000); // warm up the JIT and the matcher caches
  const total = 500_000;
  const start = performance.now();
  run(total);
  const elapsed = performance.now() - start;
  const samples = new Float64Array(200_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = process.hrtime.bigint();
    evaluate(requests[i & 63]!, { identity });
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  const pct = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    policies: identity.length,
    decisionsPerSecond: total / (elapsed / 1000),
    meanMicros: (elapsed * 1000) / total,
    p50Micros: pct(0.5),
    p99Micros: pct(0.99),
  };
}

if (process.argv[1] === import.meta.filename) {
  const r = benchEvaluator();
  console.log(`iam evaluator: ${r.policies} policies x 10 statements`);
  console.log(`  ${Math.round(r.decisionsPerSecond).toLocaleString('en-US')} decisions/s, mean ${r.meanMicros.toFixed(2)} µs`);
  console.log(`  per-decision latency (hrtime per call, timer overhead included): p50 ${r.p50Micros.toFixed(2)} µs, p99 ${r.p99Micros.toFixed(2)} µs`);
}
