import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicyDocument, evaluate, parseOperator } from '../../../src/iam/policy/index.ts';
import { conditionCases } from './cases/conditions.cases.ts';

const alice = { type: 'user' as const, arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' };

for (const c of conditionCases) {
  test(`condition: ${c.name}`, () => {
    const policy = compilePolicyDocument(
      { Version: c.version ?? '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: c.condition }] },
      'identity',
    );
    const decision = evaluate({ principal: alice, action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: c.context }, { identity: [policy] });
    assert.equal(decision.effect, c.expect ? 'Allow' : 'ImplicitDeny');
  });
}

test('parseOperator splits qualifiers and suffixes', () => {
  assert.deepEqual(
    { ...parseOperator('ForAnyValue:StringNotLikeIfExists') },
    { family: 'stringLike', comparison: 'eq', negated: true, base: 'StringNotLike', ifExists: true, set: 'ForAnyValue' },
  );
  assert.equal(parseOperator('NullIfExists'), undefined);
  assert.equal(parseOperator('StringEqualsBad'), undefined);
  assert.equal(parseOperator('ForAllValues:Null'), undefined);
});
