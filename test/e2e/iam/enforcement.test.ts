// Every request is authorized with AWS's policy evaluation: a new user can do nothing but
// GetCallerIdentity; a policy attach allows; an explicit deny in a group policy wins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IAMClient,
  CreateUserCommand,
  CreateAccessKeyCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  CreateGroupCommand,
  AddUserToGroupCommand,
  PutGroupPolicyCommand,
  AttachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
} from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';

let bonsai: TestBonsai;
let root: IAMClient;
before(async () => {
  bonsai = await startTestBonsai();
  root = iamAs(TEST_ACCOUNT.accessKeyId, TEST_ACCOUNT.secretAccessKey);
});
after(() => bonsai.stop());

function iamAs(accessKeyId: string, secretAccessKey: string): IAMClient {
  return new IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } });
}

async function newUserWithKey(name: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  await root.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

const ACCOUNT = TEST_ACCOUNT.accountId;

test('a new user can call GetCallerIdentity and nothing else; a policy allows; a group deny wins', async () => {
  const keys = await newUserWithKey('alice');
  const sts = new STSClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: keys });
  const me = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
  assert.match(me.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);

  const alice = iamAs(keys.accessKeyId, keys.secretAccessKey);
  assert.deepEqual(await failure(alice.send(new ListUsersCommand({}))), {
    name: 'AccessDenied',
    message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
    status: 403,
  });

  await root.send(
    new PutUserPolicyCommand({
      UserName: 'alice',
      PolicyName: 'read-users',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] }),
    }),
  );
  const listed = await alice.send(new ListUsersCommand({}));
  assert.deepEqual(listed.Users?.map((u) => u.UserName), ['alice']);

  await root.send(new CreateGroupCommand({ GroupName: 'no-listing' }));
  await root.send(new AddUserToGroupCommand({ GroupName: 'no-listing', UserName: 'alice' }));
  await root.send(
    new PutGroupPolicyCommand({
      GroupName: 'no-listing',
      PolicyName: 'deny-list',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:List*', Resource: '*' }] }),
    }),
  );
  assert.deepEqual(await failure(alice.send(new ListUsersCommand({}))), {
    name: 'AccessDenied',
    message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ with an explicit deny in an identity-based policy`,
    status: 403,
  });
});

test('an AWS managed policy attached to a user takes effect at once', async () => {
  const keys = await newUserWithKey('bob');
  const bob = iamAs(keys.accessKeyId, keys.secretAccessKey);
  assert.equal((await failure(bob.send(new ListUsersCommand({})))).name, 'AccessDenied');
  await root.send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }));
  const listed = await bob.send(new ListUsersCommand({}));
  assert.ok(listed.Users?.some((u) => u.UserName === 'bob'));
});

test("an access key's last use is recorded with the service and region", async () => {
  const keys = await newUserWithKey('carol');
  const before = await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keys.accessKeyId }));
  assert.deepEqual(before.AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });
  const sts = new STSClient({ endpoint: bonsai.endpoint, region: 'eu-west-2', maxAttempts: 1, credentials: keys });
  await sts.send(new GetCallerIdentityCommand({}));
  // Recording happens after the response; poll briefly (bounded) for it.
  let after;
  for (let i = 0; i < 50; i++) {
    after = await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keys.accessKeyId }));
    if (after.AccessKeyLastUsed?.LastUsedDate) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(after!.UserName, 'carol');
  assert.equal(after!.AccessKeyLastUsed?.ServiceName, 'sts');
  assert.equal(after!.AccessKeyLastUsed?.Region, 'eu-west-2');
  assert.ok(Math.abs(after!.AccessKeyLastUsed!.LastUsedDate!.getTime() - bonsai.clock.nowMs()) < 60_000);
});

test('access key secrets and session credentials are not stored in clear', async () => {
  const keys = await newUserWithKey('dave');
  const sts = new STSClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: keys });
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/dave`);
  // Every file of the data directory (database, WAL, account files) is searched for the secret.
  const dir = bonsai.dataDir.root;
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, name));
    assert.equal(bytes.includes(keys.secretAccessKey), false, `${name} holds the secret in clear`);
  }
});
