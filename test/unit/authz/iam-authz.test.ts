// IAM's authorization table, exactly: the ARN with its stored path, tags and boundary as condition
// keys, self-operations on the caller, path-prefix ARNs for lists, renames needing both names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { operationAuthz } from '../../../src/iam/authz/authorizer.ts';
import { iam } from '../../../src/services/iam/index.ts';
import type { AuthzTarget } from '../../../src/iam/authz/types.ts';
import { ACCOUNT, ARNS, openSeededEnv, type SeededEnv } from './fixtures.ts';

let env: SeededEnv;
before(async () => {
  env = await openSeededEnv();
});
after(() => env.close());

async function targets(operation: string, input: Record<string, unknown>): Promise<AuthzTarget[]> {
  const authz = operationAuthz(iam, operation);
  assert.notEqual(authz, 'none');
  if (authz === 'none') return [];
  return authz({ input, ctx: env.alice });
}

const cases: Array<[string, string, Record<string, unknown>, AuthzTarget[]]> = [
  ['ListUsers is evaluated on the user path prefix', 'ListUsers', {}, [{ action: 'iam:ListUsers', resource: `arn:aws:iam::${ACCOUNT}:user/` }]],
  ['ListRoles with a PathPrefix', 'ListRoles', { PathPrefix: '/svc/' }, [{ action: 'iam:ListRoles', resource: `arn:aws:iam::${ACCOUNT}:role/svc/` }]],
  [
    'ListPolicies is shown as "policy path /"',
    'ListPolicies',
    {},
    [{ action: 'iam:ListPolicies', resource: `arn:aws:iam::${ACCOUNT}:policy/`, displayResource: 'policy path /' }],
  ],
  [
    'GetRole: stored path, tags and boundary',
    'GetRole',
    { RoleName: 'app' },
    [
      {
        action: 'iam:GetRole',
        resource: ARNS.app,
        displayResource: 'role app',
        context: { 'aws:ResourceTag/env': 'prod', 'iam:ResourceTag/env': 'prod', 'iam:PermissionsBoundary': ARNS.boundary },
      },
    ],
  ],
  [
    'CreateUser: request tags and the new boundary',
    'CreateUser',
    { UserName: 'erin', Path: '/ops/', Tags: [{ Key: 'a', Value: '1' }], PermissionsBoundary: ARNS.boundary },
    [
      {
        action: 'iam:CreateUser',
        resource: `arn:aws:iam::${ACCOUNT}:user/ops/erin`,
        context: { 'aws:RequestTag/a': '1', 'aws:TagKeys': ['a'], 'iam:PermissionsBoundary': ARNS.boundary },
      },
    ],
  ],
  [
    'AttachUserPolicy: iam:PolicyARN with the user tags and boundary',
    'AttachUserPolicy',
    { UserName: 'alice', PolicyArn: ARNS.policy },
    [
      {
        action: 'iam:AttachUserPolicy',
        resource: ARNS.alice,
        displayResource: 'user alice',
        context: { 'aws:ResourceTag/team': 'blue', 'iam:ResourceTag/team': 'blue', 'iam:PermissionsBoundary': ARNS.boundary, 'iam:PolicyARN': ARNS.policy },
      },
    ],
  ],
  [
    'ChangePassword acts on the caller',
    'ChangePassword',
    { OldPassword: 'a', NewPassword: 'b' },
    [{ action: 'iam:ChangePassword', resource: ARNS.alice, context: { 'aws:ResourceTag/team': 'blue', 'iam:ResourceTag/team': 'blue' } }],
  ],
  ['ListMFADevices without UserName is checked on "*"', 'ListMFADevices', {}, [{ action: 'iam:ListMFADevices', resource: '*' }]],
  [
    'UpdateGroup renames need both names',
    'UpdateGroup',
    { GroupName: 'devs', NewGroupName: 'builders' },
    [
      { action: 'iam:UpdateGroup', resource: ARNS.devs, displayResource: 'group devs' },
      { action: 'iam:UpdateGroup', resource: `arn:aws:iam::${ACCOUNT}:group/g/builders` },
    ],
  ],
  [
    'AddRoleToInstanceProfile also needs iam:PassRole on the role',
    'AddRoleToInstanceProfile',
    { InstanceProfileName: 'prof', RoleName: 'app' },
    [
      { action: 'iam:AddRoleToInstanceProfile', resource: ARNS.profile, context: { 'aws:ResourceTag/use': 'web' } },
      { action: 'iam:PassRole', resource: ARNS.app },
    ],
  ],
  [
    'CreateServiceLinkedRole: the role it will create and iam:AWSServiceName',
    'CreateServiceLinkedRole',
    { AWSServiceName: 'rds.amazonaws.com' },
    [
      {
        action: 'iam:CreateServiceLinkedRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS`,
        context: { 'iam:AWSServiceName': 'rds.amazonaws.com' },
      },
    ],
  ],
  [
    'UntagMFADevice: aws:TagKeys and the device tags',
    'UntagMFADevice',
    { SerialNumber: ARNS.mfa, TagKeys: ['owner'] },
    [{ action: 'iam:UntagMFADevice', resource: ARNS.mfa, context: { 'aws:ResourceTag/owner': 'alice', 'aws:TagKeys': ['owner'] } }],
  ],
];

for (const [name, operation, input, expected] of cases) {
  test(name, async () => {
    assert.deepEqual(await targets(operation, input), expected);
  });
}

test('GetAccessKeyLastUsed acts on the key owner, named by ARN', async () => {
  const [target] = await targets('GetAccessKeyLastUsed', { AccessKeyId: env.accessKeyId });
  assert.deepEqual(target, {
    action: 'iam:GetAccessKeyLastUsed',
    resource: ARNS.alice,
    context: { 'aws:ResourceTag/team': 'blue', 'iam:ResourceTag/team': 'blue' },
  });
});

test('account-wide operations default to iam:<Operation> on "*"', async () => {
  assert.deepEqual(await targets('GetAccountSummary', {}), [{ action: 'iam:GetAccountSummary', resource: '*' }]);
});
