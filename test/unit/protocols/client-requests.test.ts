/**
 * Golden test 1: requests real clients put on the wire (captured by scripts/capture-wire-fixtures.ts
 * from SDK v3, boto3 and the AWS CLI v1 and v2) parse to exactly the input the client was given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codecFor } from '../../../src/protocols/index.ts';
import { testModel } from '../../helpers/models.ts';
import { fixtureRequest, listWireFixtures, loadWireFixture } from '../../helpers/wire-fixtures.ts';

const b = (...bytes: number[]) => Buffer.from(bytes);
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** What every client was asked to send, as the codec should hand it to the provider. */
const expected: Record<string, Record<string, unknown>> = {
  'sts.AssumeRole': {
    RoleArn: 'arn:aws:iam::123456789012:role/demo', RoleSessionName: 'sess one', DurationSeconds: 900,
    PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::123456789012:policy/p+q' }],
    Tags: [{ Key: 'team', Value: 'a&b=c' }, { Key: 'env', Value: 'dev' }], TransitiveTagKeys: ['team'],
  },
  'iam.CreateUser': { Path: '/eng/', UserName: 'alice', Tags: [{ Key: 'k 1', Value: 'v/1' }] },
  'iam.PutUserPolicy': {
    UserName: 'alice', PolicyName: 'inline',
    PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
  },
  'iam.TagRole': { RoleName: 'r', Tags: [] },
  'sns.Publish': {
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hello\r\nworld', Subject: 'hi',
    MessageAttributes: { color: { DataType: 'String', StringValue: 'blue' }, raw: { DataType: 'Binary', BinaryValue: b(0, 1, 2, 255) } },
  },
  'rds.DescribeEvents': {
    StartTime: new Date('2024-01-02T03:04:05.678Z'), EndTime: new Date('2024-01-03T00:00:00Z'), Duration: 60,
    EventCategories: ['backup', 'failover'], MaxRecords: 20,
  },
  'ec2.RunInstances': {
    ImageId: 'ami-12345678', InstanceType: 't3.micro', MinCount: 1, MaxCount: 2, EbsOptimized: true,
    UserData: 'IyEvYmluL3NoCmVjaG8gaGkK',
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, DeleteOnTermination: false, VolumeType: 'gp3' } }],
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web 1' }, { Key: 'env', Value: 'dev' }] }],
    SecurityGroupIds: ['sg-1', 'sg-2'],
  },
  'ec2.DescribeInstances': {
    Filters: [{ Name: 'instance-state-name', Values: ['running', 'pending'] }, { Name: 'tag:Name', Values: ['web 1'] }],
    InstanceIds: ['i-1'], MaxResults: 10,
  },
  'ec2.DescribeSpotPriceHistory': { StartTime: new Date('2024-01-02T03:04:05Z'), InstanceTypes: ['t3.micro'] },
  'dynamodb.PutItem': {
    TableName: 'T',
    Item: {
      pk: { S: 'a' }, n: { N: '1.5' }, b: { B: b(1, 2, 3) }, ok: { BOOL: true }, nothing: { NULL: true },
      l: { L: [{ S: 'x' }, { N: '2' }] }, m: { M: { inner: { SS: ['p', 'q'] } } },
    },
    ConditionExpression: 'attribute_not_exists(pk)', ReturnValues: 'ALL_OLD',
  },
  'dynamodb.Query': {
    TableName: 'T', KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': 'pk' },
    ExpressionAttributeValues: { ':v': { S: 'a' } }, Limit: 5, ScanIndexForward: false, ConsistentRead: true,
  },
  'dynamodb.CreateTable': {
    TableName: 'T', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    Tags: [{ Key: 'team', Value: 'x' }],
  },
  'dynamodb.ListBackups': { TimeRangeLowerBound: new Date('2024-01-02T03:04:05.5Z'), Limit: 3 },
  'secretsmanager.CreateSecret': {
    Name: 'db/pass', SecretBinary: b(0xde, 0xad, 0xbe, 0xef), ClientRequestToken: '11111111-2222-3333-4444-555555555555',
    Tags: [{ Key: 'a', Value: 'b' }], ForceOverwriteReplicaSecret: false,
  },
  'lambda.Invoke': {
    FunctionName: 'my-fn', Qualifier: '$LATEST', InvocationType: 'RequestResponse', LogType: 'Tail',
    ClientContext: 'eyJjdXN0b20iOjF9', Payload: utf8('{"hello":"world"}'),
  },
  'lambda.CreateFunction': {
    FunctionName: 'my-fn', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::123456789012:role/r', Handler: 'index.handler',
    Code: { ZipFile: b(0x50, 0x4b, 3, 4) }, Timeout: 30, MemorySize: 256, Publish: true,
    Environment: { Variables: { A: '1', B: 'two words' } }, Tags: { team: 'x' }, Architectures: ['x86_64'],
  },
  's3.PutObject': {
    Bucket: 'bkt', Key: 'dir/a b+c%.txt', Body: utf8('hello body'), ContentType: 'text/plain', CacheControl: 'no-cache',
    Metadata: { owner: 'alice', 'two-words': 'x y' }, ChecksumAlgorithm: 'CRC32', ChecksumCRC32: 'PpM9WQ==', ContentLength: 10,
  },
  's3.GetObject': {
    Bucket: 'bkt', Key: 'k', Range: 'bytes=0-9', IfModifiedSince: new Date('2024-01-02T03:04:05Z'), VersionId: 'v1', ChecksumMode: 'ENABLED',
  },
  's3.PutBucketVersioning': { Bucket: 'bkt', ChecksumAlgorithm: 'CRC32', VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Disabled' } },
  's3.DeleteObjects': { Bucket: 'bkt', ChecksumAlgorithm: 'CRC32', Delete: { Objects: [{ Key: 'a' }, { Key: ' b&<c> ', VersionId: 'v2' }], Quiet: true } },
  's3.ListObjectsV2': { Bucket: 'bkt', Prefix: 'dir/', MaxKeys: 2, StartAfter: 'dir/a', Delimiter: '/', FetchOwner: true },
};

