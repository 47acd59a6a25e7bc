/**
 * Golden test 2a: what the codecs write, SDK v3 clients read. Each case serialises an output or an
 * AwsError with the codec and hands the bytes to a real client through a replaying request handler.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { InvokeCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsError } from '../../../src/core/errors.ts';
import type { RawResponse } from '../../../src/core/http.ts';
import { codecFor } from '../../../src/protocols/index.ts';
import { testModel } from '../../helpers/models.ts';
import { replayClientConfig } from '../../helpers/sdk-replay.ts';

const ctx = { requestId: 'req-1234', now: new Date('2024-01-01T00:00:00Z') };

function output(svc: string, op: string, value: Record<string, unknown>): RawResponse {
  const model = testModel(svc);
  return codecFor(model.metadata.protocol).serializeOutput(value, model, model.operations[op]!, ctx);
}

function error(svc: string, op: string | undefined, err: AwsError): RawResponse {
  const model = testModel(svc);
  return codecFor(model.metadata.protocol).serializeError(err, model, op ? model.operations[op] : undefined, ctx);
}

async function thrown(p: Promise<unknown>): Promise<Record<string, any>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, any>;
  }
  assert.fail('expected the client to throw');
}

test('query: STS AssumeRole output parses, timestamps and nested structures included', async () => {
  const raw = output('sts', 'AssumeRole', {
    Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 's/k+y', SessionToken: 'tok&<>', Expiration: new Date('2024-01-01T01:00:00Z') },
    AssumedRoleUser: { AssumedRoleId: 'AROA:sess', Arn: 'arn:aws:sts::123456789012:assumed-role/demo/sess' },
    PackedPolicySize: 6,
  });
  assert.equal(raw.headers['Content-Type'], 'text/xml');
  assert.equal(raw.headers['x-amzn-RequestId'], 'req-1234');
  const out = await new STSClient(replayClientConfig(raw)).send(new AssumeRoleCommand({ RoleArn: 'arn', RoleSessionName: 's' }));
  assert.deepEqual(out.Credentials, { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 's/k+y', SessionToken: 'tok&<>', Expiration: new Date('2024-01-01T01:00:00Z') });
  assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/demo/sess');
  assert.equal(out.PackedPolicySize, 6);
  assert.equal(out.$metadata.requestId, 'req-1234');
});

test('query: IAM ListUsers lists, booleans and \\r survive', async () => {
  const raw = output('iam', 'ListUsers', {
    Users: [
      { Path: '/', UserName: 'a\r\nb', UserId: 'AID1', Arn: 'arn:aws:iam::123456789012:user/a', CreateDate: new Date('2024-01-01T00:00:00Z') },
      { Path: '/x/', UserName: 'c', UserId: 'AID2', Arn: 'arn:aws:iam::123456789012:user/x/c', CreateDate: new Date('2024-02-01T00:00:00.250Z'), Tags: [{ Key: 'k', Value: 'v' }] },
    ],
    IsTruncated: false,
  });
  const out = await new IAMClient(replayClientConfig(raw)).send(new ListUsersCommand({}));
  assert.equal(out.Users?.length, 2);
  assert.equal(out.Users?.[0]?.UserName, 'a\r\nb');
  assert.deepEqual(out.Users?.[1]?.CreateDate, new Date('2024-02-01T00:00:00.250Z'));
  assert.deepEqual(out.Users?.[1]?.Tags, [{ Key: 'k', Value: 'v' }]);
  assert.equal(out.IsTruncated, false);
});

test('query: IAM NoSuchEntity error maps to the modeled exception', async () => {
  const raw = error('iam', 'GetUser', new AwsError('NoSuchEntity', 'The user with name bob cannot be found.', { status: 404 }));
  const e = await thrown(new IAMClient(replayClientConfig(raw)).send(new GetUserCommand({ UserName: 'bob' })));
  assert.equal(e.name, 'NoSuchEntityException');
  assert.equal(e.message, 'The user with name bob cannot be found.');
  assert.equal(e.$metadata.httpStatusCode, 404);
  assert.equal(e.$metadata.requestId, 'req-1234');
});

test('query: SNS Publish output and unknown-action error', async () => {
  const ok = output('sns', 'Publish', { MessageId: 'm-1' });
  assert.equal((await new SNSClient(replayClientConfig(ok)).send(new PublishCommand({ TopicArn: 't', Message: 'm' }))).MessageId, 'm-1');
  const model = testModel('sns');
  const codec = codecFor('query');
  const unknown = (() => {
    try {
      codec.resolveOperation({ method: 'POST', target: '/', path: '/', query: '', headers: {}, body: Buffer.from('Action=Nope&Version=2010-03-31'), remoteAddress: '', secure: false }, model);
    } catch (err) {
      return err as AwsError;
    }
    assert.fail('expected InvalidAction');
  })();
  const e = await thrown(new SNSClient(replayClientConfig(codec.serializeError(unknown, model, undefined, ctx))).send(new PublishCommand({ TopicArn: 't', Message: 'm' })));
  assert.equal(e.name, 'InvalidAction');
  assert.equal(e.message, 'Could not find operation Nope for version 2010-03-31');
  assert.equal(e.$metadata.httpStatusCode, 400);
});

test('ec2: DescribeInstances output with nested item lists and timestamps', async () => {
  const raw = output('ec2', 'DescribeInstances', {
    Reservations: [{
      ReservationId: 'r-1', OwnerId: '123456789012',
      Instances: [{
        InstanceId: 'i-1', ImageId: 'ami-1', InstanceType: 't3.micro', LaunchTime: new Date('2024-01-01T00:00:00Z'),
        State: { Code: 16, Name: 'running' }, Tags: [{ Key: 'Name', Value: 'web & db' }], EbsOptimized: false,
      }],
    }],
  });
  assert.match(String(raw.body), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeInstancesResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>req-1234<\/requestId><reservationSet><item>/);
  const out = await new EC2Client(replayClientConfig(raw)).send(new DescribeInstancesCommand({}));
  const inst = out.Reservations?.[0]?.Instances?.[0];
  assert.equal(inst?.InstanceId, 'i-1');
  assert.deepEqual(inst?.LaunchTime, new Date('2024-01-01T00:00:00Z'));
  assert.deepEqual(inst?.State, { Code: 16, Name: 'running' });
  assert.deepEqual(inst?.Tags, [{ Key: 'Name', Value: 'web & db' }]);
  assert.equal(inst?.EbsOptimized, false);
});

test('ec2: error envelope gives code, message and status', async () => {
  const raw = error('ec2', 'TerminateInstances', new AwsError('InvalidInstanceID.NotFound', "The instance ID 'i-9' does not exist"));
  const e = await thrown(new EC2Client(replayClientConfig(raw)).send(new TerminateInstancesCommand({ InstanceIds: ['i-9'] })));
  assert.equal(e.name, 'InvalidInstanceID.NotFound');
  assert.equal(e.message, "The instance ID 'i-9' does not exist");
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.equal(e.$metadata.requestId, 'req-1234');
});

test('json 1.0: DynamoDB GetItem output with blobs and nested maps', async () => {
  const raw = output('dynamodb', 'GetItem', { Item: { pk: { S: 'a' }, b: { B: Buffer.from([1, 2, 255]) }, m: { M: { n: { N: '2' } } } } });
  assert.equal(raw.headers['Content-Type'], 'application/x-amz-json-1.0');
  const out = await new DynamoDBClient(replayClientConfig(raw)).send(new GetItemCommand({ TableName: 'T', Key: { pk: { S: 'a' } } }));
  assert.deepEqual(out.Item?.pk, { S: 'a' });
  assert.deepEqual(Buffer.from(out.Item?.b?.B ?? []), Buffer.from([1, 2, 255]));
  assert.deepEqual(out.Item?.m, { M: { n: { N: '2' } } });
});

test('json 1.0: DynamoDB ConditionalCheckFailedException carries its modeled Item', async () => {
  const raw = error('dynamodb', 'PutItem', new AwsError('ConditionalCheckFailedException', 'The conditional request failed', { fields: { Item: { pk: { S: 'a' } } } }));
  assert.equal(raw.headers['x-amzn-ErrorType'], 'ConditionalCheckFailedException');
  const e = await thrown(new DynamoDBClient(replayClientConfig(raw)).send(new PutItemCommand({ TableName: 'T', Item: {} })));
  assert.equal(e.name, 'ConditionalCheckFailedException');
  assert.equal(e.message, 'The conditional request failed');
  assert.deepEqual(e.Item, { pk: { S: 'a' } });
  assert.equal(e.$metadata.httpStatusCode, 400);
});

test('json 1.1: Secrets Manager output (timestamps, blobs) and capital-M Message errors', async () => {
  const raw = output('secretsmanager', 'GetSecretValue', {
    ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf', Name: 'db', VersionId: 'v1',
    SecretBinary: Buffer.from([0xde, 0xad]), VersionStages: ['AWSCURRENT'], CreatedDate: new Date('2024-01-01T00:00:00.5Z'),
  });
  assert.equal(JSON.parse(String(raw.body)).CreatedDate, 1704067200.5);
  const out = await new SecretsManagerClient(replayClientConfig(raw)).send(new GetSecretValueCommand({ SecretId: 'db' }));
  assert.deepEqual(out.CreatedDate, new Date('2024-01-01T00:00:00.5Z'));
  assert.deepEqual(Buffer.from(out.SecretBinary ?? []), Buffer.from([0xde, 0xad]));
  assert.deepEqual(out.VersionStages, ['AWSCURRENT']);

  const errRaw = error('secretsmanager', 'GetSecretValue', new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
  assert.deepEqual(JSON.parse(String(errRaw.body)), { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." });
  const e = await thrown(new SecretsManagerClient(replayClientConfig(errRaw)).send(new GetSecretValueCommand({ SecretId: 'db' })));
  assert.equal(e.name, 'ResourceNotFoundException');
  assert.equal(e.message, "Secrets Manager can't find the specified secret.");
});

test('rest-json: Lambda Invoke output binds status, headers and the raw payload', async () => {
  const raw = output('lambda', 'Invoke', { StatusCode: 200, FunctionError: 'Unhandled', LogResult: 'bG9n', ExecutedVersion: '$LATEST', Payload: Buffer.from('{"ok":true}') });
  assert.equal(raw.status, 200);
  assert.equal(raw.headers['X-Amz-Function-Error'], 'Unhandled');
  const out = await new LambdaClient(replayClientConfig(raw)).send(new InvokeCommand({ FunctionName: 'f' }));
  assert.equal(out.StatusCode, 200);
  assert.equal(out.FunctionError, 'Unhandled');
  assert.equal(out.LogResult, 'bG9n');
  assert.equal(out.ExecutedVersion, '$LATEST');
  assert.equal(Buffer.from(out.Payload ?? []).toString(), '{"ok":true}');
});

test('rest-json: Lambda ResourceNotFoundException with Type and Message', async () => {
  const raw = error('lambda', 'GetFunction', new AwsError('ResourceNotFoundException', 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:f', { status: 404 }));
  assert.deepEqual(JSON.parse(String(raw.body)), { Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:f' });
  assert.equal(raw.headers['x-amzn-ErrorType'], 'ResourceNotFoundException');
  const e = await thrown(new LambdaClient(replayClientConfig(raw)).send(new GetFunctionCommand({ FunctionName: 'f' })));
  assert.equal(e.name, 'ResourceNotFoundException');
  assert.equal(e.message, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:f');
  assert.equal(e.Type, 'User');
  assert.equal(e.$metadata.httpStatusCode, 404);
});

function s3(raw: RawResponse): S3Client {
  return new S3Client({ ...replayClientConfig(raw), forcePathStyle: true });
}

test('rest-xml: S3 ListObjectsV2 with flattened Contents, quoted ETags and odd keys', async () => {
  const raw = output('s3', 'ListObjectsV2', {
    IsTruncated: false, Name: 'bkt', Prefix: '', KeyCount: 2, MaxKeys: 1000,
    Contents: [
      { Key: ' a&b\r\n', LastModified: new Date('2024-01-01T00:00:00Z'), ETag: '"abc"', Size: 3, StorageClass: 'STANDARD' },
      { Key: 'c<d>', LastModified: new Date('2024-01-01T00:00:01Z'), ETag: '"def"', Size: 0, StorageClass: 'STANDARD' },
    ],
    CommonPrefixes: [{ Prefix: 'dir/' }],
  });
  assert.match(String(raw.body), /<Contents><Key> a&amp;b&#13;\n<\/Key><LastModified>2024-01-01T00:00:00.000Z<\/LastModified><ETag>&quot;abc&quot;<\/ETag>/);
  const out = await s3(raw).send(new ListObjectsV2Command({ Bucket: 'bkt' }));
  assert.deepEqual(out.Contents?.map((c) => [c.Key, c.ETag, c.Size, c.LastModified?.toISOString()]), [
    [' a&b\r\n', '"abc"', 3, '2024-01-01T00:00:00.000Z'],
    ['c<d>', '"def"', 0, '2024-01-01T00:00:01.000Z'],
  ]);
  assert.deepEqual(out.CommonPrefixes, [{ Prefix: 'dir/' }]);
  assert.equal(out.KeyCount, 2);
  assert.equal(out.IsTruncated, false);
});

test('rest-xml: S3 GetObject streams the body and binds headers and metadata', async () => {
  const raw = output('s3', 'GetObject', {
    Body: Buffer.from('hello'), ContentLength: 5, ContentType: 'text/plain', ETag: '"5d41402abc4b2a76b9719d911017c592"',
    LastModified: new Date('2024-01-02T03:04:05Z'), Metadata: { owner: 'alice' }, VersionId: 'v1',
  });
  assert.equal(raw.headers['Last-Modified'], 'Tue, 02 Jan 2024 03:04:05 GMT');
  assert.equal(raw.headers['x-amz-meta-owner'], 'alice');
  const out = await s3(raw).send(new GetObjectCommand({ Bucket: 'bkt', Key: 'k' }));
  assert.equal(await out.Body?.transformToString(), 'hello');
  assert.equal(out.ContentType, 'text/plain');
  assert.equal(out.ContentLength, 5);
  assert.deepEqual(out.Metadata, { owner: 'alice' });
  assert.deepEqual(out.LastModified, new Date('2024-01-02T03:04:05Z'));
  assert.equal(out.VersionId, 'v1');
});

test('rest-xml: S3 NoSuchKey error with its extra fields', async () => {
  const raw = error('s3', 'GetObject', new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: 'k' } }));
  assert.equal(
    raw.body,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>req-1234</RequestId><HostId>${raw.headers['x-amz-id-2']}</HostId></Error>`,
  );
  const e = await thrown(s3(raw).send(new GetObjectCommand({ Bucket: 'bkt', Key: 'k' })));
  assert.equal(e.name, 'NoSuchKey');
  assert.equal(e.message, 'The specified key does not exist.');
  assert.equal(e.$metadata.httpStatusCode, 404);
  assert.equal(e.$metadata.requestId, 'req-1234');
  assert.equal(e.$metadata.extendedRequestId, raw.headers['x-amz-id-2']);
});

test('rest-xml: HEAD errors have no body and clients name them by status', async () => {
  const raw = error('s3', 'HeadObject', new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404 }));
  assert.equal(raw.body, '');
  const e = await thrown(s3(raw).send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'k' })));
  assert.equal(e.name, 'NotFound');
  assert.equal(e.$metadata.httpStatusCode, 404);
});

test('rest-xml: MethodNotAllowed for an unknown route', async () => {
  const model = testModel('s3');
  const codec = codecFor('rest-xml');
  let err: AwsError | undefined;
  try {
    codec.resolveOperation({ method: 'PATCH', target: '/bkt/key', path: '/bkt/key', query: '', headers: {}, body: Buffer.alloc(0), remoteAddress: '', secure: false }, model);
  } catch (e) {
    err = e as AwsError;
  }
  assert.equal(err?.code, 'MethodNotAllowed');
  assert.equal(err?.status, 405);
  const raw = codec.serializeError(err!, model, undefined, ctx);
  assert.match(String(raw.body), /<Code>MethodNotAllowed<\/Code><Message>The specified method is not allowed against this resource.<\/Message><Method>PATCH<\/Method><ResourceType>OBJECT<\/ResourceType>/);
  const e = await thrown(s3(raw).send(new PutBucketVersioningCommand({ Bucket: 'bkt', VersioningConfiguration: { Status: 'Enabled' } })));
  assert.equal(e.name, 'MethodNotAllowed');
  assert.equal(e.$metadata.httpStatusCode, 405);
});
