// The authorizer's per-principal decision memo: exact (the same answers as evaluating every time),
// keyed by the context keys the policies read, and dropped with the principal's compiled policies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicyDocument, evaluate, type AuthzRequest, type CompiledPolicy, type Decision, type PolicySet } from '../../../src/iam/policy/index.ts';
import { DecisionMemo, restKey } from '../../../src/iam/authz/decision-cache.ts';
import { createIamAuthorizer } from '../../../src/iam/authz/authorizer.ts';
import { iam } from '../../../src/services/iam/index.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { createClock } from '../../../src/core/clock.ts';
import { AwsError } from '../../../src/core/errors.ts';
import type { Principal } from '../../../src/core/principal.ts';
import type { RequestContext } from '../../../src/core/context.ts';
import type { OperationModel } from '../../../src/protocols/model.ts';

const ACCOUNT = '123456789012';
const ALICE_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;

function policy(statements: unknown[], version = '2012-10-17'): CompiledPolicy {
  return compilePolicyDocument({ Version: version, Statement: statements }, 'identity', { id: 'p' });
}

function request(overrides: Partial<AuthzRequest> = {}): AuthzRequest {
  return {
    principal: { type: 'user', arn: ALICE_ARN, accountId: ACCOUNT },
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::alice-bucket/key',
    context: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1', 'aws:CurrentTime': '2026-11-22T10:00:00Z' },
    ...overrides,
  };
}

/** A memo over one policy set, counting how often it really evaluates. */
function memoOver(set: PolicySet) {
  const keys = [...new Set([...set.identity, ...(set.boundary ? [set.boundary] : [])].flatMap((p) => p.contextKeys))];
  const memo = new DecisionMemo(keys);
  let evaluations = 0;
  return {
    memo,
    decide(req: AuthzRequest): Decision {
      return memo.decide(req, (r) => {
        evaluations++;
        return evaluate(r, set);
      });
    },
    get evaluations() {
      return evaluations;
    },
  };
}

