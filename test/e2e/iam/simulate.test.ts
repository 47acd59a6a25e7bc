// IAM's policy simulator through the SDK: SimulatePrincipalPolicy on a user (with its group's
// policies), a role with a permissions boundary, and SimulateCustomPolicy with context entries,
// a resource policy and pagination. Plus IAM's own authorization: Simulate* needs permission and
// denials name existing roles the way IAM does ("on resource: role <name>").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  IAMClient,
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
let bonsai: TestBonsai;
let root: IAMClient;

function iamAs(accessKeyId: string, secretAccessKey: string): IAMClient {
  return new IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } });
}

const doc = (statement: object | object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statement });

before(async () => {
  bonsai = await startTestBonsai();
  root = iamAs(TEST_ACCOUNT.accessKeyId, TEST_ACCOUNT.secretAccessKey);
  await root.send(new CreateUserCommand({ UserName: 'carol' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'read-s3', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }) }));
  await root.send(new CreateGroupCommand({ GroupName: 'auditors' }));
  await root.send(new AddUserToGroupCommand({ GroupName: 'auditors', UserName: 'carol' }));
  await root.send(
    new PutGroupPolicyCommand({
      GroupName: 'auditors',
      PolicyName: 'no-secrets',
      PolicyDocument: doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::secrets/*' }),
    }),
  );
});
after(() => bonsai.stop());

test('SimulatePrincipalPolicy: a user with its group policies (allowed, explicit deny, implicit deny)', async () => {
  const out = await root.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/carol`,
      ActionNames: ['s3:GetObject', 's3:PutObject'],
      ResourceArns: ['arn:aws:s3:::public/a.txt', 'arn:aws:s3:::secrets/key'],
    }),
  );
  assert.equal(out.IsTruncated, false);
  const summary = out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision, r.MatchedStatements!.map((s) => [s.SourcePolicyId, s.SourcePolicyType])]);
  assert.deepEqual(summary, [
    ['s3:GetObject', 'arn:aws:s3:::public/a.txt', 'allowed', [['read-s3', 'user']]],
    ['s3:GetObject', 'arn:aws:s3:::secrets/key', 'explicitDeny', [['no-secrets', 'group']]],
    ['s3:PutObject', 'arn:aws:s3:::public/a.txt', 'implicitDeny', []],
    ['s3:PutObject', 'arn:aws:s3:::secrets/key', 'implicitDeny', []],
  ]);
  const first = out.EvaluationResults![0]!;
  assert.deepEqual(first.ResourceSpecificResults, [
    { EvalResourceName: 'arn:aws:s3:::public/a.txt', EvalResourceDecision: 'allowed', MatchedStatements: first.MatchedStatements, MissingContextValues: [] },
  ]);
  // The inline policy is stored compact: {"Version":"2012-10-17","Statement":{...}} puts the statement at column 37.
  assert.deepEqual(first.MatchedStatements![0]!.StartPosition, { Line: 1, Column: 38 });
});

test('SimulatePrincipalPolicy: a role limited by its permissions boundary, paginated', async () => {
  const boundary = await root.send(new CreatePolicyCommand({ PolicyName: 'only-s3', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }));
  await root.send(
    new CreateRoleCommand({
      RoleName: 'worker',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      PermissionsBoundary: boundary.Policy!.Arn,
    }),
  );
  await root.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'all', PolicyDocument: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }));

  const input = { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/worker`, ActionNames: ['s3:ListBucket', 'iam:CreateUser'], MaxItems: 1 };
  const page1 = await root.send(new SimulatePrincipalPolicyCommand(input));
  assert.equal(page1.IsTruncated, true);
  assert.deepEqual(
    page1.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision, r.PermissionsBoundaryDecisionDetail]),
    [['s3:ListBucket', '*', 'allowed', { AllowedByPermissionsBoundary: true }]],
  );
  const page2 = await root.send(new SimulatePrincipalPolicyCommand({ ...input, Marker: page1.Marker }));
  assert.equal(page2.IsTruncated, false);
  assert.equal(page2.Marker, undefined);
  assert.deepEqual(
    page2.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.MatchedStatements, r.PermissionsBoundaryDecisionDetail]),
    [['iam:CreateUser', 'implicitDeny', [], { AllowedByPermissionsBoundary: false }]],
  );
});

test('SimulatePrincipalPolicy: an unknown user is NoSuchEntity; a malformed ARN is InvalidInput', async () => {
  await assert.rejects(root.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/nobody`, ActionNames: ['s3:GetObject'] })), {
    name: 'NoSuchEntityException',
    message: 'The user with name nobody cannot be found.',
  });
  await assert.rejects(root.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:s3:::bucket-name', ActionNames: ['s3:GetObject'] })), {
    name: 'InvalidInputException',
    message: 'Invalid ARN arn:aws:s3:::bucket-name.',
  });
});

test('SimulateCustomPolicy: AWS CLI example (date context entry), missing context values and a resource policy', async () => {
  // The AWS CLI's documented example for simulate-custom-policy, with its documented output.
  const policy =
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
  const allowed = await root.send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [policy],
      ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    }),
  );
  assert.deepEqual(allowed.EvaluationResults, [
    {
      EvalActionName: 'dynamodb:CreateBackup',
      EvalResourceName: '*',
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
      MissingContextValues: [],
    },
  ]);
  const early = await root.send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [policy],
      ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2014-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    }),
  );
  assert.deepEqual(early.EvaluationResults, [{ EvalActionName: 'dynamodb:CreateBackup', EvalResourceName: '*', EvalDecision: 'implicitDeny', MatchedStatements: [], MissingContextValues: [] }]);
  const noContext = await root.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['dynamodb:CreateBackup'] }));
  assert.equal(noContext.EvaluationResults![0]!.EvalDecision, 'implicitDeny');
  assert.deepEqual(noContext.EvaluationResults![0]!.MissingContextValues, ['aws:CurrentTime']);

  // A bucket policy naming the caller allows on its own within the account.
  const caller = `arn:aws:iam::${ACCOUNT}:user/carol`;
  const viaResource = await root.send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [doc({ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' })],
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::shared/report.csv'],
      ResourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: caller }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }),
      ResourceOwner: `arn:aws:iam::${ACCOUNT}:root`,
      CallerArn: caller,
    }),
  );
  assert.deepEqual(
    viaResource.EvaluationResults!.map((r) => [r.EvalDecision, r.MatchedStatements!.map((s) => [s.SourcePolicyId, s.SourcePolicyType])]),
    [['allowed', [['ResourcePolicy', 'resource']]]],
  );
});

test('IAM authorizes Simulate* itself, and names existing roles as IAM does in denials', async () => {
  await root.send(new CreateUserCommand({ UserName: 'dave' }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: 'dave' }));
  const dave = iamAs(AccessKey!.AccessKeyId!, AccessKey!.SecretAccessKey!);
  await assert.rejects(dave.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{"Version":"2012-10-17","Statement":[]}'], ActionNames: ['s3:GetObject'] })), {
    name: 'AccessDenied',
    message: `User: arn:aws:iam::${ACCOUNT}:user/dave is not authorized to perform: iam:SimulateCustomPolicy because no identity-based policy allows the iam:SimulateCustomPolicy action`,
  });
  await assert.rejects(dave.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/carol`, ActionNames: ['s3:GetObject'] })), {
    name: 'AccessDenied',
    message: `User: arn:aws:iam::${ACCOUNT}:user/dave is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::${ACCOUNT}:user/carol because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
  });
  await assert.rejects(dave.send(new GetRoleCommand({ RoleName: 'worker' })), {
    name: 'AccessDenied',
    message: `User: arn:aws:iam::${ACCOUNT}:user/dave is not authorized to perform: iam:GetRole on resource: role worker because no identity-based policy allows the iam:GetRole action`,
  });
});
