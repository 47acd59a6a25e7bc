// EC2's UnauthorizedOperation (src/iam/authz/denial.ts): the encoded authorization message after
// denials on a resource, decodable in the caller's account only; plain messages for resource "*".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDeniedError } from '../../../src/iam/authz/denial.ts';
import { decodeAuthorizationMessage } from '../../../src/iam/authz/encoded-message.ts';

const ACCOUNT = '123456789012';

function decoded(message: string, account = ACCOUNT): unknown {
  const m = /\. Encoded authorization failure message: (\S+)$/.exec(message);
  assert.ok(m, message);
  const text = decodeAuthorizationMessage(m[1]!, account);
  return text === undefined ? undefined : JSON.parse(text);
}

test('an explicit deny on a volume, with the request condition keys the authorizer passes', () => {
  const reason = `User: arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice is not authorized to perform: ec2:DeleteVolume on resource: arn:aws:ec2:us-east-2:${ACCOUNT}:volume/vol-0abc with an explicit deny in an identity-based policy`;
  const error = accessDeniedError('ec2', reason, { principalId: 'AROAEXAMPLE:alice', context: { 'ec2:Region': 'us-east-2', 'aws:username': 'x', 'ec2:ResourceTag/team': ['a', 'b'] } });
  assert.equal(error.code, 'UnauthorizedOperation');
  assert.equal(error.status, 403);
  assert.ok(error.message.startsWith(`You are not authorized to perform this operation. ${reason}. Encoded authorization failure message: `));
  const item = (key: string, ...values: string[]) => ({ key, values: { items: values.map((value) => ({ value })) } });
  assert.deepEqual(decoded(error.message), {
    allowed: false,
    explicitDeny: true,
    matchedStatements: { items: [] },
    failures: { items: [] },
    context: {
      principal: { id: 'AROAEXAMPLE:alice', name: 'alice', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice` },
      action: 'ec2:DeleteVolume',
      resource: `arn:aws:ec2:us-east-2:${ACCOUNT}:volume/vol-0abc`,
      conditions: {
        items: [
          item('aws:Region', 'us-east-2'),
          item('aws:Service', 'ec2'),
          item('aws:Resource', 'volume/vol-0abc'),
          item('ec2:Region', 'us-east-2'),
          item('ec2:ResourceTag/team', 'a', 'b'),
          item('aws:Account', ACCOUNT),
          item('aws:Type', 'volume'),
          item('aws:ARN', `arn:aws:ec2:us-east-2:${ACCOUNT}:volume/vol-0abc`),
        ],
      },
    },
  });
  assert.equal(decoded(error.message, '210987654321'), undefined);
});

test('images carry no account in their ARN: no aws:Account condition; the root user is named by its account', () => {
  const reason = `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: ec2:CreateTags on resource: arn:aws:ec2:us-west-1::image/ami-0abc because no identity-based policy allows the ec2:CreateTags action`;
  const body = decoded(accessDeniedError('ec2', reason).message) as { context: { principal: unknown; conditions: { items: Array<{ key: string }> } } };
  assert.deepEqual(body.context.principal, { name: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` });
  assert.deepEqual(body.context.conditions.items.map((i) => i.key), ['aws:Region', 'aws:Service', 'aws:Resource', 'aws:Type', 'aws:ARN']);
});

test('actions on "*" keep the plain message; other families are unchanged', () => {
  const reason = `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action`;
  assert.equal(accessDeniedError('ec2', reason).message, `You are not authorized to perform this operation. ${reason}`);
  const s3 = accessDeniedError('s3', 'User: arn:aws:iam::1:user/b is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k');
  assert.deepEqual([s3.code, s3.status, s3.message], ['AccessDenied', 403, 'User: arn:aws:iam::1:user/b is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k']);
});
