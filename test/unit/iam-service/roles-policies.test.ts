import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { iamHandlers as h, loadPrincipalPolicies, onIamWrite } from '../../../src/services/iam/index.ts';
import { ACCOUNT, ALLOW_S3, TRUST_EC2, openTestEnv, rejectsWith, userPrincipal, type TestEnv } from './helpers.ts';

let env: TestEnv;
before(async () => {
  env = await openTestEnv();
});
after(() => env.close());

const S3_FULL = 'arn:aws:iam::aws:policy/AmazonS3FullAccess';
const DDB_FULL = 'arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess';

test('CreateRole validates the trust policy and returns it URL-encoded', async () => {
  const out = await h.CreateRole({ RoleName: 'EmployeeWebApp', AssumeRolePolicyDocument: TRUST_EC2, Description: 'web app' }, env.ctx());
  assert.equal(out.Role.Arn, `arn:aws:iam::${ACCOUNT}:role/EmployeeWebApp`);
  assert.match(out.Role.RoleId, /^AROA[A-Z2-7]{17}$/);
  assert.equal(out.Role.AssumeRolePolicyDocument, encodeURIComponent(TRUST_EC2));
  assert.equal(out.Role.MaxSessionDuration, 3600);
  assert.equal(out.Role.Description, 'web app');
  await rejectsWith(
    h.CreateRole({ RoleName: 'bad', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}' }, env.ctx()),
    'MalformedPolicyDocument',
    400,
    'Missing required field Principal',
  );
  await rejectsWith(h.CreateRole({ RoleName: 'employeewebapp', AssumeRolePolicyDocument: TRUST_EC2 }, env.ctx()), 'EntityAlreadyExists', 409, 'Role with name employeewebapp already exists.');
  await rejectsWith(h.CreateRole({ RoleName: 'long', AssumeRolePolicyDocument: TRUST_EC2, MaxSessionDuration: 43201 }, env.ctx()), 'ValidationError', 400, /less than or equal to 43200/);
});

test('UpdateRole and UpdateAssumeRolePolicy change the role; GetRole reports RoleLastUsed', async () => {
  await h.UpdateRole({ RoleName: 'EmployeeWebApp', MaxSessionDuration: 43200, Description: 'updated' }, env.ctx());
  const trust2 = TRUST_EC2.replace('ec2.amazonaws.com', 'lambda.amazonaws.com');
  await h.UpdateAssumeRolePolicy({ RoleName: 'EmployeeWebApp', PolicyDocument: trust2 }, env.ctx());
  const got = await h.GetRole({ RoleName: 'EmployeeWebApp' }, env.ctx());
  assert.equal(got.Role.MaxSessionDuration, 43200);
  assert.equal(got.Role.Description, 'updated');
  assert.equal(decodeURIComponent(got.Role.AssumeRolePolicyDocument!), trust2);
  assert.deepEqual(got.Role.RoleLastUsed, {});
  await rejectsWith(h.GetRole({ RoleName: 'ghost' }, env.ctx()), 'NoSuchEntity', 404, 'The role with name ghost cannot be found.');
});

test('attaching AWS managed policies counts attachments; unknown ARNs are not attachable', async () => {
  await h.AttachRolePolicy({ RoleName: 'EmployeeWebApp', PolicyArn: S3_FULL }, env.ctx());
  await h.AttachRolePolicy({ RoleName: 'EmployeeWebApp', PolicyArn: DDB_FULL }, env.ctx());
  await h.AttachRolePolicy({ RoleName: 'EmployeeWebApp', PolicyArn: DDB_FULL }, env.ctx()); // idempotent
  const attached = await h.ListAttachedRolePolicies({ RoleName: 'EmployeeWebApp' }, env.ctx());
  assert.deepEqual(attached.AttachedPolicies, [
    { PolicyName: 'AmazonS3FullAccess', PolicyArn: S3_FULL },
    { PolicyName: 'AmazonDynamoDBFullAccess', PolicyArn: DDB_FULL },
  ]);
  const p = await h.GetPolicy({ PolicyArn: DDB_FULL }, env.ctx());
  assert.equal(p.Policy!.PolicyId, 'ANPAINUGF2JSOSUY76KYA');
  assert.equal(p.Policy!.AttachmentCount, 1);
  assert.equal(p.Policy!.DefaultVersionId, 'v15');
  const missing = `arn:aws:iam::${ACCOUNT}:policy/x`;
  await rejectsWith(h.AttachRolePolicy({ RoleName: 'EmployeeWebApp', PolicyArn: missing }, env.ctx()), 'NoSuchEntity', 404, `Policy ${missing} does not exist or is not attachable.`);
  const v = await h.GetPolicyVersion({ PolicyArn: S3_FULL, VersionId: 'v2' }, env.ctx());
  assert.deepEqual(JSON.parse(decodeURIComponent(v.PolicyVersion!.Document!)), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }],
  });
});

