// Bonsai as a process: first start creates the account, state survives kill -9 and restarts,
// SIGTERM shuts down cleanly, and the CLI's credentials/status/reset/clock commands work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient, CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { BONSAI_BIN, killAndWait, spawnBonsai, tempDir } from '../../helpers/bonsai.ts';

const run = promisify(execFile);

function bonsaiCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [BONSAI_BIN, ...args], { env: { ...process.env, ...env } });
}

function readAccount(dataDir: string) {
  return JSON.parse(readFileSync(join(dataDir, 'account.json'), 'utf8')) as { accountId: string; rootAccessKeyId: string; rootSecretAccessKey: string };
}

async function callerIdentity(endpoint: string, key: string, secret: string) {
  const client = new STSClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: key, secretAccessKey: secret } });
  return client.send(new GetCallerIdentityCommand({}));
}

test('first start creates an account in AWS formats, kept 0600, that survives kill -9 and a restart', async () => {
  const dataDir = tempDir();
  try {
    const first = await spawnBonsai(dataDir);
    const account = readAccount(dataDir);
    assert.match(account.accountId, /^[1-9]\d{11}$/);
    assert.match(account.rootAccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(account.rootSecretAccessKey.length, 40);
    assert.equal(statSync(join(dataDir, 'account.json')).mode & 0o777, 0o600);
    assert.match(first.output(), new RegExp(`account:\\s+${account.accountId}`));
    const before = await callerIdentity(first.endpoint, account.rootAccessKeyId, account.rootSecretAccessKey);
    assert.equal(before.Arn, `arn:aws:iam::${account.accountId}:root`);
    const iam = (endpoint: string) =>
      new IAMClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: account.rootAccessKeyId, secretAccessKey: account.rootSecretAccessKey } });
    // An acknowledged write, then kill -9 straight after the response.
    const created = await iam(first.endpoint).send(new CreateUserCommand({ UserName: 'durable' }));

    assert.equal(await killAndWait(first.child, 'SIGKILL'), null);

    const second = await spawnBonsai(dataDir);
    try {
      assert.deepEqual(readAccount(dataDir), account);
      const after = await callerIdentity(second.endpoint, account.rootAccessKeyId, account.rootSecretAccessKey);
      assert.equal(after.Account, account.accountId);
      const got = await iam(second.endpoint).send(new GetUserCommand({ UserName: 'durable' }));
      assert.equal(got.User?.UserId, created.User?.UserId);
    } finally {
      await killAndWait(second.child, 'SIGTERM');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('BONSAI_* variables fix the account id and root keys', async () => {
  const dataDir = tempDir();
  const env = {
    BONSAI_ACCOUNT_ID: '111122223333',
    BONSAI_ROOT_ACCESS_KEY_ID: 'AKIAEXAMPLEBONSAI234',
    BONSAI_ROOT_SECRET_ACCESS_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCD',
  };
  const proc = await spawnBonsai(dataDir, [], env);
  try {
    const out = await callerIdentity(proc.endpoint, env.BONSAI_ROOT_ACCESS_KEY_ID, env.BONSAI_ROOT_SECRET_ACCESS_KEY);
    assert.equal(out.Arn, 'arn:aws:iam::111122223333:root');
  } finally {
    await killAndWait(proc.child, 'SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM finishes and exits 0; the CLI reports status, credentials, clock and resets', async () => {
  const dataDir = tempDir();
  const home = tempDir('bonsai-home-');
  try {
    const proc = await spawnBonsai(dataDir);
    const account = readAccount(dataDir);

    const status = await bonsaiCli(['status', '--data-dir', dataDir]);
    assert.match(status.stdout, new RegExp(`^Bonsai \\d+\\.\\d+\\.\\d+ is running at ${proc.endpoint.replace(/[.]/g, '\\.')} \\(pid ${proc.child.pid},`));
    assert.match(status.stdout, /sts\s+running/);

    const health = (await (await fetch(`${proc.endpoint}/_bonsai/health`)).json()) as Record<string, unknown>;
    assert.equal(health.status, 'running');
    assert.equal(health.accountId, account.accountId);
    assert.equal((health.services as Record<string, string>).sts, 'running');
    assert.equal((health.services as Record<string, string>).rds, 'not implemented');

    const exports = await bonsaiCli(['credentials', '--data-dir', dataDir, '--region', 'eu-west-2']);
    assert.equal(
      exports.stdout,
      `export AWS_ACCESS_KEY_ID=${account.rootAccessKeyId} AWS_SECRET_ACCESS_KEY=${account.rootSecretAccessKey} AWS_DEFAULT_REGION=eu-west-2 AWS_ENDPOINT_URL=${proc.endpoint}\n`,
    );

    await bonsaiCli(['credentials', '--data-dir', dataDir, '--profile', 'bonsai'], { HOME: home, AWS_SHARED_CREDENTIALS_FILE: '', AWS_CONFIG_FILE: '' });
    assert.equal(
      readFileSync(join(home, '.aws', 'credentials'), 'utf8'),
      `[bonsai]\naws_access_key_id = ${account.rootAccessKeyId}\naws_secret_access_key = ${account.rootSecretAccessKey}\n`,
    );
    assert.equal(readFileSync(join(home, '.aws', 'config'), 'utf8'), `[profile bonsai]\nregion = us-east-1\nendpoint_url = ${proc.endpoint}\n`);

    const clock = JSON.parse((await bonsaiCli(['clock', 'advance', '30d', '--data-dir', dataDir])).stdout) as { offsetMs: number };
    assert.equal(clock.offsetMs, 30 * 86_400_000);
    const denied = await fetch(`${proc.endpoint}/_bonsai/clock`, { method: 'POST', body: '{"advance":"1d"}' });
    assert.equal(denied.status, 403);

    const refused = await bonsaiCli(['reset', '--yes', '--data-dir', dataDir]).catch((e: { code: number; stderr: string }) => e);
    assert.equal((refused as { code: number }).code, 1);
    assert.match((refused as { stderr: string }).stderr, /stop it before resetting/);

    const inFlight = callerIdentity(proc.endpoint, account.rootAccessKeyId, account.rootSecretAccessKey);
    await new Promise((r) => setTimeout(r, 5));
    const code = await killAndWait(proc.child, 'SIGTERM');
    assert.equal(code, 0);
    assert.equal((await inFlight).Account, account.accountId);
    assert.match(proc.output(), /SIGTERM: finishing in-flight requests and closing the store/);

    const reset = await bonsaiCli(['reset', '--yes', '--data-dir', dataDir]);
    assert.match(reset.stdout, /^reset: removed /);
    assert.equal(existsSync(join(dataDir, 'account.json')), false);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