/** Where a client legitimately sends something else (its own defaults, or a smaller CLI call). */
const perClient: Record<string, Record<string, (input: Record<string, unknown>) => Record<string, unknown>>> = {
  boto3: {
    // botocore sends json timestamps as whole epoch seconds, dropping the fraction.
    'dynamodb.ListBackups': (e) => ({ ...e, TimeRangeLowerBound: new Date('2024-01-02T03:04:05Z') }),
    'lambda.Invoke': ({ ClientContext: _cc, ...e }) => e,
    's3.ListObjectsV2': (e) => ({ ...e, EncodingType: 'url' }),
    's3.PutObject': ({ ChecksumCRC32: _c, ...e }) => ({ ...e, ChecksumCRC32: 'PpM9WQ==', ContentLength: 10 }),
  },
  awscli: {
    'sts.AssumeRole': ({ PolicyArns: _p, TransitiveTagKeys: _t, ...e }) => ({ ...e, Tags: [{ Key: 'team', Value: 'a&b' }, { Key: 'env', Value: 'dev' }] }),
    'sns.Publish': () => ({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hello', MessageAttributes: { color: { DataType: 'String', StringValue: 'blue' } } }),
    'ec2.DescribeInstances': (e) => ({ ...e, Filters: [(e.Filters as unknown[])[0]], MaxResults: undefined }),
    'dynamodb.PutItem': () => ({ TableName: 'Tbl', Item: { pk: { S: 'a' }, n: { N: '1.5' }, ok: { BOOL: true } } }), // CLI v2 2.9 refuses names under 3 characters
    'secretsmanager.CreateSecret': () => ({ Name: 'db/pass', SecretString: 's3cr3t', ClientRequestToken: '11111111-2222-3333-4444-555555555555' }),
    'lambda.Invoke': () => ({ FunctionName: 'my-fn', Qualifier: 'live', Payload: utf8('{"hello":"world"}') }),
    's3.ListObjectsV2': () => ({ Bucket: 'bkt', Prefix: 'dir/', MaxKeys: 2, EncodingType: 'url' }),
  },
};

// AWS CLI v2 was asked exactly what v1 was (plus --cli-binary-format raw-in-base64-out for Lambda's payload).
perClient.awscli2 = perClient.awscli!;

/** Members whose value each client invents per call (idempotency tokens, body checksums). */
const VOLATILE_MEMBERS = ['ClientToken', 'ChecksumCRC32', 'ContentMD5', 'ContentLength'];

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

for (const [client, name] of listWireFixtures()) {
  test(`${client} ${name} parses to the input the client was given`, () => {
    const svc = name.split('.')[0]!;
    const model = testModel(svc);
    const codec = codecFor(model.metadata.protocol);
    const fixture = loadWireFixture(client, name);
    const req = fixtureRequest(fixture);
    const operation = codec.resolveOperation(req, model);
    assert.equal(operation.name, name.split('.')[1]);
    const input = codec.parseInput(req, req.body, model, operation);
    let want = expected[name];
    assert.ok(want, `no expectation for ${name}`);
    const adjust = perClient[client]?.[name];
    if (adjust) want = adjust(want);
    // The CLI uploads a file and the body's checksum/length vary with it: compare what is stable.
    const got: Record<string, unknown> = { ...input };
    const wantStable: Record<string, unknown> = { ...want };
    for (const m of VOLATILE_MEMBERS) {
      if (m in got) assert.ok(got[m] !== '', `${m} present`);
      delete got[m];
      delete wantStable[m];
    }
    if ((client === 'awscli' || client === 'awscli2') && name === 's3.PutObject') {
      assert.ok(Buffer.isBuffer(got.Body));
      delete got.Body;
      delete wantStable.Body;
      delete wantStable.CacheControl;
      delete wantStable.ChecksumAlgorithm;
      wantStable.Metadata = { owner: 'alice' };
      got.ChecksumAlgorithm = undefined;
    }
    assert.deepStrictEqual(withoutUndefined(got), withoutUndefined(wantStable));
  });
}

test('volatile members still parse: SDK v3 PutObject carries its CRC32 and length', () => {
  const model = testModel('s3');
  const codec = codecFor('rest-xml');
  const req = fixtureRequest(loadWireFixture('sdkv3', 's3.PutObject'));
  const input = codec.parseInput(req, req.body, model, codec.resolveOperation(req, model));
  assert.equal(input.ChecksumCRC32, 'PpM9WQ==');
  assert.equal(input.ContentLength, 10);
});

test('EC2 RunInstances idempotency token is read as a string', () => {
  const model = testModel('ec2');
  const codec = codecFor('ec2');
  const req = fixtureRequest(loadWireFixture('sdkv3', 'ec2.RunInstances'));
  const input = codec.parseInput(req, req.body, model, codec.resolveOperation(req, model));
  assert.match(String(input.ClientToken), /^[0-9a-f-]{36}$/);
});
