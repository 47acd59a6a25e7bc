/**
 * Captures how real AWS clients put requests on the wire, for the codecs' golden tests.
 *
 *   npx tsx scripts/capture-wire-fixtures.ts
 *
 * Starts a loopback HTTP server that records every request and answers 400 (so no client retries),
 * then drives SDK v3 clients, boto3 and the AWS CLI v1 at it. Before each call the driver labels the
 * next request by GETting /__label?name=<svc>.<Operation>; the first request after a label is saved
 * as test/fixtures/wire/<client>/<svc>.<Operation>.json (method, raw target, headers, base64 body).
 * Re-run it when clients change; the tests read only the saved files.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DynamoDBClient, CreateTableCommand, ListBackupsCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeSpotPriceHistoryCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateUserCommand, IAMClient, PutUserPolicyCommand, TagRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeEventsCommand, RDSClient } from '@aws-sdk/client-rds';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

const execFileAsync = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixturesDir = join(repoRoot, 'test', 'fixtures', 'wire');

export interface WireFixture {
  client: string;
  name: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

let client = 'sdkv3';
let pendingLabel: string | undefined;
const saved: string[] = [];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Headers whose values change on every run; they are kept but normalised so reruns diff cleanly. */
const VOLATILE = new Set(['authorization', 'x-amz-date', 'amz-sdk-invocation-id', 'user-agent', 'x-amz-user-agent', 'host']);

const server = createServer(async (req, res) => {
  const body = await readBody(req);
  const target = req.url ?? '/';
  if (target.startsWith('/__label?name=')) {
    pendingLabel = decodeURIComponent(target.slice('/__label?name='.length));
    res.writeHead(204).end();
    return;
  }
  if (pendingLabel) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      headers[k] = VOLATILE.has(k) ? '<volatile>' : Array.isArray(v) ? v.join(',') : v;
    }
    const fixture: WireFixture = { client, name: pendingLabel, method: req.method ?? 'GET', target, headers, bodyBase64: body.toString('base64') };
    mkdirSync(join(fixturesDir, client), { recursive: true });
    writeFileSync(join(fixturesDir, client, `${pendingLabel}.json`), JSON.stringify(fixture, null, 2) + '\n');
    saved.push(`${client}/${pendingLabel}`);
    pendingLabel = undefined;
  }
  // A bare 400 makes every client give up at once (no retries) without parsing anything useful.
  res.writeHead(400, { 'content-type': 'text/plain' }).end('captured');
});

async function label(port: number, name: string): Promise<void> {
  await fetch(`http://127.0.0.1:${port}/__label?name=${encodeURIComponent(name)}`);
}

async function sdkCall(port: number, name: string, send: () => Promise<unknown>): Promise<void> {
  await label(port, name);
  await send().catch(() => undefined);
}

