/**
 * The `bonsai` command line: start, credentials, status, reset, clock.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, rmSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../core/data-dir.ts';
import { isKnownRegion } from '../core/regions.ts';
import { BONSAI_VERSION } from '../core/version.ts';
import { ADMIN_TOKEN_HEADER } from '../server/admin.ts';
import { writeProfile } from './aws-config-files.ts';

const DEFAULT_DATA_DIR = process.env.BONSAI_DATA_DIR ?? './.bonsai';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

function parseStore(value: string): string {
  if (value === 'sqlite' || value.startsWith('postgres://') || value.startsWith('postgresql://')) return value;
  throw new InvalidArgumentError('use "sqlite" or a postgres://user:password@host:port/database URL');
}

function parseRegion(value: string): string {
  if (!isKnownRegion(value)) throw new InvalidArgumentError(`${value} is not an AWS region`);
  return value;
}

const program = new Command()
  .name('bonsai')
  .description('A faithful miniature of the AWS cloud: real AWS clients talk to it unchanged.')
  .version(BONSAI_VERSION);

program
  .command('start')
  .description('start Bonsai in the foreground')
  .option('--host <host>', 'address to bind (loopback by default)', '127.0.0.1')
  .option('--port <port>', 'port to listen on', parsePort, 4566)
  .option('--data-dir <dir>', 'where state is kept', DEFAULT_DATA_DIR)
  .option('--store <store>', 'sqlite (embedded, default) or a postgres:// URL', parseStore, 'sqlite')
  .addOption(new Option('--auth <mode>', 'enforce SigV4 and IAM, or accept any signature as the root user').choices(['enforce', 'off']).default('enforce'))
  .action(async (opts: { host: string; port: number; dataDir: string; store: string; auth: 'enforce' | 'off' }) => {
    const startedAt = performance.now();
    const { startBonsai } = await import('../server/bonsai.ts');
    const running = await startBonsai({ host: opts.host, port: opts.port, dataDir: opts.dataDir, store: opts.store, auth: opts.auth });
    const ms = Math.round(performance.now() - startedAt);
    const region = process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    process.stdout.write(
      [
        `Bonsai ${BONSAI_VERSION} is running at ${running.endpoint} (started in ${ms} ms)`,
        `  account:   ${running.account.accountId}`,
        `  data dir:  ${running.dataDir.root}`,
        `  store:     ${opts.store === 'sqlite' ? 'sqlite (embedded)' : 'postgresql'}`,
        `  auth:      ${opts.auth === 'enforce' ? 'SigV4 + IAM enforced' : 'OFF: any signature is taken as the root user'}`,
        '',
        'Point clients at it:',
        `  eval "$(bonsai credentials)"            # root key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`,
        `  export AWS_ENDPOINT_URL=${running.endpoint}`,
        `  aws sts get-caller-identity            # AWS CLI v1/v2 (or --endpoint-url ${running.endpoint})`,
        `  boto3.client("sts", endpoint_url="${running.endpoint}", region_name="${region}")`,
        `  new STSClient({ endpoint: "${running.endpoint}", region: "${region}" })  # SDK v3`,
        '',
      ].join('\n'),
    );
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${signal}: finishing in-flight requests and closing the store…\n`);
      running.close().then(
        () => process.exit(0),
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

program
  .command('credentials')
  .description("print the account root's credentials as shell exports, or write them as a named profile")
  .option('--profile <name>', 'write a profile into ~/.aws/credentials and ~/.aws/config instead of printing')
  .option('--data-dir <dir>', 'where state is kept', DEFAULT_DATA_DIR)
  .option('--region <region>', 'the default region to configure', parseRegion, process.env.AWS_DEFAULT_REGION ?? 'us-east-1')
  .option('--endpoint <url>', 'the endpoint clients should use (defaults to the running server, else http://127.0.0.1:4566)')
  .action((opts: { profile?: string; dataDir: string; region: string; endpoint?: string }) => {
    const dir = new DataDir(opts.dataDir);
    const account = dir.readAccount() ?? (dir.ensure(), dir.loadOrCreateAccount());
    const endpoint = opts.endpoint ?? dir.readServerFile()?.endpoint ?? 'http://127.0.0.1:4566';
    if (!opts.profile) {
      process.stdout.write(
        `export AWS_ACCESS_KEY_ID=${account.rootAccessKeyId} AWS_SECRET_ACCESS_KEY=${account.rootSecretAccessKey} AWS_DEFAULT_REGION=${opts.region} AWS_ENDPOINT_URL=${endpoint}\n`,
      );
      return;
    }
    const aws = join(homedir(), '.aws');
    writeProfile(
      { credentials: process.env.AWS_SHARED_CREDENTIALS_FILE || join(aws, 'credentials'), config: process.env.AWS_CONFIG_FILE || join(aws, 'config') },
      opts.profile,
      { accessKeyId: account.rootAccessKeyId, secretAccessKey: account.rootSecretAccessKey },
      { region: opts.region, endpointUrl: endpoint },
    );
    process.stdout.write(`wrote profile "${opts.profile}" (account ${account.accountId}, ${endpoint}); use it with --profile ${opts.profile} or AWS_PROFILE=${opts.profile}\n`);
  });

program
  .command('status')
  .description('tell whether Bonsai is running, where, and with what state')
  .option('--data-dir <dir>', 'where state is kept', DEFAULT_DATA_DIR)
  .action(async (opts: { dataDir: string }) => {
    const dir = new DataDir(opts.dataDir);
    const account = dir.readAccount();
    const server = dir.readServerFile();
    const health = server ? await fetchHealth(server.endpoint) : undefined;
    if (!account) {
      process.stdout.write(`Bonsai has no state in ${dir.root} yet (run: bonsai start)\n`);
      process.exitCode = 3;
      return;
    }
    if (!health || !server) {
      process.stdout.write(`Bonsai is not running. Account ${account.accountId}, data in ${dir.root}.\n`);
      process.exitCode = 3;
      return;
    }
    const services = Object.entries(health.services as Record<string, string>)
      .map(([name, state]) => `    ${name.padEnd(16)} ${state}`)
      .join('\n');
    process.stdout.write(
      `Bonsai ${health.version} is running at ${server.endpoint} (pid ${server.pid}, since ${server.startedAt})\n` +
        `  account: ${account.accountId}\n  data dir: ${dir.root}\n  store: ${server.store}\n  auth: ${server.auth}\n  services:\n${services}\n`,
    );
  });

program
  .command('reset')
  .description('wipe all state (the account, its keys and every resource)')
  .option('--data-dir <dir>', 'where state is kept', DEFAULT_DATA_DIR)
  .option('--yes', 'do not ask for confirmation')
  .action(async (opts: { dataDir: string; yes?: boolean }) => {
    const dir = new DataDir(opts.dataDir);
    const server = dir.readServerFile();
    if (server && (await fetchHealth(server.endpoint))) {
      console.error(`Bonsai is running at ${server.endpoint} (pid ${server.pid}); stop it before resetting.`);
      process.exitCode = 1;
      return;
    }
    if (!existsSync(dir.root) || readdirSync(dir.root).length === 0) {
      process.stdout.write(`nothing to reset in ${dir.root}\n`);
      return;
    }
    if (!opts.yes && !(await confirm(`Delete all Bonsai state in ${dir.root}? Type "yes": `))) {
      console.error('not reset (pass --yes to skip this question)');
      process.exitCode = 1;
      return;
    }
    rmSync(dir.root, { recursive: true, force: true });
    process.stdout.write(`reset: removed ${dir.root}\n`);
  });

const clock = program.command('clock').description("show or move Bonsai's clock (drives expiries, lifecycle rules, TTL, billing)");
clock
  .command('show')
  .option('--data-dir <dir>', 'where state is kept', DEFAULT_DATA_DIR)
  .action(async (opts: { dataDir: string }) => {
    process.stdout.write(JSON.stringify(await clockRequest(opts.dataDir, 'GET')) + '\n');
  });
clock
  .command('advance <duration>')
  .description('move the clock forward, e.g. 30d, 12h, 15m, 90s')
  .option('--data-dir <dir>', 'where state is kept', DEFAULT_DATA_DIR)
  .action(async (duration: string, opts: { dataDir: string }) => {
    process.stdout.write(JSON.stringify(await clockRequest(opts.dataDir, 'POST', { advance: duration })) + '\n');
  });

async function fetchHealth(endpoint: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(`${endpoint}/_bonsai/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function clockRequest(dataDir: string, method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
  const dir = new DataDir(dataDir);
  const server = dir.readServerFile();
  const token = dir.readAdminToken();
  if (!server || !token) throw new Error(`Bonsai is not running with data dir ${dir.root}`);
  const res = await fetch(`${server.endpoint}/_bonsai/clock`, {
    method,
    headers: { [ADMIN_TOKEN_HEADER]: token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = await res.json();
  if (!res.ok) throw new Error((value as { error: string }).error);
  return value;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`bonsai: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
