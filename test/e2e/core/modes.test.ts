// --auth off, body size limits, and Bonsai on the PostgreSQL store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient, CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { SecretsManagerClient, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { startTestBonsai, tempDir, TEST_ACCOUNT } from '../../helpers/bonsai.ts';
import { startThrowawayPostgres } from '../../helpers/postgres.ts';

const ROOT_CREDENTIALS = { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey };

test('--auth off takes any signature, even test/test, as the account root', async () => {
  const bonsai = await startTestBonsai({ auth: 'off' });
  try {
    const sts = new STSClient({ endpoint: bonsai.endpoint, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const out = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(out.Arn, `arn:aws:iam::${TEST_ACCOUNT.accountId}:root`);
    const unsigned = await fetch(bonsai.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    assert.equal(unsigned.status, 200);
    assert.match(await unsigned.text(), /<Account>123456789012<\/Account>/);
  } finally {
    await bonsai.stop();
  }
});

test('a body over the limit is refused with 413 in the service envelope', async () => {
  const bonsai = await startTestBonsai({ maxBodyBytes: 1024 });
  try {
    const res = await fetch(bonsai.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' },
      body: 'x'.repeat(4096),
    });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('x-amzn-errortype'), 'RequestEntityTooLarge');
    assert.deepEqual(await res.json(), { __type: 'RequestEntityTooLarge', message: 'Request body of 4096 bytes exceeds the maximum of 1024 bytes.' });
    // A small request on a fresh connection still works.
    const secrets = new SecretsManagerClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: ROOT_CREDENTIALS });
    await assert.rejects(secrets.send(new ListSecretsCommand({})), { name: 'NotImplemented', message: 'Bonsai does not implement secretsmanager:ListSecrets yet.' });
  } finally {
    await bonsai.stop();
  }
});

test('on the PostgreSQL store, state written through the API survives a restart', async () => {
  const pg = await startThrowawayPostgres();
  const dataDir = tempDir();
  try {
    const first = await startTestBonsai({ store: pg.url, dataDir });
    const iam = (endpoint: string) => new IAMClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: ROOT_CREDENTIALS });
    const created = await iam(first.endpoint).send(new CreateUserCommand({ UserName: 'pg-user', Path: '/team/' }));
    await first.close();

    const second = await startTestBonsai({ store: pg.url, dataDir });
    try {
      const got = await iam(second.endpoint).send(new GetUserCommand({ UserName: 'pg-user' }));
      assert.equal(got.User?.Arn, `arn:aws:iam::${TEST_ACCOUNT.accountId}:user/team/pg-user`);
      assert.equal(got.User?.UserId, created.User?.UserId);
    } finally {
      await second.close();
    }
  } finally {
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
