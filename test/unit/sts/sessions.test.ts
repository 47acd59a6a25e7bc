// The STS session store and its credential resolver: ASIA keys, token matching, expiry on
// Bonsai's clock, IAM's refusal of some session kinds, and the principal each session acts as.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AuthFailure } from '../../../src/auth/sigv4/types.ts';
import { authError } from '../../../src/auth/errors.ts';
import { createSession, getSession, openSession, sessionPrincipal, stsCredentialResolver, type NewSession } from '../../../src/services/sts/sessions.ts';
import { ACCOUNT, openTestEnv, type TestEnv } from '../iam-service/helpers.ts';

let env: TestEnv;
before(async () => {
  env = await openTestEnv();
});
after(() => env.close());

const ROLE_SESSION: NewSession = {
  principal: { type: 'assumed-role', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`, userId: 'AROAEXAMPLEEXAMPLE123:ci', name: 'deployer' },
  kind: 'assumed-role',
  durationSeconds: 900,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
  policies: ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'],
  tags: { team: 'blue' },
  transitiveTagKeys: ['team'],
  sourceIdentity: 'alice',
  mfaAuthenticated: true,
};

async function failureOf(promise: Promise<unknown>): Promise<AuthFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AuthFailure, `expected an AuthFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the resolver to throw');
}

test('a new session has an ASIA key, a 40-character secret, a long token and whole-second times', async () => {
  const record = await createSession(env.store, ACCOUNT, env.clock, env.secrets, ROLE_SESSION);
  assert.match(record.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.match(record.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
  assert.ok(record.sessionToken.length > 300, `token length ${record.sessionToken.length}`);
  assert.match(record.sessionToken, /^[A-Za-z0-9+/=]+$/);
  assert.equal(Date.parse(record.issuedAt) % 1000, 0);
  assert.equal(Date.parse(record.expiresAt) - Date.parse(record.issuedAt), 900_000);
  assert.equal(record.mfaAuthenticatedAt, record.issuedAt);
  // The store keeps the secret and the token sealed with the master key, never in clear.
  const stored = await getSession(env.store, ACCOUNT, record.accessKeyId);
  assert.match(stored!.secretAccessKey, /^sealed:v1:/);
  assert.match(stored!.sessionToken, /^sealed:v1:/);
  assert.ok(!JSON.stringify(stored).includes(record.secretAccessKey));
  assert.deepEqual(openSession(stored!, env.secrets), record);
  const doc = await env.store.get({ kind: 'sts-session', account: ACCOUNT, region: '', id: record.accessKeyId });
  assert.equal(doc?.version, 1);
});

test('the resolver answers only ASIA keys it knows, with the session principal and token', async () => {
  const record = await createSession(env.store, ACCOUNT, env.clock, env.secrets, ROLE_SESSION);
  const resolver = stsCredentialResolver(env.store, ACCOUNT, env.clock, env.secrets);
  assert.equal(await resolver.resolve('AKIAIOSFODNN7EXAMPLE', undefined), undefined);
  assert.equal(await resolver.resolve('ASIAAAAAAAAAAAAAAAAA', record.sessionToken), undefined);

  const resolved = await resolver.resolve(record.accessKeyId, record.sessionToken, { service: 'sts', region: 'us-east-1' });
  assert.ok(resolved);
  assert.equal(resolved.secretAccessKey, record.secretAccessKey);
  assert.equal(resolved.sessionToken, record.sessionToken);
  assert.deepEqual(resolved.principal, sessionPrincipal(record, ACCOUNT));
  assert.equal(resolved.principal.type, 'assumed-role');
  assert.equal(resolved.principal.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`);
  assert.equal(resolved.principal.userId, 'AROAEXAMPLEEXAMPLE123:ci');
  assert.equal(resolved.principal.accessKeyId, record.accessKeyId);
  assert.deepEqual(resolved.principal.session, {
    token: record.sessionToken,
    issuedAt: new Date(record.issuedAt),
    expiresAt: new Date(record.expiresAt),
    kind: 'assumed-role',
    mfaAuthenticatedAt: new Date(record.issuedAt),
    roleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
    policies: ROLE_SESSION.policies,
    tags: { team: 'blue' },
    transitiveTagKeys: ['team'],
    sourceIdentity: 'alice',
  });

  // A wrong token still resolves: SigV4 compares it with sessionToken and answers invalid-token.
  const wrongToken = await resolver.resolve(record.accessKeyId, 'not-the-token');
  assert.equal(wrongToken?.sessionToken, record.sessionToken);
});

test('an expired session fails with expired-token, rendered per family', async () => {
  const record = await createSession(env.store, ACCOUNT, env.clock, env.secrets, { ...ROLE_SESSION, durationSeconds: 900 });
  const resolver = stsCredentialResolver(env.store, ACCOUNT, env.clock, env.secrets);
  env.clock.advance(899_000);
  assert.ok(await resolver.resolve(record.accessKeyId, record.sessionToken));
  env.clock.advance(1_000);
  const failure = await failureOf(resolver.resolve(record.accessKeyId, record.sessionToken));
  assert.equal(failure.reason, 'expired-token');

  const rendered = (family: Parameters<typeof authError>[0]) => {
    const e = authError(family, failure);
    return { code: e.code, status: e.status, message: e.message };
  };
  assert.deepEqual(rendered('query'), { code: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' });
  assert.deepEqual(rendered('json'), { code: 'ExpiredTokenException', status: 400, message: 'The security token included in the request is expired' });
  assert.deepEqual(rendered('rest-json'), { code: 'ExpiredTokenException', status: 403, message: 'The security token included in the request is expired' });
  assert.deepEqual(rendered('ec2'), { code: 'RequestExpired', status: 400, message: 'Request has expired.' });
  assert.deepEqual(rendered('s3'), { code: 'ExpiredToken', status: 400, message: 'The provided token has expired.' });
  assert.deepEqual(authError('s3', failure).fields, { 'Token-0': record.sessionToken });
});

test('IAM refuses GetSessionToken sessions without MFA and federated sessions; other services accept them', async () => {
  const resolver = stsCredentialResolver(env.store, ACCOUNT, env.clock, env.secrets);
  const user = { type: 'user' as const, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, userId: 'AIDAEXAMPLEEXAMPLE12', name: 'alice' };
  const plain = await createSession(env.store, ACCOUNT, env.clock, env.secrets, { principal: user, kind: 'session-token', durationSeconds: 3600 });
  const withMfa = await createSession(env.store, ACCOUNT, env.clock, env.secrets, { principal: user, kind: 'session-token', durationSeconds: 3600, mfaAuthenticated: true });
  const federated = await createSession(env.store, ACCOUNT, env.clock, env.secrets, {
    principal: { type: 'federated-user', arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`, userId: `${ACCOUNT}:bob`, name: 'bob' },
    kind: 'federation',
    durationSeconds: 3600,
    sourceUserArn: user.arn,
    policies: [],
  });
  const iam = { service: 'iam', region: 'us-east-1' };
  const s3 = { service: 's3', region: 'us-east-1' };

  assert.equal((await failureOf(resolver.resolve(plain.accessKeyId, plain.sessionToken, iam))).reason, 'invalid-token');
  assert.equal((await failureOf(resolver.resolve(federated.accessKeyId, federated.sessionToken, iam))).reason, 'invalid-token');
  assert.equal((await resolver.resolve(withMfa.accessKeyId, withMfa.sessionToken, iam))?.principal.arn, user.arn);
  assert.equal((await resolver.resolve(plain.accessKeyId, plain.sessionToken, s3))?.principal.type, 'user');
  const fed = await resolver.resolve(federated.accessKeyId, federated.sessionToken, s3);
  assert.equal(fed?.principal.userId, `${ACCOUNT}:bob`);
  assert.deepEqual(fed?.principal.session?.policies, []);
  assert.equal(fed?.principal.session?.sourceUserArn, user.arn);
});
