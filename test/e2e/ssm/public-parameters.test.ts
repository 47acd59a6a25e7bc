// SSM's public AMI parameters end to end with the AWS CLI v2 and boto3 (the SDK for JavaScript's
// client-ssm is not installed): the values are EC2 catalog images of the signed region, missing
// names are InvalidParameters or ParameterNotFound without a message, and IAM decides on the
// parameter ARN (which has no account).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { AWS_CLI_V2, runCli, runPython } from '../../helpers/clients.ts';
import { imageByKey } from '../../../src/services/ec2/catalog/index.ts';

const AL2023 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const UBUNTU = '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id';
const DEBIAN = '/aws/service/debian/release/12/latest/amd64';

let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

const haveCliV2 = existsSync(AWS_CLI_V2);

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, '--output', 'json', ...args], env);
}

test('AWS CLI v2: get-parameters resolves the AMI aliases to the region\'s catalog images', { skip: !haveCliV2 && 'AWS CLI v2 is not installed' }, async () => {
  const result = await cli(['ssm', 'get-parameters', '--region', 'eu-west-1', '--names', AL2023, UBUNTU, DEBIAN, '/aws/service/nope']);
  assert.equal(result.code, 0, result.stderr);
  const body = JSON.parse(result.stdout);
  assert.deepEqual(body.InvalidParameters, ['/aws/service/nope']);
  assert.deepEqual(
    body.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value]),
    [
      [AL2023, imageByKey('eu-west-1', 'al2023-x86_64')!.ImageId],
      [UBUNTU, imageByKey('eu-west-1', 'ubuntu-22.04-amd64')!.ImageId],
      [DEBIAN, imageByKey('eu-west-1', 'debian-12-amd64')!.ImageId],
    ],
  );
  const al = body.Parameters[0];
  assert.equal(al.Type, 'String');
  assert.equal(al.DataType, 'text');
  assert.equal(al.Version, 118);
  assert.equal(al.ARN, `arn:aws:ssm:eu-west-1::parameter${AL2023}`);
  assert.equal(typeof al.LastModifiedDate, 'string');
});

test('AWS CLI v2: get-parameter of an unknown name is ParameterNotFound with an empty message', { skip: !haveCliV2 && 'AWS CLI v2 is not installed' }, async () => {
  const result = await cli(['ssm', 'get-parameter', '--region', 'us-east-1', '--name', '/aws/service/ami-amazon-linux-latest/nope']);
  assert.equal(result.code, 254);
  // The CLI appends the retry count (AWS_MAX_ATTEMPTS=1) and then the message, which is empty.
  assert.equal(result.stderr.trim(), 'An error occurred (ParameterNotFound) when calling the GetParameter operation (reached max retries: 0):');
});

test('boto3: get_parameter, get_parameters_by_path (direct children, paged) and the error', async () => {
  const script = `
import boto3, json
ssm = boto3.client('ssm', endpoint_url='${bonsai.endpoint}', region_name='us-west-2')
one = ssm.get_parameter(Name='${AL2023}')['Parameter']
names = []
for page in ssm.get_paginator('get_parameters_by_path').paginate(Path='/aws/service/ami-amazon-linux-latest'):
    names += [p['Name'] for p in page['Parameters']]
shallow = ssm.get_parameters_by_path(Path='/aws/service/canonical/ubuntu/server')['Parameters']
deep = []
for page in ssm.get_paginator('get_parameters_by_path').paginate(Path='/aws/service/canonical/ubuntu/server/22.04', Recursive=True):
    deep += [p['Name'] for p in page['Parameters']]
try:
    ssm.get_parameter(Name='/my/own')
    error = None
except ssm.exceptions.ParameterNotFound as e:
    error = [e.response['Error']['Code'], e.response['Error'].get('Message', '')]
print(json.dumps({'value': one['Value'], 'arn': one['ARN'], 'names': names, 'shallow': len(shallow), 'deep': deep, 'error': error}))
`;
  const result = await runPython(script);
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  assert.equal(out.value, imageByKey('us-west-2', 'al2023-x86_64')!.ImageId);
  assert.equal(out.arn, `arn:aws:ssm:us-west-2::parameter${AL2023}`);
  assert.equal(out.names.length, 11);
  assert.ok(out.names.includes('/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2'));
  assert.equal(out.shallow, 0, 'the Ubuntu parameters are several levels below /server');
  assert.deepEqual(out.deep, [
    '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id',
    '/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id',
  ]);
  assert.deepEqual(out.error, ['ParameterNotFound', '']);
});

test('IAM: ssm:GetParameter is decided on the account-less public parameter ARN', async () => {
  const iam = new IAMClient({
    endpoint: bonsai.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
    maxAttempts: 1,
  });
  await iam.send(new CreateUserCommand({ UserName: 'ami-reader' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'ami-reader',
      PolicyName: 'al-only',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*::parameter/aws/service/ami-amazon-linux-latest/*' }],
      }),
    }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ami-reader' }))).AccessKey!;
  const script = (name: string) => `
import boto3, json
ssm = boto3.client('ssm', endpoint_url='${bonsai.endpoint}', region_name='us-east-1',
  aws_access_key_id='${key.AccessKeyId}', aws_secret_access_key='${key.SecretAccessKey}')
try:
    print(json.dumps(['ok', ssm.get_parameter(Name='${name}')['Parameter']['Value']]))
except Exception as e:
    print(json.dumps([e.response['Error']['Code'], e.response['Error']['Message']]))
`;
  const allowed = JSON.parse((await runPython(script(AL2023))).stdout);
  assert.deepEqual(allowed, ['ok', imageByKey('us-east-1', 'al2023-x86_64')!.ImageId]);
  const denied = JSON.parse((await runPython(script(DEBIAN))).stdout);
  assert.deepEqual(denied, [
    'AccessDeniedException',
    `User: arn:aws:iam::${TEST_ACCOUNT.accountId}:user/ami-reader is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1::parameter${DEBIAN} because no identity-based policy allows the ssm:GetParameter action`,
  ]);
});