async function captureSdkV3(port: number): Promise<void> {
  client = 'sdkv3';
  const common = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  };
  const sts = new STSClient(common);
  await sdkCall(port, 'sts.AssumeRole', () =>
    sts.send(new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::123456789012:role/demo', RoleSessionName: 'sess one', DurationSeconds: 900,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::123456789012:policy/p+q' }],
      Tags: [{ Key: 'team', Value: 'a&b=c' }, { Key: 'env', Value: 'dev' }], TransitiveTagKeys: ['team'],
    })));
  const iam = new IAMClient(common);
  await sdkCall(port, 'iam.CreateUser', () =>
    iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'k 1', Value: 'v/1' }] })));
  await sdkCall(port, 'iam.PutUserPolicy', () =>
    iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'inline', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' })));
  await sdkCall(port, 'iam.TagRole', () => iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [] })));
  const sns = new SNSClient(common);
  await sdkCall(port, 'sns.Publish', () =>
    sns.send(new PublishCommand({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hello\r\nworld', Subject: 'hi',
      MessageAttributes: {
        color: { DataType: 'String', StringValue: 'blue' },
        raw: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 2, 255]) },
      },
    })));
  const rds = new RDSClient(common);
  await sdkCall(port, 'rds.DescribeEvents', () =>
    rds.send(new DescribeEventsCommand({
      StartTime: new Date('2024-01-02T03:04:05.678Z'), EndTime: new Date('2024-01-03T00:00:00Z'), Duration: 60,
      EventCategories: ['backup', 'failover'], MaxRecords: 20,
    })));
  const ec2 = new EC2Client(common);
  await sdkCall(port, 'ec2.RunInstances', () =>
    ec2.send(new RunInstancesCommand({
      ImageId: 'ami-12345678', InstanceType: 't3.micro', MinCount: 1, MaxCount: 2, EbsOptimized: true,
      UserData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, DeleteOnTermination: false, VolumeType: 'gp3' } }],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web 1' }, { Key: 'env', Value: 'dev' }] }],
      SecurityGroupIds: ['sg-1', 'sg-2'],
    })));
  await sdkCall(port, 'ec2.DescribeInstances', () =>
    ec2.send(new DescribeInstancesCommand({
      Filters: [{ Name: 'instance-state-name', Values: ['running', 'pending'] }, { Name: 'tag:Name', Values: ['web 1'] }],
      InstanceIds: ['i-1'], MaxResults: 10,
    })));
  await sdkCall(port, 'ec2.DescribeSpotPriceHistory', () =>
    ec2.send(new DescribeSpotPriceHistoryCommand({ StartTime: new Date('2024-01-02T03:04:05Z'), InstanceTypes: ['t3.micro'] })));
  const ddb = new DynamoDBClient(common);
  await sdkCall(port, 'dynamodb.PutItem', () =>
    ddb.send(new PutItemCommand({
      TableName: 'T',
      Item: {
        pk: { S: 'a' }, n: { N: '1.5' }, b: { B: Uint8Array.from([1, 2, 3]) }, ok: { BOOL: true }, nothing: { NULL: true },
        l: { L: [{ S: 'x' }, { N: '2' }] }, m: { M: { inner: { SS: ['p', 'q'] } } },
      },
      ConditionExpression: 'attribute_not_exists(pk)', ReturnValues: 'ALL_OLD',
    })));
  await sdkCall(port, 'dynamodb.Query', () =>
    ddb.send(new QueryCommand({
      TableName: 'T', KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': 'pk' },
      ExpressionAttributeValues: { ':v': { S: 'a' } }, Limit: 5, ScanIndexForward: false, ConsistentRead: true,
    })));
  await sdkCall(port, 'dynamodb.CreateTable', () =>
    ddb.send(new CreateTableCommand({
      TableName: 'T', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      Tags: [{ Key: 'team', Value: 'x' }],
    })));
  await sdkCall(port, 'dynamodb.ListBackups', () =>
    ddb.send(new ListBackupsCommand({ TimeRangeLowerBound: new Date('2024-01-02T03:04:05.5Z'), Limit: 3 })));
  const sm = new SecretsManagerClient(common);
  await sdkCall(port, 'secretsmanager.CreateSecret', () =>
    sm.send(new CreateSecretCommand({
      Name: 'db/pass', SecretBinary: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]), ClientRequestToken: '11111111-2222-3333-4444-555555555555',
      Tags: [{ Key: 'a', Value: 'b' }], ForceOverwriteReplicaSecret: false,
    })));
  const lambda = new LambdaClient(common);
  await sdkCall(port, 'lambda.Invoke', () =>
    lambda.send(new InvokeCommand({
      FunctionName: 'my-fn', Qualifier: '$LATEST', InvocationType: 'RequestResponse', LogType: 'Tail',
      ClientContext: Buffer.from('{"custom":1}').toString('base64'), Payload: Buffer.from('{"hello":"world"}'),
    })));
  await sdkCall(port, 'lambda.CreateFunction', () =>
    lambda.send(new CreateFunctionCommand({
      FunctionName: 'my-fn', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::123456789012:role/r', Handler: 'index.handler',
      Code: { ZipFile: Uint8Array.from([0x50, 0x4b, 0x03, 0x04]) }, Timeout: 30, MemorySize: 256, Publish: true,
      Environment: { Variables: { A: '1', B: 'two words' } }, Tags: { team: 'x' }, Architectures: ['x86_64'],
    })));
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  await sdkCall(port, 's3.PutObject', () =>
    s3.send(new PutObjectCommand({
      Bucket: 'bkt', Key: 'dir/a b+c%.txt', Body: 'hello body', ContentType: 'text/plain',
      Metadata: { owner: 'alice', 'two-words': 'x y' }, CacheControl: 'no-cache',
    })));
  await sdkCall(port, 's3.GetObject', () =>
    s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'k', Range: 'bytes=0-9', IfModifiedSince: new Date('2024-01-02T03:04:05Z'), VersionId: 'v1' })));
  await sdkCall(port, 's3.PutBucketVersioning', () =>
    s3.send(new PutBucketVersioningCommand({ Bucket: 'bkt', VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Disabled' } })));
  await sdkCall(port, 's3.DeleteObjects', () =>
    s3.send(new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'a' }, { Key: ' b&<c> ', VersionId: 'v2' }], Quiet: true } })));
  await sdkCall(port, 's3.ListObjectsV2', () =>
    s3.send(new ListObjectsV2Command({ Bucket: 'bkt', Prefix: 'dir/', MaxKeys: 2, StartAfter: 'dir/a', Delimiter: '/', FetchOwner: true })));
}

