/**
 * The evaluator's per-request shortcuts (action index per policy, prefix matchers, memoised IP
 * parsing, the case-insensitive context lookup, aws:CurrentTime formatted once per second) must
 * give exactly what the plain computation gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicyDocument, evaluate } from '../../../src/iam/policy/index.ts';
import { ContextView } from '../../../src/iam/policy/context.ts';
import { prefixMatcher, resourceMatcher, globMatcher } from '../../../src/iam/policy/patterns.ts';
import { globalContext } from '../../../src/iam/authz/global-context.ts';
import type { RequestContext } from '../../../src/core/context.ts';
import type { Principal } from '../../../src/core/principal.ts';

const V = '2012-10-17';
const alice = { type: 'user' as const, arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' };

test('statementsForAction is statementsFor filtered by matchesAction, for every action asked (twice)', () => {
  const policy = compilePolicyDocument(
    {
      Version: V,
      Statement: [
        { Effect: 'Allow', Action: 's3:Get*', Resource: '*' },
        { Effect: 'Allow', Action: ['s3:PutObject', 'sqs:*'], Resource: '*' },
        { Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' },
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Allow', Action: 'ec2:Describe?nstances', Resource: '*' },
      ],
    },
    'identity',
  );
  const actions = ['s3:getobject', 's3:getbucketpolicy', 's3:putobject', 'sqs:sendmessage', 'ec2:describeinstances', 'ec2:runinstances', 'iam:getuser'];
  for (const round of [1, 2]) {
    for (const action of actions) {
      const service = action.slice(0, action.indexOf(':'));
      const expected = policy.statementsFor(service).filter((s) => s.matchesAction(action, service)).map((s) => s.ref.index);
      assert.deepEqual(policy.statementsForAction(action, service).map((s) => s.ref.index), expected, `${action}, round ${round}`);
    }
  }
  assert.deepEqual(policy.statementsForAction('s3:getobject', 's3').map((s) => s.ref.index), [0, 3]);
  assert.deepEqual(policy.statementsForAction('s3:putobject', 's3').map((s) => s.ref.index), [1, 2, 3]);
  assert.deepEqual(policy.statementsForAction('ec2:describeinstances', 'ec2').map((s) => s.ref.index), [2, 3, 4]);
});

test('the action index survives being cleared when a policy sees more than 512 distinct actions', () => {
  const policy = compilePolicyDocument({ Version: V, Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] }, 'identity');
  for (let i = 0; i < 1100; i++) {
    const get = policy.statementsForAction(`s3:getthing${i}`, 's3').length;
    const put = policy.statementsForAction(`s3:putthing${i}`, 's3').length;
    assert.deepEqual([get, put], [1, 0], `action ${i}`);
  }
});

test('prefixMatcher is String#startsWith', () => {
  const m = prefixMatcher('arn:aws:s3:::bucket/');
  assert.equal(m('arn:aws:s3:::bucket/'), true);
  assert.equal(m('arn:aws:s3:::bucket/key'), true);
  assert.equal(m('arn:aws:s3:::bucket'), false);
  assert.equal(m('arn:aws:s3:::Bucket/key'), false);
  assert.equal(m('xrn:aws:s3:::bucket/key'), false);
  assert.equal(m(''), false);
  assert.equal(prefixMatcher('')('anything'), true);
  assert.equal(prefixMatcher('é😀')('é😀x'), true);
  assert.equal(prefixMatcher('é😀')('é😁x'), false);
  // Through the pattern compilers: "prefix*" resources and action globs.
  assert.equal(resourceMatcher('arn:aws:sqs:us-east-1:123456789012:queue-*')('arn:aws:sqs:us-east-1:123456789012:queue-1'), true);
  assert.equal(resourceMatcher('arn:aws:sqs:us-east-1:123456789012:queue-*')('arn:aws:sqs:us-east-1:123456789012:queux-1'), false);
  assert.equal(globMatcher('s3:get*')('s3:getobject'), true);
  assert.equal(globMatcher('s3:get*')('s3:listbucket'), false);
});

test('ContextView: exact key first, else the last request key with the same lower-case form', () => {
  const view = new ContextView({ 'aws:SourceIp': '192.0.2.1', 'AWS:SOURCEIP': '198.51.100.7', 'aws:username': 'alice', 'aws:PrincipalTag/Team': 'blue' });
  assert.equal(view.get('aws:sourceip'), '198.51.100.7');
  assert.equal(view.get('aws:username'), 'alice');
  assert.equal(view.get('aws:principaltag/team'), 'blue');
  assert.equal(view.get('aws:principaltag/other'), undefined);
  assert.equal(view.get('tostring'), undefined);
  const lowerWins = new ContextView({ 'aws:sourceip': '192.0.2.1', 'AWS:SourceIp': '198.51.100.7' });
  assert.equal(lowerWins.get('aws:sourceip'), '192.0.2.1');
  // A present-but-undefined lower-case key: the later spelling decides (as a lower-cased map would).
  assert.equal(new ContextView({ 'aws:SourceIp': 'first', 'aws:sourceip': undefined }).get('aws:sourceip'), undefined);
  assert.equal(new ContextView({ 'aws:sourceip': undefined, 'aws:SourceIp': 'second' }).get('aws:sourceip'), 'second');
});

test('conditions on single and multivalued keys, evaluated repeatedly (memoised IPs, loops)', () => {
  const policy = compilePolicyDocument(
    {
      Version: V,
      Statement: [
        { Sid: 'ip', Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } } },
        { Sid: 'all', Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } } },
        { Sid: 'any', Effect: 'Allow', Action: 's3:DeleteObject', Resource: '*', Condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a'] } } },
        { Sid: 'neg', Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { StringNotEquals: { 'aws:TagKeys': ['a', 'b'] } } },
        { Sid: 'null', Effect: 'Allow', Action: 's3:GetBucketTagging', Resource: '*', Condition: { Null: { 'aws:TagKeys': ['true'] } } },
      ],
    },
    'identity',
  );
  const effect = (action: string, context: Record<string, string | string[]>) =>
    evaluate({ principal: alice, action, resource: 'arn:aws:s3:::b/k', context }, { identity: [policy] }).effect;
  for (let round = 0; round < 3; round++) {
    assert.equal(effect('s3:GetObject', { 'aws:SourceIp': '10.1.2.3' }), 'Allow');
    assert.equal(effect('s3:GetObject', { 'aws:SourceIp': '11.1.2.3' }), 'ImplicitDeny');
    assert.equal(effect('s3:GetObject', { 'aws:SourceIp': '::ffff:10.1.2.3' }), 'Allow');
    assert.equal(effect('s3:GetObject', { 'aws:SourceIp': '2001:db8::1' }), 'Allow');
    assert.equal(effect('s3:GetObject', { 'aws:SourceIp': 'not-an-ip' }), 'ImplicitDeny');
    assert.equal(effect('s3:GetObject', { 'aws:SourceIp': ['11.0.0.1', '10.0.0.1'] }), 'Allow');
    assert.equal(effect('s3:PutObject', { 'aws:TagKeys': ['a', 'b'] }), 'Allow');
    assert.equal(effect('s3:PutObject', { 'aws:TagKeys': ['a', 'c'] }), 'ImplicitDeny');
    assert.equal(effect('s3:PutObject', { 'aws:TagKeys': 'b' }), 'Allow');
    assert.equal(effect('s3:PutObject', { 'aws:TagKeys': 'c' }), 'ImplicitDeny');
    assert.equal(effect('s3:DeleteObject', { 'aws:TagKeys': ['a', 'c'] }), 'Allow');
    assert.equal(effect('s3:DeleteObject', { 'aws:TagKeys': ['a'] }), 'ImplicitDeny');
    assert.equal(effect('s3:DeleteObject', { 'aws:TagKeys': 'a' }), 'ImplicitDeny');
    assert.equal(effect('s3:ListBucket', { 'aws:TagKeys': ['c', 'd'] }), 'Allow');
    assert.equal(effect('s3:ListBucket', { 'aws:TagKeys': ['c', 'a'] }), 'ImplicitDeny');
    assert.equal(effect('s3:ListBucket', { 'aws:TagKeys': 'b' }), 'ImplicitDeny');
    assert.equal(effect('s3:GetBucketTagging', {}), 'Allow');
    assert.equal(effect('s3:GetBucketTagging', { 'aws:TagKeys': 'a' }), 'ImplicitDeny');
  }
});

test('evaluate: mixed-case actions share one index entry and decide the same', () => {
  const policy = compilePolicyDocument({ Version: V, Statement: [{ Effect: 'Allow', Action: 'S3:getObject', Resource: 'arn:aws:s3:::b/*' }] }, 'identity');
  for (const action of ['s3:GetObject', 'S3:GETOBJECT', 's3:getobject']) {
    const d = evaluate({ principal: alice, action, resource: 'arn:aws:s3:::b/k', context: {} }, { identity: [policy] });
    assert.deepEqual([d.effect, d.reason, d.matched.length], ['Allow', 'allowed-by-identity', 1], action);
  }
  const d = evaluate({ principal: alice, action: 'noservice', resource: '*', context: {} }, { identity: [policy] });
  assert.deepEqual([d.effect, d.reason], ['ImplicitDeny', 'no-identity-allow']);
});

function requestAt(nowMs: number, principal: Principal, sourceIp = '::ffff:192.0.2.1'): RequestContext {
  return {
    region: 'eu-west-1',
    principal,
    clock: { now: () => new Date(nowMs) },
    request: { secure: false, headers: { 'user-agent': 'ua' } },
    sourceIp,
  } as unknown as RequestContext;
}

test('globalContext: aws:CurrentTime follows the clock to the second, the IPv4-mapped prefix is dropped', () => {
  const user: Principal = { type: 'user', accountId: '123456789012', arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDAEXAMPLE', name: 'alice' };
  const at = (ms: number, ip?: string) => globalContext(requestAt(ms, user, ip), false, {});
  const t = Date.UTC(2024, 4, 1, 12, 0, 0);
  assert.equal(at(t + 999)['aws:CurrentTime'], '2024-05-01T12:00:00Z');
  assert.equal(at(t + 1000)['aws:CurrentTime'], '2024-05-01T12:00:01Z');
  assert.equal(at(t + 1999)['aws:CurrentTime'], '2024-05-01T12:00:01Z');
  assert.equal(at(t - 1)['aws:CurrentTime'], '2024-05-01T11:59:59Z');
  assert.equal(at(t + 1500)['aws:EpochTime'], t / 1000 + 1);
  assert.equal(at(Date.UTC(1969, 11, 31, 23, 59, 59, 500))['aws:CurrentTime'], '1969-12-31T23:59:59Z');
  assert.equal(at(t)['aws:SourceIp'], '192.0.2.1');
  assert.equal(at(t, '2001:db8::1')['aws:SourceIp'], '2001:db8::1');
  assert.equal(at(t, '10.0.0.1')['aws:SourceIp'], '10.0.0.1');
});

test('globalContext: session tags override the principal tags of the same key, in the merged order', () => {
  const session = { token: 't', issuedAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), expiresAt: new Date(0), kind: 'assumed-role' as const, roleArn: 'arn:aws:iam::123456789012:role/r', tags: { team: 'red', cost: '42' } };
  const role: Principal = { type: 'assumed-role', accountId: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/r/s', userId: 'AROAEXAMPLE:s', name: 's', session };
  const context = globalContext(requestAt(Date.UTC(2024, 0, 2, 4, 0, 0), role), true, { team: 'blue', project: 'x' });
  const tags = Object.entries(context).filter(([k]) => k.startsWith('aws:PrincipalTag/'));
  assert.deepEqual(tags, [
    ['aws:PrincipalTag/team', 'red'],
    ['aws:PrincipalTag/project', 'x'],
    ['aws:PrincipalTag/cost', '42'],
  ]);
  assert.equal(context['aws:TokenIssueTime'], '2024-01-02T03:04:05Z');
  assert.equal(context['aws:PrincipalArn'], 'arn:aws:iam::123456789012:role/r');
  assert.equal(context['aws:RequestedRegion'], 'us-east-1');
  assert.equal(context['aws:username'], undefined);
});
