// `sts get-caller-identity` through AWS CLI v1, AWS CLI v2 and boto3, plus their view of failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { AWS_CLI_V2, awsCliV1Path, runCli, runPython } from '../../helpers/clients.ts';

let bonsai: TestBonsai;
let cliV1: string;
before(async () => {
  bonsai = await startTestBonsai();
  cliV1 = await awsCliV1Path();
});
after(() => bonsai.stop());

const ROOT_IDENTITY = () => ({ UserId: TEST_ACCOUNT.accountId, Account: TEST_ACCOUNT.accountId, Arn: `arn:aws:iam::${TEST_ACCOUNT.accountId}:root` });

test('AWS CLI v1: sts get-caller-identity', async () => {
  const out = await runCli(cliV1, ['--endpoint-url', bonsai.endpoint, 'sts', 'get-caller-identity', '--output', 'json']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /^$/);
  assert.deepEqual(JSON.parse(out.stdout), ROOT_IDENTITY());
});

test('AWS CLI v1: a wrong secret is SignatureDoesNotMatch', async () => {
  const out = await runCli(cliV1, ['--endpoint-url', bonsai.endpoint, 'sts', 'get-caller-identity'], { AWS_SECRET_ACCESS_KEY: 'y'.repeat(40) });
  assert.equal(out.code, 255); // CLI v1 exits 255 on service errors; v2 exits 254
  assert.match(out.stderr, /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation( \(reached max retries: 0\))?: The request signature we calculated does not match/);
});

test('AWS CLI v2: sts get-caller-identity', { skip: !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed (.ci/run installs it)' }, async () => {
  const version = await runCli(AWS_CLI_V2, ['--version']);
  assert.match(version.stdout + version.stderr, /^aws-cli\/2\./);
  const out = await runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, 'sts', 'get-caller-identity', '--output', 'json']);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), ROOT_IDENTITY());
});

test('AWS CLI v2: an unknown key is InvalidClientTokenId', { skip: !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed' }, async () => {
  const out = await runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, 'sts', 'get-caller-identity'], { AWS_ACCESS_KEY_ID: 'AKIAZZZZZZZZZZZZZZZZ' });
  assert.equal(out.code, 254);
  assert.match(out.stderr, /An error occurred \(InvalidClientTokenId\) when calling the GetCallerIdentity operation( \(reached max retries: 0\))?: The security token included in the request is invalid\./);
});

test('boto3: get_caller_identity, and ClientError codes for bad credentials', async () => {
  const script = `
import boto3, json, botocore
from botocore.config import Config
cfg = Config(retries={"max_attempts": 1})
def client(secret=None, key=None):
    return boto3.client("sts", endpoint_url="${bonsai.endpoint}", region_name="eu-west-1", config=cfg,
        aws_access_key_id=key or "${TEST_ACCOUNT.accessKeyId}", aws_secret_access_key=secret or "${TEST_ACCOUNT.secretAccessKey}")
ident = client().get_caller_identity()
out = {"identity": {k: ident[k] for k in ("UserId", "Account", "Arn")}}
for name, kwargs in (("badSecret", {"secret": "z" * 40}), ("badKey", {"key": "AKIAQQQQQQQQQQQQQQQQ"})):
    try:
        client(**kwargs).get_caller_identity()
        out[name] = None
    except botocore.exceptions.ClientError as e:
        out[name] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;
  const out = await runPython(script);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), {
    identity: ROOT_IDENTITY(),
    badSecret: ['SignatureDoesNotMatch', 403],
    badKey: ['InvalidClientTokenId', 403],
  });
});