/** boto3 drives the same operations from Python (botocore's serializers). */
async function captureBoto3(port: number): Promise<void> {
  client = 'boto3';
  const script = String.raw`
import sys, urllib.request, datetime, boto3
from botocore.config import Config
port = int(sys.argv[1])
ep = 'http://127.0.0.1:%d' % port
cfg = Config(retries={'max_attempts': 1, 'mode': 'standard'}, s3={'addressing_style': 'path'})
def c(svc):
    return boto3.client(svc, endpoint_url=ep, region_name='us-east-1', aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret', config=cfg)
def call(name, fn):
    urllib.request.urlopen(ep + '/__label?name=' + name).read()
    try:
        fn()
    except Exception:
        pass
sts = c('sts')
call('sts.AssumeRole', lambda: sts.assume_role(RoleArn='arn:aws:iam::123456789012:role/demo', RoleSessionName='sess one', DurationSeconds=900,
    PolicyArns=[{'arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess'}, {'arn': 'arn:aws:iam::123456789012:policy/p+q'}],
    Tags=[{'Key': 'team', 'Value': 'a&b=c'}, {'Key': 'env', 'Value': 'dev'}], TransitiveTagKeys=['team']))
iam = c('iam')
call('iam.CreateUser', lambda: iam.create_user(UserName='alice', Path='/eng/', Tags=[{'Key': 'k 1', 'Value': 'v/1'}]))
call('iam.TagRole', lambda: iam.tag_role(RoleName='r', Tags=[]))
sns = c('sns')
call('sns.Publish', lambda: sns.publish(TopicArn='arn:aws:sns:us-east-1:123456789012:t', Message='hello\r\nworld', Subject='hi',
    MessageAttributes={'color': {'DataType': 'String', 'StringValue': 'blue'}, 'raw': {'DataType': 'Binary', 'BinaryValue': bytes([0, 1, 2, 255])}}))
rds = c('rds')
call('rds.DescribeEvents', lambda: rds.describe_events(StartTime=datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc),
    EndTime=datetime.datetime(2024, 1, 3, tzinfo=datetime.timezone.utc), Duration=60, EventCategories=['backup', 'failover'], MaxRecords=20))
ec2 = c('ec2')
call('ec2.RunInstances', lambda: ec2.run_instances(ImageId='ami-12345678', InstanceType='t3.micro', MinCount=1, MaxCount=2, EbsOptimized=True,
    UserData='#!/bin/sh\necho hi\n',
    BlockDeviceMappings=[{'DeviceName': '/dev/xvda', 'Ebs': {'VolumeSize': 8, 'DeleteOnTermination': False, 'VolumeType': 'gp3'}}],
    TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'web 1'}, {'Key': 'env', 'Value': 'dev'}]}],
    SecurityGroupIds=['sg-1', 'sg-2']))
call('ec2.DescribeInstances', lambda: ec2.describe_instances(Filters=[{'Name': 'instance-state-name', 'Values': ['running', 'pending']},
    {'Name': 'tag:Name', 'Values': ['web 1']}], InstanceIds=['i-1'], MaxResults=10))
ddb = c('dynamodb')
call('dynamodb.PutItem', lambda: ddb.put_item(TableName='T', Item={'pk': {'S': 'a'}, 'n': {'N': '1.5'}, 'b': {'B': bytes([1, 2, 3])},
    'ok': {'BOOL': True}, 'nothing': {'NULL': True}, 'l': {'L': [{'S': 'x'}, {'N': '2'}]}, 'm': {'M': {'inner': {'SS': ['p', 'q']}}}},
    ConditionExpression='attribute_not_exists(pk)', ReturnValues='ALL_OLD'))
call('dynamodb.ListBackups', lambda: ddb.list_backups(TimeRangeLowerBound=datetime.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=datetime.timezone.utc), Limit=3))
sm = c('secretsmanager')
call('secretsmanager.CreateSecret', lambda: sm.create_secret(Name='db/pass', SecretBinary=bytes([0xde, 0xad, 0xbe, 0xef]),
    ClientRequestToken='11111111-2222-3333-4444-555555555555', Tags=[{'Key': 'a', 'Value': 'b'}], ForceOverwriteReplicaSecret=False))
lam = c('lambda')
call('lambda.Invoke', lambda: lam.invoke(FunctionName='my-fn', Qualifier='$LATEST', InvocationType='RequestResponse', LogType='Tail',
    Payload=b'{"hello":"world"}'))
call('lambda.CreateFunction', lambda: lam.create_function(FunctionName='my-fn', Runtime='nodejs20.x', Role='arn:aws:iam::123456789012:role/r',
    Handler='index.handler', Code={'ZipFile': bytes([0x50, 0x4b, 3, 4])}, Timeout=30, MemorySize=256, Publish=True,
    Environment={'Variables': {'A': '1', 'B': 'two words'}}, Tags={'team': 'x'}, Architectures=['x86_64']))
s3 = c('s3')
call('s3.PutObject', lambda: s3.put_object(Bucket='bkt', Key='dir/a b+c%.txt', Body=b'hello body', ContentType='text/plain',
    Metadata={'owner': 'alice', 'two-words': 'x y'}, CacheControl='no-cache'))
call('s3.GetObject', lambda: s3.get_object(Bucket='bkt', Key='k', Range='bytes=0-9',
    IfModifiedSince=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), VersionId='v1'))
call('s3.PutBucketVersioning', lambda: s3.put_bucket_versioning(Bucket='bkt', VersioningConfiguration={'Status': 'Enabled', 'MFADelete': 'Disabled'}))
call('s3.DeleteObjects', lambda: s3.delete_objects(Bucket='bkt', Delete={'Objects': [{'Key': 'a'}, {'Key': ' b&<c> ', 'VersionId': 'v2'}], 'Quiet': True}))
call('s3.ListObjectsV2', lambda: s3.list_objects_v2(Bucket='bkt', Prefix='dir/', MaxKeys=2, StartAfter='dir/a', Delimiter='/', FetchOwner=True))
`;
  // Asynchronous on purpose: a synchronous child would block this process's recorder server.
  await execFileAsync('python3', ['-c', script, String(port)]);
}

