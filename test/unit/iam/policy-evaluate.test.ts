import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDeniedMessage, compilePolicyDocument, evaluate, type PolicySet } from '../../../src/iam/policy/index.ts';
import { evaluationCases, principals } from './cases/evaluation.cases.ts';
import { matchingCases } from './cases/matching.cases.ts';

const V = '2012-10-17';
const doc = (Statement: unknown[], version: string | null = V) => (version === null ? { Statement } : { Version: version, Statement });

for (const c of matchingCases) {
  test(`match: ${c.name}`, () => {
    const policy = compilePolicyDocument(doc(c.statements, c.version === undefined ? V : c.version), 'identity');
    const decision = evaluate({ principal: principals.alice, action: c.action, resource: c.resource, context: c.context ?? {} }, { identity: [policy] });
    assert.equal(decision.effect, c.expect);
  });
}

for (const c of evaluationCases) {
  test(`evaluate: ${c.name}`, () => {
    const set: PolicySet = {
      identity: (c.identity ?? []).map((statements, i) => compilePolicyDocument(doc(statements), 'identity', { id: `policy-${i}` })),
    };
    if (c.resourcePolicy) set.resource = compilePolicyDocument(doc(c.resourcePolicy), 'resource');
    if (c.trust) {
      set.resource = compilePolicyDocument(doc(c.trust), 'trust');
      set.resourcePolicyRequired = true;
    }
    if (c.boundary) set.boundary = compilePolicyDocument(doc(c.boundary), 'boundary');
    if (c.session) set.session = c.session.map((statements) => compilePolicyDocument(doc(statements), 'session'));
    const req = { principal: principals[c.principal], action: c.action, resource: c.resource, resourceAccount: c.resourceAccount, context: c.context ?? {} };
    const decision = evaluate(req, set);
    assert.equal(decision.effect, c.expect);
    assert.equal(decision.reason, c.reason);
    if (c.message !== undefined) assert.equal(accessDeniedMessage(req, decision), c.message);
  });
}

test('decision lists the statements that applied', () => {
  const identity = compilePolicyDocument(
    doc([
      { Sid: 'ReadAll', Effect: 'Allow', Action: 's3:Get*', Resource: '*' },
      { Sid: 'Other', Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
      { Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::secrets/*' },
    ]),
    'identity',
    { id: 'arn:aws:iam::111111111111:policy/p' },
  );
  const decision = evaluate({ principal: principals.alice, action: 's3:GetObject', resource: 'arn:aws:s3:::secrets/x', context: {} }, { identity: [identity] });
  assert.deepEqual(decision, {
    effect: 'ExplicitDeny',
    reason: 'explicit-deny-identity',
    deniedBy: 'identity',
    crossAccount: false,
    matched: [
      { policyId: 'arn:aws:iam::111111111111:policy/p', sid: 'ReadAll', index: 0, effect: 'Allow', policyType: 'identity' },
      { policyId: 'arn:aws:iam::111111111111:policy/p', sid: 'NoSecrets', index: 2, effect: 'Deny', policyType: 'identity' },
    ],
  });
});

test('statements are indexed by service but keep NotAction and "*" statements', () => {
  const policy = compilePolicyDocument(
    doc([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Allow', Action: ['sqs:SendMessage', 'S3:PutObject'], Resource: '*' },
    ]),
    'identity',
  );
  assert.deepEqual(policy.statementsFor('s3').map((s) => s.ref.index), [0, 1, 2, 3]);
  assert.deepEqual(policy.statementsFor('sqs').map((s) => s.ref.index), [1, 2, 3]);
  assert.deepEqual(policy.statementsFor('ec2').map((s) => s.ref.index), [1, 2]);
});

test('variable-bearing resources re-resolve per request (memoised matcher stays correct)', () => {
  const policy = compilePolicyDocument(doc([{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:PrincipalTag/team}-${aws:username}/*' }]), 'identity');
  const run = (context: Record<string, string>, resource: string) =>
    evaluate({ principal: principals.alice, action: 's3:GetObject', resource, context }, { identity: [policy] }).effect;
  assert.equal(run({ 'aws:PrincipalTag/team': 'red', 'aws:username': 'alice' }, 'arn:aws:s3:::red-alice/k'), 'Allow');
  assert.equal(run({ 'aws:PrincipalTag/team': 'blue' }, 'arn:aws:s3:::red-alice/k'), 'ImplicitDeny');
  assert.equal(run({ 'aws:PrincipalTag/team': 'blue', 'aws:username': 'alice' }, 'arn:aws:s3:::red-alice/k'), 'ImplicitDeny');
  assert.equal(run({ 'aws:PrincipalTag/team': 'blue', 'aws:username': 'alice' }, 'arn:aws:s3:::blue-alice/k'), 'Allow');
  assert.equal(run({ 'aws:PrincipalTag/team': 'blue', 'aws:username': 'bob' }, 'arn:aws:s3:::blue-alice/k'), 'ImplicitDeny');
});
