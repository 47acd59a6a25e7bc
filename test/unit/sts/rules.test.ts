// Pure STS rules: session durations, which session kinds may call which STS operations, role ARN
// parsing, session tags through role chaining, packed policy sizes, and encoded authorization messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../src/core/errors.ts';
import type { Principal } from '../../../src/core/principal.ts';
import { assumeRoleDuration, userSessionDuration } from '../../../src/services/sts/durations.ts';
import { parseRoleArn, refuseRestrictedSession, sessionMayCall } from '../../../src/services/sts/common.ts';
import { chainedTags } from '../../../src/services/sts/assume-role.ts';
import { packedPercent, packSessionPolicies } from '../../../src/services/sts/session-policies.ts';
import { decodeAuthorizationMessage, encodeAuthorizationMessage } from '../../../src/iam/authz/encoded-message.ts';
import { ACCOUNT, openTestEnv } from '../iam-service/helpers.ts';

function validation(message: string) {
  return (err: unknown) => {
    assert.ok(err instanceof AwsError);
    assert.equal(err.code, 'ValidationError');
    assert.equal(err.status, 400);
    assert.equal(err.message, message);
    return true;
  };
}

test('AssumeRole durations: default one hour, up to the role maximum, one hour when chained', () => {
  assert.equal(assumeRoleDuration(undefined, 3600, false), 3600);
  assert.equal(assumeRoleDuration(900, 3600, false), 900);
  assert.equal(assumeRoleDuration(43200, 43200, false), 43200);
  assert.throws(() => assumeRoleDuration(3601, 3600, false), validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'));
  assert.equal(assumeRoleDuration(3600, 43200, true), 3600);
  assert.equal(assumeRoleDuration(undefined, 43200, true), 3600);
  assert.throws(
    () => assumeRoleDuration(7200, 43200, true),
    validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'),
  );
});

test('GetSessionToken/GetFederationToken durations: 12 hours by default, root cut to one hour', () => {
  assert.equal(userSessionDuration(undefined, false), 43200);
  assert.equal(userSessionDuration(129600, false), 129600);
  assert.equal(userSessionDuration(undefined, true), 3600);
  assert.equal(userSessionDuration(7200, true), 3600);
  assert.equal(userSessionDuration(900, true), 900);
});

function withSession(kind: NonNullable<Principal['session']>['kind']): Principal {
  const now = new Date();
  return { type: 'user', accountId: ACCOUNT, arn: 'arn', userId: 'id', name: 'n', session: { token: 't', issuedAt: now, expiresAt: now, kind } };
}

test('which STS operations each kind of session may call', () => {
  const ops = ['AssumeRole', 'GetCallerIdentity', 'GetSessionToken', 'GetFederationToken', 'DecodeAuthorizationMessage', 'GetAccessKeyInfo'];
  const allowed = (p: Principal) => ops.filter((op) => sessionMayCall(p, op));
  assert.deepEqual(allowed({ type: 'user', accountId: ACCOUNT, arn: 'arn', userId: 'id', name: 'n' }), ops);
  assert.deepEqual(allowed(withSession('assumed-role')), ['AssumeRole', 'GetCallerIdentity', 'DecodeAuthorizationMessage', 'GetAccessKeyInfo']);
  assert.deepEqual(allowed(withSession('session-token')), ['AssumeRole', 'GetCallerIdentity']);
  assert.deepEqual(allowed(withSession('federation')), ['GetCallerIdentity']);
  assert.throws(
    () => refuseRestrictedSession(withSession('assumed-role'), 'GetSessionToken'),
    (err: unknown) => err instanceof AwsError && err.code === 'AccessDenied' && err.status === 403 && err.message === 'Cannot call GetSessionToken with session credentials',
  );
});

test('role ARNs with and without paths', () => {
  assert.deepEqual(parseRoleArn(`arn:aws:iam::${ACCOUNT}:role/admin`), { accountId: ACCOUNT, path: '/', name: 'admin' });
  assert.deepEqual(parseRoleArn(`arn:aws:iam::${ACCOUNT}:role/a/b/admin`), { accountId: ACCOUNT, path: '/a/b/', name: 'admin' });
  assert.equal(parseRoleArn(`arn:aws:iam::${ACCOUNT}:user/admin`), undefined);
  assert.equal(parseRoleArn('arn:aws:iam::12:role/admin'), undefined);
});

test('transitive session tags pass on through role chaining; others do not', () => {
  const caller = { tags: { team: 'blue', project: 'x' }, transitiveTagKeys: ['team'] };
  assert.deepEqual(chainedTags(caller, { stage: 'prod' }, ['stage']), { tags: { team: 'blue', stage: 'prod' }, transitiveTagKeys: ['team', 'stage'] });
  assert.deepEqual(chainedTags(undefined, {}, undefined), { tags: {}, transitiveTagKeys: [] });
});

test('packed policy size grows with content and overflows with PackedPolicyTooLarge', async () => {
  const small = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
  const smallPercent = packedPercent(small, [], {});
  assert.ok(smallPercent > 0 && smallPercent < 20, `small policy packs to ${smallPercent}%`);
  assert.ok(packedPercent(small, ['arn:aws:iam::aws:policy/ReadOnlyAccess'], { team: 'blue' }) > smallPercent);
  assert.equal(packedPercent(undefined, [], {}), 0);

  const env = await openTestEnv();
  try {
    const packed = await packSessionPolicies(env.store, ACCOUNT, { Policy: small }, {});
    assert.deepEqual(packed, { policies: [small], packedPercent: smallPercent });
    assert.deepEqual(await packSessionPolicies(env.store, ACCOUNT, {}, {}), { policies: undefined, packedPercent: undefined });
    // Unique resource ARNs do not compress: far over the budget.
    const statements = Array.from({ length: 60 }, (_, i) => ({ Effect: 'Allow', Action: `s3:GetObject`, Resource: `arn:aws:s3:::${(i * 7919).toString(36)}x${i}/*` }));
    const big = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    await assert.rejects(packSessionPolicies(env.store, ACCOUNT, { Policy: big }, {}), (err: unknown) => {
      assert.ok(err instanceof AwsError);
      assert.equal(err.code, 'PackedPolicyTooLarge');
      assert.equal(err.status, 400);
      assert.match(err.message, /^Packed policy consumes \d+% of allotted space$/);
      assert.ok(Number(/(\d+)%/.exec(err.message)![1]) > 100);
      return true;
    });
    await assert.rejects(packSessionPolicies(env.store, ACCOUNT, { Policy: '{"Statement":' }, {}), (err: unknown) => {
      assert.ok(err instanceof AwsError);
      assert.equal(err.code, 'MalformedPolicyDocument');
      assert.equal(err.message, 'Syntax errors in policy.');
      return true;
    });
  } finally {
    await env.close();
  }
});

test('authorization messages decode only in their account and only untampered', () => {
  const details = { allowed: false, explicitDeny: false, context: { action: 'ec2:RunInstances', resource: '*' } };
  const encoded = encodeAuthorizationMessage(details, ACCOUNT);
  assert.match(encoded, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(decodeAuthorizationMessage(encoded, ACCOUNT), JSON.stringify(details));
  assert.equal(decodeAuthorizationMessage(encoded, '210987654321'), undefined);
  const raw = Buffer.from(encoded, 'base64');
  raw[raw.length - 1] ^= 1;
  assert.equal(decodeAuthorizationMessage(raw.toString('base64'), ACCOUNT), undefined);
  assert.equal(decodeAuthorizationMessage('not a message', ACCOUNT), undefined);
  assert.equal(decodeAuthorizationMessage(encodeAuthorizationMessage(details), ACCOUNT), JSON.stringify(details));
});