/**
 * The AWS CLI: v1 ('awscli', botocore underneath, its own argument handling and defaults) and v2
 * ('awscli2', Debian's /usr/bin/aws, its own bundled botocore).
 */
async function captureAwsCli(port: number, name: 'awscli' | 'awscli2', binary: string): Promise<void> {
  client = name;
  const v2Only = name === 'awscli2' ? ['--cli-binary-format', 'raw-in-base64-out'] : [];
  const home = mkdtempSync(join(tmpdir(), 'bonsai-cli-'));
  writeFileSync(join(home, 'config'), '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n');
  const env = {
    ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_MAX_ATTEMPTS: '1',
    AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_PAGER: '',
  };
  const run = async (name: string, args: string[]): Promise<void> => {
    await label(port, name);
    try {
      await execFileAsync(binary, ['--endpoint-url', `http://127.0.0.1:${port}`, ...args], { env, cwd: home });
    } catch {
      // every call "fails" against the recorder: only the request matters
    }
  };
  await run('sts.AssumeRole', ['sts', 'assume-role', '--role-arn', 'arn:aws:iam::123456789012:role/demo', '--role-session-name', 'sess one',
    '--duration-seconds', '900', '--tags', 'Key=team,Value=a&b', 'Key=env,Value=dev']);
  await run('iam.CreateUser', ['iam', 'create-user', '--user-name', 'alice', '--path', '/eng/', '--tags', 'Key=k 1,Value=v/1']);
  await run('sns.Publish', ['sns', 'publish', '--topic-arn', 'arn:aws:sns:us-east-1:123456789012:t', '--message', 'hello',
    '--message-attributes', '{"color":{"DataType":"String","StringValue":"blue"}}']);
  await run('ec2.DescribeInstances', ['ec2', 'describe-instances', '--filters', 'Name=instance-state-name,Values=running,pending', '--instance-ids', 'i-1']);
  await run('dynamodb.PutItem', ['dynamodb', 'put-item', '--table-name', 'Tbl', '--item', '{"pk":{"S":"a"},"n":{"N":"1.5"},"ok":{"BOOL":true}}']);
  await run('secretsmanager.CreateSecret', ['secretsmanager', 'create-secret', '--name', 'db/pass', '--secret-string', 's3cr3t',
    '--client-request-token', '11111111-2222-3333-4444-555555555555']);
  await run('lambda.Invoke', ['lambda', 'invoke', '--function-name', 'my-fn', '--payload', '{"hello":"world"}',
    '--qualifier', 'live', ...v2Only, join(home, 'out.json')]);
  await run('s3.PutObject', ['s3api', 'put-object', '--bucket', 'bkt', '--key', 'dir/a b+c%.txt', '--content-type', 'text/plain',
    '--metadata', 'owner=alice', '--body', join(home, 'config')]);
  await run('s3.ListObjectsV2', ['s3api', 'list-objects-v2', '--bucket', 'bkt', '--prefix', 'dir/', '--max-keys', '2', '--no-paginate']);
}

async function main(): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    await captureSdkV3(port);
    await captureBoto3(port);
    await captureAwsCli(port, 'awscli', 'aws');
    await captureAwsCli(port, 'awscli2', '/usr/bin/aws');
  } finally {
    server.close();
  }
  console.log(`saved ${saved.length} fixtures:\n  ${saved.join('\n  ')}`);
}

await main();