test('instance profiles hold one role; DeleteRole conflicts while the role is in one', async () => {
  const created = await h.CreateInstanceProfile({ InstanceProfileName: 'EmployeeWebApp' }, env.ctx());
  assert.match(created.InstanceProfile.InstanceProfileId, /^AIPA[A-Z2-7]{17}$/);
  assert.deepEqual(created.InstanceProfile.Roles, []);
  await h.AddRoleToInstanceProfile({ InstanceProfileName: 'EmployeeWebApp', RoleName: 'EmployeeWebApp' }, env.ctx());
  await h.CreateRole({ RoleName: 'Other', AssumeRolePolicyDocument: TRUST_EC2 }, env.ctx());
  await rejectsWith(
    h.AddRoleToInstanceProfile({ InstanceProfileName: 'EmployeeWebApp', RoleName: 'Other' }, env.ctx()),
    'LimitExceeded',
    409,
    'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
  );
  const got = await h.GetInstanceProfile({ InstanceProfileName: 'EmployeeWebApp' }, env.ctx());
  assert.deepEqual(got.InstanceProfile.Roles.map((r) => r.RoleName), ['EmployeeWebApp']);
  const forRole = await h.ListInstanceProfilesForRole({ RoleName: 'EmployeeWebApp' }, env.ctx());
  assert.deepEqual(forRole.InstanceProfiles.map((p) => p.InstanceProfileName), ['EmployeeWebApp']);
  await rejectsWith(h.DeleteRole({ RoleName: 'EmployeeWebApp' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must remove roles from instance profile first.');
  await rejectsWith(h.DeleteInstanceProfile({ InstanceProfileName: 'EmployeeWebApp' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must remove roles from instance profile first.');
  await rejectsWith(h.GetInstanceProfile({ InstanceProfileName: 'nope' }, env.ctx()), 'NoSuchEntity', 404, 'Instance Profile nope cannot be found.');
});

test('customer managed policies: versions, the five-version limit, default version rules', async () => {
  const created = await h.CreatePolicy({ PolicyName: 'admin_access', PolicyDocument: ALLOW_S3, Description: 'seed 001' }, env.ctx());
  const arn = `arn:aws:iam::${ACCOUNT}:policy/admin_access`;
  assert.equal(created.Policy!.Arn, arn);
  assert.match(created.Policy!.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
  assert.equal(created.Policy!.DefaultVersionId, 'v1');
  assert.equal(created.Policy!.AttachmentCount, 0);
  await rejectsWith(h.CreatePolicy({ PolicyName: 'ADMIN_ACCESS', PolicyDocument: ALLOW_S3 }, env.ctx()), 'EntityAlreadyExists', 409, 'A policy called ADMIN_ACCESS already exists. Duplicate names are not allowed.');
  await rejectsWith(h.CreatePolicy({ PolicyName: 'broken', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}' }, env.ctx()), 'MalformedPolicyDocument', 400, 'Policy statement must contain resources.');
  for (let i = 2; i <= 5; i++) {
    const v = await h.CreatePolicyVersion({ PolicyArn: arn, PolicyDocument: ALLOW_S3, SetAsDefault: i === 3 }, env.ctx());
    assert.equal(v.PolicyVersion!.VersionId, `v${i}`);
  }
  await rejectsWith(
    h.CreatePolicyVersion({ PolicyArn: arn, PolicyDocument: ALLOW_S3 }, env.ctx()),
    'LimitExceeded',
    409,
    'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
  );
  const versions = await h.ListPolicyVersions({ PolicyArn: arn }, env.ctx());
  assert.deepEqual(versions.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion]), [['v5', false], ['v4', false], ['v3', true], ['v2', false], ['v1', false]]);
  await rejectsWith(h.DeletePolicyVersion({ PolicyArn: arn, VersionId: 'v3' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete the default version of a policy.');
  await rejectsWith(
    h.DeletePolicy({ PolicyArn: arn }, env.ctx()),
    'DeleteConflict',
    409,
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  );
  await h.SetDefaultPolicyVersion({ PolicyArn: arn, VersionId: 'v5' }, env.ctx());
  for (const v of ['v1', 'v2', 'v3', 'v4']) await h.DeletePolicyVersion({ PolicyArn: arn, VersionId: v }, env.ctx());
  const v6 = await h.CreatePolicyVersion({ PolicyArn: arn, PolicyDocument: ALLOW_S3 }, env.ctx());
  assert.equal(v6.PolicyVersion!.VersionId, 'v6');
  await h.DeletePolicyVersion({ PolicyArn: arn, VersionId: 'v6' }, env.ctx());

  await h.CreateGroup({ GroupName: 'admin' }, env.ctx());
  await h.AttachGroupPolicy({ GroupName: 'admin', PolicyArn: arn }, env.ctx());
  await rejectsWith(h.DeletePolicy({ PolicyArn: arn }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete a policy attached to entities.');
  const entities = await h.ListEntitiesForPolicy({ PolicyArn: arn }, env.ctx());
  assert.deepEqual(entities.PolicyGroups!.map((g) => g.GroupName), ['admin']);
  assert.deepEqual(entities.PolicyUsers, []);
});

test('ListPolicies: Scope, OnlyAttached and PathPrefix', async () => {
  const local = await h.ListPolicies({ Scope: 'Local' }, env.ctx());
  assert.deepEqual(local.Policies!.map((p) => p.PolicyName), ['admin_access']);
  const aws = await h.ListPolicies({ Scope: 'AWS', MaxItems: 1000 }, env.ctx());
  assert.equal(aws.Policies!.length, 17);
  const attached = await h.ListPolicies({ OnlyAttached: true }, env.ctx());
  assert.deepEqual(attached.Policies!.map((p) => p.PolicyName).sort(), ['AmazonDynamoDBFullAccess', 'AmazonS3FullAccess', 'admin_access']);
  const serviceRole = await h.ListPolicies({ Scope: 'AWS', PathPrefix: '/service-role/' }, env.ctx());
  assert.deepEqual(serviceRole.Policies!.map((p) => p.Arn), ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
});

test('inline policies: Put/Get (URL-encoded)/List/Delete on groups', async () => {
  await h.PutGroupPolicy({ GroupName: 'admin', PolicyName: 'inline', PolicyDocument: ALLOW_S3 }, env.ctx());
  const got = await h.GetGroupPolicy({ GroupName: 'admin', PolicyName: 'inline' }, env.ctx());
  assert.deepEqual(got, { GroupName: 'admin', PolicyName: 'inline', PolicyDocument: encodeURIComponent(ALLOW_S3) });
  assert.deepEqual((await h.ListGroupPolicies({ GroupName: 'admin' }, env.ctx())).PolicyNames, ['inline']);
  await rejectsWith(h.GetGroupPolicy({ GroupName: 'admin', PolicyName: 'other' }, env.ctx()), 'NoSuchEntity', 404, 'The group policy with name other cannot be found.');
});

test('loadPrincipalPolicies gathers the user’s and its groups’ documents and the boundary', async () => {
  await h.CreateUser({ UserName: 'admin_erika' }, env.ctx());
  await h.AddUserToGroup({ GroupName: 'admin', UserName: 'admin_erika' }, env.ctx());
  await h.PutUserPermissionsBoundary({ UserName: 'admin_erika', PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' }, env.ctx());
  const got = await h.GetUser({ UserName: 'admin_erika' }, env.ctx());
  assert.deepEqual(got.User!.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess' });
  const policies = await loadPrincipalPolicies(env.store, ACCOUNT, userPrincipal('admin_erika'));
  assert.deepEqual(policies.identity.map((p) => p.source), ['group/admin/inline/inline', `arn:aws:iam::${ACCOUNT}:policy/admin_access`]);
  assert.equal(policies.identity[0]!.document, ALLOW_S3);
  assert.equal(policies.boundary!.source, 'arn:aws:iam::aws:policy/PowerUserAccess');
  await rejectsWith(
    h.PutUserPermissionsBoundary({ UserName: 'admin_erika', PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/none` }, env.ctx()),
    'NoSuchEntity',
    404,
    `Scope ARN: arn:aws:iam::${ACCOUNT}:policy/none does not exist or is not attachable.`,
  );
});

test('onIamWrite listeners run after mutations, not after reads', async () => {
  const seen: string[] = [];
  const off = onIamWrite((e) => seen.push(`${e.accountId}:${e.operation}`));
  await h.ListUsers({}, env.ctx());
  await h.TagRole({ RoleName: 'Other', Tags: [{ Key: 'a', Value: 'b' }] }, env.ctx());
  off();
  await h.UntagRole({ RoleName: 'Other', TagKeys: ['a'] }, env.ctx());
  assert.deepEqual(seen, [`${ACCOUNT}:TagRole`]);
});

test('CreateServiceLinkedRole for RDS uses AWS’s name and path', async () => {
  const out = await h.CreateServiceLinkedRole({ AWSServiceName: 'rds.amazonaws.com' }, env.ctx());
  assert.equal(out.Role!.RoleName, 'AWSServiceRoleForRDS');
  assert.equal(out.Role!.Path, '/aws-service-role/rds.amazonaws.com/');
  assert.equal(out.Role!.Arn, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS`);
  await rejectsWith(
    h.CreateServiceLinkedRole({ AWSServiceName: 'rds.amazonaws.com' }, env.ctx()),
    'InvalidInput',
    400,
    'Service role name AWSServiceRoleForRDS has been taken in this account, please try a different suffix.',
  );
  const del = await h.DeleteServiceLinkedRole({ RoleName: 'AWSServiceRoleForRDS' }, env.ctx());
  assert.match(del.DeletionTaskId, /^task\/aws-service-role\/rds\.amazonaws\.com\/AWSServiceRoleForRDS\/[0-9a-f-]{36}$/);
  assert.deepEqual(await h.GetServiceLinkedRoleDeletionStatus({ DeletionTaskId: del.DeletionTaskId }, env.ctx()), { Status: 'SUCCEEDED' });
});