test('contextKeys: condition keys and policy variables, lower-case and once each; none substituted in the 2008-10-17 language', () => {
  const p = policy([
    { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:username}/*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
    { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::${aws:PrincipalTag/Team, \'none\'}-*', Condition: { StringLike: { 's3:prefix': '${aws:userid}/*' }, Bool: { 'aws:SecureTransport': 'false' } } },
    { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*', Condition: { StringEquals: { 'AWS:RequestedRegion': 'eu-west-1' } } },
  ]);
  assert.deepEqual([...p.contextKeys].sort(), ['aws:principaltag/team', 'aws:requestedregion', 'aws:securetransport', 'aws:userid', 'aws:username', 's3:prefix']);
  const legacy = policy([{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:username}/*', Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } }], '2008-10-17');
  assert.deepEqual(legacy.contextKeys, ['aws:sourcevpc']);
  assert.deepEqual(policy([{ Effect: 'Allow', Action: '*', Resource: '*' }]).contextKeys, []);
});

test('a repeated request is answered from the memo; keys the policies never read do not split it', () => {
  const m = memoOver({ identity: [policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::${aws:username}-bucket/*' }])] });
  const first = m.decide(request());
  assert.equal(first.effect, 'Allow');
  assert.equal(m.evaluations, 1);
  // aws:CurrentTime and aws:RequestedRegion are not read by this policy.
  const again = m.decide(request({ context: { 'aws:username': 'alice', 'aws:RequestedRegion': 'eu-west-1', 'aws:CurrentTime': '2026-11-22T10:00:01Z' } }));
  assert.equal(again, first);
  assert.equal(m.evaluations, 1);
  assert.equal(m.memo.size, 1);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.matched), 'a shared decision cannot be changed by one caller');
});

test('a different value of a key the policies read, action, resource, caller or resource account is evaluated afresh', () => {
  const m = memoOver({
    identity: [
      policy([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::${aws:username}-bucket/*', Condition: { DateLessThan: { 'aws:CurrentTime': '2026-11-22T10:00:01Z' } } },
      ]),
    ],
  });
  assert.equal(m.decide(request()).effect, 'Allow');
  assert.equal(m.decide(request({ context: { 'aws:username': 'alice', 'aws:CurrentTime': '2026-11-22T10:00:01Z' } })).effect, 'ImplicitDeny');
  assert.equal(m.decide(request({ context: { 'aws:username': 'bob', 'aws:CurrentTime': '2026-11-22T10:00:00Z' } })).effect, 'ImplicitDeny');
  assert.equal(m.decide(request({ action: 's3:PutObject' })).effect, 'ImplicitDeny');
  assert.equal(m.decide(request({ resource: 'arn:aws:s3:::bob-bucket/key' })).effect, 'ImplicitDeny');
  assert.equal(m.decide(request({ principal: { type: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`, accountId: ACCOUNT } })).effect, 'Allow');
  const crossAccount = m.decide(request({ resourceAccount: '210987654321' }));
  assert.equal(crossAccount.crossAccount, true);
  assert.equal(m.evaluations, 7);
  // And each of them again, from the memo.
  assert.equal(m.decide(request({ context: { 'aws:username': 'bob', 'aws:CurrentTime': '2026-11-22T10:00:00Z' } })).effect, 'ImplicitDeny');
  assert.equal(m.decide(request({ resourceAccount: '210987654321' })), crossAccount);
  assert.equal(m.evaluations, 7);
});

test('values are told apart by type and shape: strings, numbers, booleans, dates, lists, absent', () => {
  const set: PolicySet = {
    identity: [policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a,b', 'true', '1'] } } }])],
  };
  const withTagKeys = (value: unknown) => request({ context: { 'aws:TagKeys': value as string[] } });
  const values: unknown[] = [['a,b'], ['a', 'b'], 'true', true, '1', 1, ['1'], [], undefined, new Date(1000), new Date(2000), '1970-01-01T00:00:01Z'];
  const m = memoOver(set);
  for (const v of values) assert.equal(m.decide(withTagKeys(v)).effect, evaluate(withTagKeys(v), set).effect, `value ${JSON.stringify(v)}`);
  assert.equal(m.evaluations, values.length, 'every distinct value was evaluated');
  assert.equal(m.memo.size, values.length);
  for (const v of values) m.decide(withTagKeys(v));
  assert.equal(m.evaluations, values.length, 'and then remembered');
  assert.deepEqual(
    values.map((v) => m.decide(withTagKeys(v)).effect),
    ['Allow', 'ImplicitDeny', 'Allow', 'Allow', 'Allow', 'Allow', 'Allow', 'ImplicitDeny', 'ImplicitDeny', 'ImplicitDeny', 'ImplicitDeny', 'ImplicitDeny'],
  );
});

test('keys are looked up as the evaluator does: any spelling of a condition key is the same key', () => {
  const set: PolicySet = { identity: [policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/Team': 'blue' } } }])] };
  const m = memoOver(set);
  assert.equal(m.decide(request({ context: { 'aws:principaltag/team': 'blue' } })).effect, 'Allow');
  assert.equal(m.decide(request({ context: { 'AWS:PrincipalTag/TEAM': 'red' } })).effect, 'ImplicitDeny');
  assert.equal(m.decide(request({ context: { 'aws:PrincipalTag/Team': 'blue' } })).effect, 'Allow');
  assert.equal(m.evaluations, 2);
});

test('a value that is not a context value is never remembered', () => {
  const set: PolicySet = { identity: [policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } }])] };
  const odd = request({ context: { 'aws:SourceVpc': { toString: () => 'vpc-1' } as unknown as string } });
  assert.equal(restKey(odd, ['aws:sourcevpc']), undefined);
  const m = memoOver(set);
  m.decide(odd);
  m.decide(odd);
  assert.equal(m.evaluations, 2);
  assert.equal(m.memo.size, 0);
});

test('the memo gives exactly what evaluating gives, over a mixed set of requests', () => {
  const set: PolicySet = {
    identity: [
      policy([
        { Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: 'arn:aws:s3:::${aws:username}-*', Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } },
        { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        { Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      ]),
    ],
    boundary: compilePolicyDocument({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:Get*'], Resource: '*', Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': 'team-*' } } }] }, 'boundary', { id: 'b' }),
  };
  const m = memoOver(set);
  const actions = ['s3:GetObject', 's3:PutObject', 'iam:GetUser', 'iam:DeleteUser'];
  const resources = ['arn:aws:s3:::alice-data/x', 'arn:aws:s3:::bob-data/x', `arn:aws:iam::${ACCOUNT}:user/alice`, '*'];
  const contexts = [
    { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1', 'aws:SourceIp': '203.0.113.5', 'aws:SecureTransport': true },
    { 'aws:username': 'alice', 'aws:RequestedRegion': 'ap-south-1', 'aws:SourceIp': '203.0.113.5', 'aws:SecureTransport': false },
    { 'aws:username': 'alice', 'aws:RequestedRegion': 'eu-west-1', 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': true },
    { 'aws:username': 'bob', 'aws:RequestedRegion': 'us-east-1', 'aws:SourceIp': '203.0.113.5', 'aws:SecureTransport': true, 'aws:TagKeys': ['team-a', 'x'] },
  ];
  let checked = 0;
  for (let round = 0; round < 2; round++) {
    for (const action of actions) {
      for (const resource of resources) {
        for (const context of contexts) {
          const req = request({ action, resource, context });
          const expected = evaluate(req, set);
          assert.deepEqual({ ...m.decide(req) }, { ...expected }, `${action} on ${resource} with ${JSON.stringify(context)}`);
          checked++;
        }
      }
    }
  }
  assert.equal(checked, 128);
  assert.equal(m.evaluations, 64, 'the second round came from the memo');
});

test('the memo is bounded: past its limit it starts over', () => {
  const m = memoOver({ identity: [policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }])] });
  for (let i = 0; i < 1024; i++) m.decide(request({ resource: `arn:aws:s3:::b/${i}` }));
  assert.equal(m.memo.size, 1024);
  m.decide(request({ resource: 'arn:aws:s3:::b/one-more' }));
  assert.equal(m.memo.size, 1);
});

// ---------------------------------------------------------------------------------------------
// Through the authorizer: what the memo lives beside, and when it is not used.

const ALICE: Principal = { type: 'user', accountId: ACCOUNT, arn: ALICE_ARN, userId: 'AIDAALICE', name: 'alice' };

function ctxFor(principal: Principal): RequestContext {
  return {
    requestId: 'r',
    accountId: ACCOUNT,
    region: 'us-east-1',
    signedRegion: 'us-east-1',
    service: 'iam',
    operation: 'ListUsers',
    principal,
    clock: createClock(),
    store: undefined as unknown as RequestContext['store'],
    secrets: undefined as unknown as RequestContext['secrets'],
    log: silentLogger(),
    request: { method: 'POST', target: '/', path: '/', query: '', headers: { 'user-agent': 'test' }, body: Buffer.alloc(0), remoteAddress: '127.0.0.1', secure: false },
    sourceIp: '127.0.0.1',
    dataDir: '/nonexistent',
  } as RequestContext;
}

const ALLOW_LIST_USERS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] });
const DENY_LIST_USERS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }] });

/** An authorizer over a mutable policy source, with its onChange listeners exposed. */
function authorizerWith(documents: { current: string[] }, cacheTtlMs?: number) {
  const listeners = new Set<() => void>();
  let loads = 0;
  const authorizer = createIamAuthorizer({
    log: silentLogger(),
    cacheTtlMs,
    policies: {
      async load() {
        loads++;
        return { identity: documents.current.map((document, i) => ({ source: `p${i}`, document })), tags: {} };
      },
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  });
  const listUsers = async (principal: Principal = ALICE): Promise<string> => {
    try {
      await authorizer.authorize({ ctx: ctxFor(principal), service: iam, operation: { name: 'ListUsers' } as OperationModel, input: {} });
      return 'allowed';
    } catch (err) {
      assert.ok(err instanceof AwsError);
      return `${err.status} ${err.code}: ${err.message}`;
    }
  };
  return { authorizer, listUsers, iamWrite: () => listeners.forEach((l) => l()), loads: () => loads };
}

test('an IAM write drops the remembered decisions with the compiled policies: a new deny applies at once', async () => {
  const documents = { current: [ALLOW_LIST_USERS] };
  const a = authorizerWith(documents);
  assert.equal(await a.listUsers(), 'allowed');
  assert.equal(await a.listUsers(), 'allowed');
  assert.equal(a.loads(), 1);
  documents.current = [ALLOW_LIST_USERS, DENY_LIST_USERS];
  assert.equal(await a.listUsers(), 'allowed', 'without a write in this process the cached policies still apply');
  a.iamWrite();
  assert.equal(
    await a.listUsers(),
    `403 AccessDenied: User: ${ALICE_ARN} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ with an explicit deny in an identity-based policy`,
  );
  assert.equal(a.loads(), 2);
  a.authorizer.close();
});

test('after the time-to-live the policies are loaded again and old decisions are gone', async () => {
  const documents = { current: [ALLOW_LIST_USERS] };
  const a = authorizerWith(documents, 30);
  assert.equal(await a.listUsers(), 'allowed');
  documents.current = [];
  assert.equal(await a.listUsers(), 'allowed');
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(
    await a.listUsers(),
    `403 AccessDenied: User: ${ALICE_ARN} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
  );
  assert.equal(a.loads(), 2);
  a.authorizer.close();
});

test('session policies are evaluated per session, never answered from the memo: two sessions may share an ARN', async () => {
  const a = authorizerWith({ current: [ALLOW_LIST_USERS] });
  const session = (policies: string[]): Principal => ({
    type: 'assumed-role',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`,
    userId: 'AROAAPP:s',
    name: 's',
    session: { roleArn: `arn:aws:iam::${ACCOUNT}:role/app`, issuedAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000), policies } as Principal['session'],
  });
  assert.equal(await a.listUsers(session([ALLOW_LIST_USERS])), 'allowed');
  assert.equal(
    await a.listUsers(session([JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] })])),
    `403 AccessDenied: User: arn:aws:sts::${ACCOUNT}:assumed-role/app/s is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no session policy allows the iam:ListUsers action`,
  );
  assert.equal(await a.listUsers(session([ALLOW_LIST_USERS])), 'allowed');
  a.authorizer.close();
});
