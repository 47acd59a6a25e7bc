// GetFederationToken sessions act with the calling user's policies, intersected by the authorizer
// with the session policies: loadPrincipalPolicies finds the user behind a federated principal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { iamHandlers as h, loadPrincipalPolicies } from '../../../src/services/iam/index.ts';
import type { Principal } from '../../../src/core/principal.ts';
import { ACCOUNT, ALLOW_S3, openTestEnv, type TestEnv } from '../iam-service/helpers.ts';

let env: TestEnv;
before(async () => {
  env = await openTestEnv();
});
after(() => env.close());

function federated(sourceUserArn: string): Principal {
  const now = new Date();
  return {
    type: 'federated-user',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:federated-user/partner`,
    userId: `${ACCOUNT}:partner`,
    name: 'partner',
    session: { token: 't', issuedAt: now, expiresAt: now, kind: 'federation', sourceUserArn, policies: [] },
  };
}

test('a federated user has the policies and tags of the IAM user who created it', async () => {
  await h.CreateUser({ UserName: 'broker', Path: '/apps/', Tags: [{ Key: 'team', Value: 'blue' }] }, env.ctx());
  await h.PutUserPolicy({ UserName: 'broker', PolicyName: 's3', PolicyDocument: ALLOW_S3 }, env.ctx());
  const loaded = await loadPrincipalPolicies(env.store, ACCOUNT, federated(`arn:aws:iam::${ACCOUNT}:user/apps/broker`));
  assert.deepEqual(loaded, { identity: [{ source: 'user/broker/inline/s3', document: ALLOW_S3 }], tags: { team: 'blue' } });
});

test('a federated user of a deleted or mismatched user has no policies; the root user\'s starts from allow-all', async () => {
  assert.deepEqual(await loadPrincipalPolicies(env.store, ACCOUNT, federated(`arn:aws:iam::${ACCOUNT}:user/ghost`)), { identity: [], tags: {} });
  // Same name, wrong path: not the same user.
  assert.deepEqual(await loadPrincipalPolicies(env.store, ACCOUNT, federated(`arn:aws:iam::${ACCOUNT}:user/broker`)), { identity: [], tags: {} });
  const root = await loadPrincipalPolicies(env.store, ACCOUNT, federated(`arn:aws:iam::${ACCOUNT}:root`));
  assert.deepEqual(root, {
    identity: [{ source: 'federation/root', document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' }],
    tags: {},
  });
});
